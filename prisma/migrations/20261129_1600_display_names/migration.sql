-- A person's own display name, shown instead of their address where set (the address stays on hover).
ALTER TABLE "identity" ADD COLUMN "display_name" TEXT;
