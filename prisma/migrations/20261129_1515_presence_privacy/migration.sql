-- Presence with privacy (docs/security.md, "Presence"): who may see whether someone is around,
-- the contacts that relationship can rest on, and addresses a person has blocked.

-- Open sockets of an identity on a node, visible or not: "away" is connected with none visible.
-- beat_at is the node's last write of the row; seen_at stays "when the last visible client went".
ALTER TABLE "presence" ADD COLUMN "sockets" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "presence" ADD COLUMN "beat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

CREATE TYPE "PresenceVisibility" AS ENUM ('NOBODY', 'SHARED_CHATS', 'CONTACTS', 'SIGNED_IN');

-- No row: the default, SHARED_CHATS.
CREATE TABLE "presence_setting" (
    "identity_id" UUID NOT NULL,
    "visibility" "PresenceVisibility" NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "presence_setting_pkey" PRIMARY KEY ("identity_id"),
    CONSTRAINT "presence_setting_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- One row per direction; both are written and removed together. `address` is the one the
-- contact was a member under where the two accepted a chat together (never their other addresses).
CREATE TABLE "contact" (
    "identity_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "contact_pkey" PRIMARY KEY ("identity_id", "contact_id"),
    CONSTRAINT "contact_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "contact_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "contact_contact_id_idx" ON "contact"("contact_id");

-- An address (normalised) a person blocked: whoever signs in with it cannot bring them into
-- chats, become their contact or see their presence.
CREATE TABLE "blocked_address" (
    "identity_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "blocked_address_pkey" PRIMARY KEY ("identity_id", "address"),
    CONSTRAINT "blocked_address_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "blocked_address_address_idx" ON "blocked_address"("address");

-- Chats accepted before this migration count too: members who see each other in a chat become
-- contacts (backend/src/presence/contacts.ts; docs/security.md, "Presence"). Seeing each other is
-- the Bcc rule of backend/src/chats/membership.ts as it stands here: one of the two owns the
-- chat, or neither is a hidden member (an audience role other than BCC).
INSERT INTO "contact" ("identity_id", "contact_id", "address", "created_at")
SELECT DISTINCT ON (a."identity_id", b."identity_id") a."identity_id", b."identity_id", b."address", GREATEST(a."joined_at", b."joined_at")
  FROM "member" a
  JOIN "member" b ON b."chat_id" = a."chat_id" AND b."identity_id" <> a."identity_id"
  JOIN "chat" c ON c."id" = a."chat_id"
  LEFT JOIN "audience_entry" ea ON ea."chat_id" = a."chat_id" AND ea."address" = a."address"
  LEFT JOIN "audience_entry" eb ON eb."chat_id" = b."chat_id" AND eb."address" = b."address"
 WHERE a."identity_id" = c."owner_id" OR b."identity_id" = c."owner_id"
    OR (ea."role" IS NOT NULL AND ea."role" <> 'BCC' AND eb."role" IS NOT NULL AND eb."role" <> 'BCC')
 ORDER BY a."identity_id", b."identity_id", GREATEST(a."joined_at", b."joined_at")
ON CONFLICT DO NOTHING;
