-- CreateEnum
CREATE TYPE "ChatSource" AS ENUM ('EMAIL', 'STANDALONE');

-- CreateEnum
CREATE TYPE "Retention" AS ENUM ('ARCHIVED', 'EPHEMERAL');

-- CreateEnum
CREATE TYPE "AudienceRole" AS ENUM ('FROM', 'TO', 'CC', 'BCC', 'ADDED');

-- CreateEnum
CREATE TYPE "MessageKind" AS ENUM ('TEXT', 'SYSTEM', 'DELETION', 'QUOTE');

-- CreateEnum
CREATE TYPE "AccessRequestStatus" AS ENUM ('PENDING', 'APPROVED', 'DECLINED');

-- CreateTable
CREATE TABLE "identity" (
    "id" UUID NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "identity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "email_address" (
    "address" TEXT NOT NULL,
    "identity_id" UUID NOT NULL,
    "verified_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_address_pkey" PRIMARY KEY ("address")
);

-- CreateTable
CREATE TABLE "session" (
    "id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "chat_id" UUID,
    "label" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "verification" (
    "id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "code_hash" TEXT NOT NULL,
    "link_token_hash" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "consumed_at" TIMESTAMP(3),

    CONSTRAINT "verification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "chat" (
    "id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "source" "ChatSource" NOT NULL,
    "retention" "Retention" NOT NULL,
    "owner_id" UUID NOT NULL,
    "email_message_id" TEXT,
    "draft_key" TEXT,
    "last_seq" INTEGER NOT NULL DEFAULT 0,
    "last_activity_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMP(3),

    CONSTRAINT "chat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audience_entry" (
    "chat_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "role" "AudienceRole" NOT NULL,
    "added_by_id" UUID,
    "added_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audience_entry_pkey" PRIMARY KEY ("chat_id","address")
);

-- CreateTable
CREATE TABLE "member" (
    "chat_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "joined_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_read_seq" INTEGER NOT NULL DEFAULT 0,
    "language" TEXT,
    "email_notify" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "member_pkey" PRIMARY KEY ("chat_id","identity_id")
);

-- CreateTable
CREATE TABLE "message" (
    "chat_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "client_id" TEXT NOT NULL,
    "author_id" UUID,
    "author_address" TEXT,
    "kind" "MessageKind" NOT NULL,
    "body" TEXT NOT NULL,
    "target_seq" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMP(3),

    CONSTRAINT "message_pkey" PRIMARY KEY ("chat_id","seq")
);

-- CreateTable
CREATE TABLE "access_request" (
    "id" UUID NOT NULL,
    "chat_id" UUID NOT NULL,
    "address" TEXT NOT NULL,
    "identity_id" UUID NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "status" "AccessRequestStatus" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMP(3),

    CONSTRAINT "access_request_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "email_address_identity_id_idx" ON "email_address"("identity_id");

-- CreateIndex
CREATE UNIQUE INDEX "session_token_hash_key" ON "session"("token_hash");

-- CreateIndex
CREATE INDEX "session_identity_id_idx" ON "session"("identity_id");

-- CreateIndex
CREATE UNIQUE INDEX "verification_link_token_hash_key" ON "verification"("link_token_hash");

-- CreateIndex
CREATE INDEX "verification_address_created_at_idx" ON "verification"("address", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "chat_owner_id_draft_key_key" ON "chat"("owner_id", "draft_key");

-- CreateIndex
CREATE INDEX "audience_entry_address_idx" ON "audience_entry"("address");

-- CreateIndex
CREATE INDEX "member_identity_id_idx" ON "member"("identity_id");

-- CreateIndex
CREATE UNIQUE INDEX "message_chat_id_client_id_key" ON "message"("chat_id", "client_id");

-- CreateIndex
CREATE UNIQUE INDEX "access_request_chat_id_address_key" ON "access_request"("chat_id", "address");

-- AddForeignKey
ALTER TABLE "email_address" ADD CONSTRAINT "email_address_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat" ADD CONSTRAINT "chat_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "identity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audience_entry" ADD CONSTRAINT "audience_entry_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "member" ADD CONSTRAINT "member_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "access_request" ADD CONSTRAINT "access_request_chat_id_fkey" FOREIGN KEY ("chat_id") REFERENCES "chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;
