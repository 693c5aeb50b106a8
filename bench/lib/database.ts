import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.ts';

/** The bench makes its own database on the local PostgreSQL, the same way the test suites do, and drops it. */
export type BenchDatabase = TestDatabase;
export const createBenchDatabase = (): Promise<BenchDatabase> => createTestDatabase('inbox_bench');

/** One seeded member as the load generator needs it: who, which chat, the session token. */
export interface SeededMember {
  identityId: string;
  chatId: string;
  token: string;
  /** Their one address (a browser's stored session names it). */
  address: string;
}

/**
 * Creates `chats` chats with `perChat` members each straight in SQL (identity, verified address,
 * session with a random token whose sha256 is stored, chat, audience entry, member row), because
 * thousands of email-code sign-ins would dominate the run. Everything after this, connecting and
 * messaging, goes through the real server. Runs after the server migrated the schema.
 */
export async function seedChats(url: string, chats: number, perChat: number, tag: string): Promise<SeededMember[][]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: SeededMember[][] = [];
    const step = 2000;
    for (let first = 0; first < chats; first += step) {
      const n = Math.min(step, chats - first);
      const ids: string[] = [];
      const addresses: string[] = [];
      const sessions: string[] = [];
      const hashes: string[] = [];
      const memberChats: string[] = [];
      const chatIds: string[] = [];
      const owners: string[] = [];
      for (let c = 0; c < n; c++) {
        const chatId = randomUUID();
        const members: SeededMember[] = [];
        for (let m = 0; m < perChat; m++) {
          const identityId = randomUUID();
          const token = randomBytes(32).toString('base64url');
          const address = `${tag}-${first + c}-${m}@bench.example`;
          ids.push(identityId);
          addresses.push(address);
          sessions.push(randomUUID());
          hashes.push(createHash('sha256').update(token).digest('hex'));
          memberChats.push(chatId);
          members.push({ identityId, chatId, token, address });
        }
        chatIds.push(chatId);
        owners.push(members[0]!.identityId);
        out.push(members);
      }
      await client.query('BEGIN');
      await client.query('INSERT INTO identity (id) SELECT * FROM unnest($1::uuid[])', [ids]);
      await client.query('INSERT INTO email_address (address, identity_id) SELECT * FROM unnest($1::text[], $2::uuid[])', [addresses, ids]);
      await client.query(
        `INSERT INTO session (id, identity_id, token_hash, label, expires_at)
         SELECT s, i, h, 'bench', now() + interval '1 day' FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS v(s, i, h)`,
        [sessions, ids, hashes],
      );
      await client.query(
        `INSERT INTO chat (id, subject, source, retention, owner_id)
         SELECT c, 'bench chat', 'STANDALONE', 'ARCHIVED', o FROM unnest($1::uuid[], $2::uuid[]) AS v(c, o)`,
        [chatIds, owners],
      );
      await client.query(
        `INSERT INTO audience_entry (chat_id, address, role)
         SELECT c, a, 'TO' FROM unnest($1::uuid[], $2::text[]) AS v(c, a)`,
        [memberChats, addresses],
      );
      await client.query(`INSERT INTO member (chat_id, identity_id, address) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`, [
        memberChats,
        ids,
        addresses,
      ]);
      await client.query('COMMIT');
    }
    return out;
  } finally {
    await client.end();
  }
}

export async function countMessages(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>('SELECT count(*) AS n FROM message');
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}

/** Every chat's seq must run 1..last_seq with no gap or duplicate; returns the chats that do not. */
export async function checkSeqIntegrity(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT c.id FROM chat c LEFT JOIN message m ON m.chat_id = c.id
          GROUP BY c.id, c.last_seq
         HAVING count(m.seq) <> c.last_seq OR coalesce(max(m.seq), 0) <> c.last_seq OR count(DISTINCT m.seq) <> count(m.seq)
       ) bad`,
    );
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}
