-- Emoji reactions: state, not log entries. A reaction by a hidden (Bcc) member must not even
-- show as a seq to the others, so reactions travel as their own events and a rejoin refreshes them.
CREATE TABLE "message_reaction" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "identity_id" UUID NOT NULL,
    "emoji" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "message_reaction_pkey" PRIMARY KEY ("chat_id","seq","identity_id","emoji")
);

ALTER TABLE "message_reaction" ADD CONSTRAINT "message_reaction_chat_id_seq_fkey" FOREIGN KEY ("chat_id", "seq") REFERENCES "message"("chat_id", "seq") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "message_reaction" ADD CONSTRAINT "message_reaction_chat_id_identity_id_fkey" FOREIGN KEY ("chat_id", "identity_id") REFERENCES "member"("chat_id", "identity_id") ON DELETE CASCADE ON UPDATE CASCADE;
