-- Audience members who have not joined are emailed too: how far email (or the invitation)
-- carried a chat to each audience address, so nothing is sent twice.
ALTER TABLE "audience_entry" ADD COLUMN "emailed_seq" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "audience_entry" ADD COLUMN "last_email_message_id" TEXT;
