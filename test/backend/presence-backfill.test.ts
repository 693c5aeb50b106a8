/**
 * The presence migration makes contacts of people who had already accepted chats together,
 * by the rule new joins follow: members who see each other (one owns the chat, or neither is a
 * hidden member). A real PostgreSQL database, migrated up to the migration before it, given
 * memberships, then migrated the rest of the way.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../backend/src/db/migrator.ts';
import { createLogger } from '../../backend/src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const PEOPLE = { owner: id(1), to: id(2), cc: id(3), bcc: id(4), removed: id(5), outsider: id(6) };
type Person = keyof typeof PEOPLE;

describe('presence migration: contacts from chats accepted before it', function () {
  let db: TestDatabase;
  let pool: pg.Pool;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const mine = names.findIndex((n) => n.endsWith('_presence_privacy'));
    assert.ok(mine > 0, 'the presence migration exists');
    const before = await mkdtemp(path.join(os.tmpdir(), 'migrations-before-'));
    try {
      for (const n of names.slice(0, mine)) await cp(path.join(MIGRATIONS_DIR, n), path.join(before, n), { recursive: true });
      await migrate(pool, createLogger('silent'), before);
    } finally {
      await rm(before, { recursive: true, force: true });
    }
    for (const [who, identity] of Object.entries(PEOPLE)) {
      await pool.query(`INSERT INTO identity (id) VALUES ($1)`, [identity]);
      await pool.query(`INSERT INTO email_address (address, identity_id) VALUES ($1, $2)`, [`${who}@example.com`, identity]);
    }
    const chat = id(9);
    await pool.query(`INSERT INTO chat (id, subject, source, retention, owner_id) VALUES ($1, 'Old', 'EMAIL', 'ARCHIVED', $2)`, [
      chat,
      PEOPLE.owner,
    ]);
    // "removed" is still a member whose address left the audience: hidden like a Bcc member.
    const roles: [Person, string | null][] = [
      ['owner', 'FROM'],
      ['to', 'TO'],
      ['cc', 'CC'],
      ['bcc', 'BCC'],
      ['removed', null],
    ];
    for (const [who, role] of roles) {
      if (role)
        await pool.query(`INSERT INTO audience_entry (chat_id, address, role) VALUES ($1, $2, $3::"AudienceRole")`, [
          chat,
          `${who}@example.com`,
          role,
        ]);
      await pool.query(`INSERT INTO member (chat_id, identity_id, address) VALUES ($1, $2, $3)`, [chat, PEOPLE[who], `${who}@example.com`]);
    }
    // The outsider is in the audience but never opened the chat: no acceptance, no contact.
    await pool.query(`INSERT INTO audience_entry (chat_id, address, role) VALUES ($1, 'outsider@example.com', 'TO')`, [chat]);
    await migrate(pool, createLogger('silent'), MIGRATIONS_DIR);
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('makes contacts, both ways, of exactly the members who see each other', async () => {
    const name = new Map(Object.entries(PEOPLE).map(([who, identity]) => [identity, who]));
    const rows = await pool.query<{ identity_id: string; contact_id: string; address: string }>(
      `SELECT identity_id, contact_id, address FROM contact`,
    );
    const pairs = rows.rows.map((r) => `${name.get(r.identity_id)}->${name.get(r.contact_id)}`).sort();
    const expected = [...['to', 'cc', 'bcc', 'removed'].flatMap((p) => [`owner->${p}`, `${p}->owner`]), 'to->cc', 'cc->to'].sort();
    assert.deepEqual(pairs, expected);
    for (const r of rows.rows) assert.equal(r.address, `${name.get(r.contact_id)}@example.com`, 'the address they were a member under');
  });
});
