-- Alerts (desktop notification, sound, vibration, spoken) are remembered per identity, not per
-- browser, so every device of a person follows the same choices; mute and sound per chat.

-- CreateTable
CREATE TABLE "alert_settings" (
    "identity_id" UUID NOT NULL,
    "desktop" BOOLEAN NOT NULL DEFAULT true,
    "sound" BOOLEAN NOT NULL DEFAULT true,
    "vibrate" BOOLEAN NOT NULL DEFAULT true,
    "speak" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "alert_settings_pkey" PRIMARY KEY ("identity_id")
);

-- CreateTable
CREATE TABLE "chat_alerts" (
    "chat_id" UUID NOT NULL,
    "identity_id" UUID NOT NULL,
    "muted" BOOLEAN NOT NULL DEFAULT false,
    "sound" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "chat_alerts_pkey" PRIMARY KEY ("chat_id","identity_id")
);

-- AddForeignKey
ALTER TABLE "alert_settings" ADD CONSTRAINT "alert_settings_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "chat_alerts" ADD CONSTRAINT "chat_alerts_chat_id_identity_id_fkey" FOREIGN KEY ("chat_id", "identity_id") REFERENCES "member"("chat_id", "identity_id") ON DELETE CASCADE ON UPDATE CASCADE;
