-- The first migration created its timestamps as TIMESTAMP(3) (wall time, no zone) while every later one
-- uses TIMESTAMPTZ(3). Prisma wrote those columns in UTC, so each stored value is read as UTC here;
-- afterwards the driver, raw SQL and Prisma all agree on instants whatever the session's time zone.

ALTER TABLE "identity"
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC';

ALTER TABLE "email_address"
    ALTER COLUMN "verified_at" TYPE TIMESTAMPTZ(3) USING "verified_at" AT TIME ZONE 'UTC';

ALTER TABLE "session"
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "last_used_at" TYPE TIMESTAMPTZ(3) USING "last_used_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "expires_at" TYPE TIMESTAMPTZ(3) USING "expires_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "revoked_at" TYPE TIMESTAMPTZ(3) USING "revoked_at" AT TIME ZONE 'UTC';

ALTER TABLE "verification"
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "expires_at" TYPE TIMESTAMPTZ(3) USING "expires_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "consumed_at" TYPE TIMESTAMPTZ(3) USING "consumed_at" AT TIME ZONE 'UTC';

ALTER TABLE "chat"
    ALTER COLUMN "last_activity_at" TYPE TIMESTAMPTZ(3) USING "last_activity_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "ended_at" TYPE TIMESTAMPTZ(3) USING "ended_at" AT TIME ZONE 'UTC';

ALTER TABLE "audience_entry"
    ALTER COLUMN "added_at" TYPE TIMESTAMPTZ(3) USING "added_at" AT TIME ZONE 'UTC';

ALTER TABLE "member"
    ALTER COLUMN "joined_at" TYPE TIMESTAMPTZ(3) USING "joined_at" AT TIME ZONE 'UTC';

ALTER TABLE "message"
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "deleted_at" TYPE TIMESTAMPTZ(3) USING "deleted_at" AT TIME ZONE 'UTC';

ALTER TABLE "access_request"
    ALTER COLUMN "created_at" TYPE TIMESTAMPTZ(3) USING "created_at" AT TIME ZONE 'UTC',
    ALTER COLUMN "decided_at" TYPE TIMESTAMPTZ(3) USING "decided_at" AT TIME ZONE 'UTC';
