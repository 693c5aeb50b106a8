import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL every test database is created on (ENVIRONMENT.md: trust auth). */
export const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A brand-new database for one suite (or one benchmark run); dropped afterwards. Never reuses data. */
export async function createTestDatabase(prefix = 'inbox_test'): Promise<TestDatabase> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      // A pool's end() resolves before the server has closed its sessions; forcing the drop at
      // once can hit one mid-close and raise "terminating connection" in a test that did nothing
      // wrong. So give closing sessions a moment; FORCE then only ends ones that were left open.
      for (let i = 0; i < 40; i++) {
        const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
        if (rows[0]!.n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
