-- @mentions, stored as structure (who was mentioned) rather than parsed out of the text, so
-- a mention survives display-name changes and gives the mentioned member a stronger alert.
CREATE TABLE "message_mention" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "identity_id" UUID NOT NULL,

    CONSTRAINT "message_mention_pkey" PRIMARY KEY ("chat_id","seq","identity_id")
);

ALTER TABLE "message_mention" ADD CONSTRAINT "message_mention_chat_id_seq_fkey" FOREIGN KEY ("chat_id", "seq") REFERENCES "message"("chat_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE;
