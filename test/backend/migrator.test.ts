import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../backend/src/db/migrator.ts';
import { createLogger } from '../../backend/src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// Its own suite, database and pool: it once shared the server-process suite and failed with
// "done() called multiple times" when an error leaked from an earlier test into this one.
describe('migrator: a failing migration stops the start and is reported by name', function () {
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;
  const poolErrors: Error[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    // An idle client that errors must fail this test through an assertion, never as an uncaught
    // exception that mocha would pin on whichever test happens to be running.
    poolErrors.length = 0;
    pool.on('error', (err) => poolErrors.push(err));
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const writeMigration = async (name: string, sql: string) => {
    await mkdir(path.join(dir, name), { recursive: true });
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  };

  it('keeps the good one, marks the failed one rolled back, and applies it once fixed', async () => {
    await writeMigration('20260101000000_good', 'CREATE TABLE t (id int);');
    await writeMigration('20260102000000_bad', 'CREATE TABLE t (id int);');
    await assert.rejects(migrate(pool, createLogger('silent'), dir), /Migration 20260102000000_bad failed: .*already exists/);
    const book = (
      await pool.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null; checksum: string }>(
        'SELECT migration_name, finished_at, rolled_back_at, checksum FROM "_prisma_migrations" ORDER BY started_at',
      )
    ).rows;
    assert.equal(book.length, 2);
    assert.equal(book[0]?.migration_name, '20260101000000_good');
    assert.ok(book[0]?.finished_at);
    assert.match(book[0]?.checksum ?? '', /^[0-9a-f]{64}$/);
    assert.ok(book[1]?.rolled_back_at, 'the failed one is marked rolled back so a fixed file can be retried');
    // Fix the file: the next start applies it.
    await writeMigration('20260102000000_bad', 'CREATE TABLE u (id int);');
    assert.deepEqual(await migrate(pool, createLogger('silent'), dir), ['20260102000000_bad']);
    assert.deepEqual(await migrate(pool, createLogger('silent'), dir), [], 'applied migrations are not re-run');
    assert.deepEqual(poolErrors, []);
  });
});
