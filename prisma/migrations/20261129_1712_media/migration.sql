-- Files, images and video messages (docs/media.md). One row per upload into a chat: who sent
-- it, what it claims to be, and once every byte is in the media store, the object it became.
-- A chat's objects are exactly those of its stored uploads, which is what downloads check.
CREATE TABLE "media_upload" (
    "id" TEXT NOT NULL,
    "chat_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "declared_bytes" BIGINT,
    "size" BIGINT,
    "media_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stored_at" TIMESTAMPTZ(3),
    CONSTRAINT "media_upload_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "media_upload_identity_id_created_at_idx" ON "media_upload"("identity_id", "created_at");
CREATE INDEX "media_upload_chat_id_media_id_idx" ON "media_upload"("chat_id", "media_id");
ALTER TABLE "media_upload" ADD CONSTRAINT "media_upload_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "media_upload" ADD CONSTRAINT "media_upload_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A message that carries one stored upload (a file, an image or a recorded video).
ALTER TYPE "MessageKind" ADD VALUE 'ATTACHMENT';
