-- An address invited by someone it had never met (not a contact, no chat accepted together) gets
-- the invitation and nothing more until it accepts (docs/email-bridge.md, "Invitations"): no
-- blind initiation by a stream of notification emails.
ALTER TABLE "audience_entry" ADD COLUMN "awaiting_acceptance" BOOLEAN NOT NULL DEFAULT false;
