-- What each person's latest connected client can do (docs/media.md, "Capabilities"): the sender's
-- recorder picks a format every member plays. No row: the person never connected a client.
CREATE TABLE "client_capabilities" (
    "identity_id" UUID NOT NULL,
    "capabilities" JSONB NOT NULL,
    "reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "client_capabilities_pkey" PRIMARY KEY ("identity_id"),
    CONSTRAINT "client_capabilities_identity_id_fkey" FOREIGN KEY ("identity_id") REFERENCES "identity"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
