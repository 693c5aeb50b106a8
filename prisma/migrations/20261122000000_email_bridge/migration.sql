-- Email bridge: durable jobs, presence, per-member delivery state, personal links,
-- reply addresses, do-not-disturb, address linking and held inbound mail.

-- CreateEnum
CREATE TYPE "ChatLinkPurpose" AS ENUM ('INVITE', 'NOTIFY');

-- CreateEnum
CREATE TYPE "DndMode" AS ENUM ('RESEND', 'DIGEST');

-- CreateTable
CREATE TABLE "job" (
    "id" BIGSERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "dedupe_key" TEXT,
    "run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL DEFAULT 25,
    "locked_by" TEXT,
    "locked_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "done_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),

    CONSTRAINT "job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "presence" (
    "identity_id" UUID NOT NULL,
    "node_id" TEXT NOT NULL,
    "connections" INTEGER NOT NULL DEFAULT 0,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "presence_pkey" PRIMARY KEY ("identity_id","node_id")
);

-- CreateTable
CREATE TABLE "delivery_state" (
    "chat_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "delivered_seq" INTEGER NOT NULL DEFAULT 0,
    "emailed_seq" INTEGER NOT NULL DEFAULT 0,
    "last_email_message_id" TEXT,

    CONSTRAINT "delivery_state_pkey" PRIMARY KEY ("chat_id","identity_id")
);

-- CreateTable
CREATE TABLE "chat_link" (
    "id" UUID NOT NULL,
    "chat_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "purpose" "ChatLinkPurpose" NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),

    CONSTRAINT "chat_link_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reply_address" (
    "token_hash" TEXT NOT NULL,
    "chat_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reply_address_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "availability" (
    "identity_id" UUID NOT NULL,
    "dnd" BOOLEAN NOT NULL DEFAULT false,
    "dnd_mode" "DndMode" NOT NULL DEFAULT 'DIGEST',
    "resend_minutes" INTEGER NOT NULL DEFAULT 60,
    "dnd_since" TIMESTAMPTZ(3),

    CONSTRAINT "availability_pkey" PRIMARY KEY ("identity_id")
);

-- CreateTable
CREATE TABLE "address_link" (
    "id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),

    CONSTRAINT "address_link_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "held_mail" (
    "id" UUID NOT NULL,
    "chat_id" UUID,
    "identity_id" UUID,
    "mail_from" TEXT NOT NULL,
    "header_from" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "auth_results" TEXT NOT NULL DEFAULT '',
    "raw" BYTEA NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "held_mail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "job_run_at_idx" ON "job"("run_at");

-- A pending job with a dedupe key absorbs later enqueues (batching); Prisma's schema cannot
-- express partial indexes, so this one lives only here.
CREATE UNIQUE INDEX "job_pending_dedupe_key" ON "job"("dedupe_key") WHERE "done_at" IS NULL AND "failed_at" IS NULL;

-- CreateIndex
CREATE INDEX "job_pending_idx" ON "job"("run_at") WHERE "done_at" IS NULL AND "failed_at" IS NULL;

-- CreateIndex
CREATE INDEX "presence_node_id_idx" ON "presence"("node_id");

-- CreateIndex
CREATE UNIQUE INDEX "chat_link_token_hash_key" ON "chat_link"("token_hash");

-- CreateIndex
CREATE INDEX "chat_link_chat_id_idx" ON "chat_link"("chat_id");

-- CreateIndex
CREATE INDEX "reply_address_chat_id_identity_id_idx" ON "reply_address"("chat_id", "identity_id");

-- CreateIndex
CREATE INDEX "address_link_identity_id_idx" ON "address_link"("identity_id");

-- AddForeignKey
ALTER TABLE "presence" ADD CONSTRAINT "presence_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_state" ADD CONSTRAINT "delivery_state_chat_id_identity_id_fkey" FOREIGN KEY ("chat_id", "identity_id") REFERENCES "member"("chat_id", "identity_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_link" ADD CONSTRAINT "chat_link_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reply_address" ADD CONSTRAINT "reply_address_chat_id_identity_id_fkey" FOREIGN KEY ("chat_id", "identity_id") REFERENCES "member"("chat_id", "identity_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "availability" ADD CONSTRAINT "availability_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "address_link" ADD CONSTRAINT "address_link_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;
