-- Editing one's own message: an EDIT event carries the new text through the log (so resyncing
-- clients learn of it like of a deletion), the message row holds the current text, and every
-- earlier text is kept in message_revision for the audit trail.
ALTER TYPE "MessageKind" ADD VALUE 'EDIT';

ALTER TABLE "message" ADD COLUMN "edited_at" TIMESTAMPTZ(3);

CREATE TABLE "message_revision" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "revision" INTEGER NOT NULL,
    "body" TEXT NOT NULL,
    "written_at" TIMESTAMPTZ(3) NOT NULL,
    "replaced_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "message_revision_pkey" PRIMARY KEY ("chat_id","seq","revision")
);

ALTER TABLE "message_revision" ADD CONSTRAINT "message_revision_chat_id_seq_fkey" FOREIGN KEY ("chat_id", "seq") REFERENCES "message"("chat_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE;
