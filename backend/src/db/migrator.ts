import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Logger } from '../log.ts';

/**
 * Applies prisma/migrations/<name>/migration.sql in order, keeping Prisma's own
 * `_prisma_migrations` bookkeeping (checksum = sha256 of the file) so that
 * `prisma migrate status/deploy` on a machine with Prisma's schema engine agree.
 * Prisma's engine cannot be downloaded here; see docs/database.md.
 */
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../../prisma/migrations');

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

// Any fixed number works; it keeps two nodes starting at once from migrating together.
const ADVISORY_LOCK_KEY = 72_814_500_113;

export class MigrationError extends Error {}

export async function migrate(pool: pg.Pool, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(BOOKKEEPING);
    const done = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const byName = new Map(done.rows.map((r) => [r.migration_name, r]));
    for (const name of names) {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const previous = byName.get(name);
      if (previous?.finished_at) {
        if (previous.checksum !== checksum) {
          log.warn({ migration: name }, 'migration file changed after it was applied');
        }
        continue;
      }
      if (previous) {
        throw new MigrationError(
          `Migration ${name} started earlier but did not finish; fix the database by hand, then mark it rolled back`,
        );
      }
      const id = randomUUID();
      await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
        id,
        checksum,
        name,
      ]);
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        const message = err instanceof Error ? err.message : String(err);
        // The SQL ran in a transaction that was rolled back, so the next start may retry it.
        await client.query('UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1', [id, message]);
        throw new MigrationError(`Migration ${name} failed: ${message}`);
      }
      await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
      applied.push(name);
      log.info({ migration: name }, 'migration applied');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}
