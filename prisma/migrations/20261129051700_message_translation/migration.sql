-- Message translation (docs/translation.md). A person's default reading language, set from
-- their first client's language and changeable; a member's per-chat choice (member.language)
-- overrides it.
ALTER TABLE "identity" ADD COLUMN "language" TEXT;

-- One translation per (message, language), computed once however many readers share the
-- language. The original stays in "message": it is the record, and what is emailed.
CREATE TABLE "message_translation" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "language" TEXT NOT NULL,
    "source_language" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_translation_pkey" PRIMARY KEY ("chat_id", "seq", "language")
);

ALTER TABLE "message_translation" ADD CONSTRAINT "message_translation_chat_id_seq_fkey"
    FOREIGN KEY ("chat_id", "seq") REFERENCES "message"("chat_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE;
