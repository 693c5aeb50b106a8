/**
 * The migration that rewrites the "Reply with IM" draft keys of existing chats to the one format
 * both clients use now, on a real PostgreSQL: the schema as it was before it, old chats inserted,
 * then the migration applied by the server's own migrator.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../backend/src/db/migrator.ts';
import { createLogger } from '../../backend/src/log.ts';
import { replyDraftKey } from '../../mail-client/reply-with-im.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const MIGRATIONS = path.resolve(import.meta.dirname, '../../prisma/migrations');
const THIS_ONE = '20261129_1805_reply_draft_keys';

describe('migration: "Reply with IM" draft keys of existing chats take the shared format', function () {
  let db: TestDatabase;
  let pool: pg.Pool;
  let dir: string;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url });
    dir = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
    const all = (await readdir(MIGRATIONS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    assert.ok(all.includes(THIS_ONE));
    for (const name of all.filter((n) => n < THIS_ONE)) await cp(path.join(MIGRATIONS, name), path.join(dir, name), { recursive: true });
    await migrate(pool, createLogger('silent'), dir);
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rewrites Outlook and Thunderbird keys, keeps one chat per owner and email, and leaves other keys alone', async () => {
    const [ann, ben] = [randomUUID(), randomUUID()];
    await pool.query('INSERT INTO identity (id) VALUES ($1), ($2)', [ann, ben]);
    let minute = 0;
    const chat = async (owner: string, draftKey: string | null) => {
      const id = randomUUID();
      // Distinct creation times: "the oldest keeps the new key" must not depend on insertion order.
      await pool.query(
        `INSERT INTO chat (id, subject, source, retention, owner_id, draft_key, created_at)
         VALUES ($1, 's', 'EMAIL', 'ARCHIVED', $2, $3, now() - make_interval(mins => $4))`,
        [id, owner, draftKey, 100 - minute++],
      );
      return id;
    };
    const fromOutlook = await chat(ann, 'reply:<plan-1@example.com>');
    const fromThunderbird = await chat(ann, 'thunderbird-reply:plan-1@example.com');
    const benFromThunderbird = await chat(ben, 'thunderbird-reply:plan-1@example.com');
    const benFromOutlook = await chat(ben, 'reply:<plan-1@example.com>');
    const itemFallback = await chat(ann, 'reply:AAMkAGI2TG93AAA=');
    const composeDraft = await chat(ann, 'thunderbird:3b1f0c8e-3f7e-4a43-9d55-0a2b7c4e9d11');
    const none = await chat(ann, null);

    // Later migrations (other work) may run here too; this one must be among them.
    assert.ok((await migrate(pool, createLogger('silent'), MIGRATIONS)).includes(THIS_ONE));
    const keys = Object.fromEntries(
      (await pool.query<{ id: string; draft_key: string | null }>('SELECT id, draft_key FROM chat')).rows.map((r) => [r.id, r.draft_key]),
    );
    const shared = replyDraftKey('<plan-1@example.com>');
    assert.equal(keys[fromOutlook], shared, "Ann's older chat takes the key both clients send now");
    assert.equal(keys[fromThunderbird], 'thunderbird-reply:plan-1@example.com', 'the younger duplicate keeps its old key');
    assert.equal(keys[benFromThunderbird], shared, 'keys are per owner; the oldest wins, whichever client made it');
    assert.equal(keys[benFromOutlook], 'reply:<plan-1@example.com>');
    assert.equal(keys[itemFallback], replyDraftKey(null, 'AAMkAGI2TG93AAA='), 'an Outlook item id without a Message-ID');
    assert.equal(keys[composeDraft], 'thunderbird:3b1f0c8e-3f7e-4a43-9d55-0a2b7c4e9d11', 'Embed IM keys are not replies');
    assert.equal(keys[none], null);
  });
});
