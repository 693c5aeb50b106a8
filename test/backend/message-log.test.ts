import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ArchivedMessageLog } from '../../backend/src/chats/archived-message-log.ts';
import { EphemeralMessageLog } from '../../backend/src/chats/ephemeral-message-log.ts';
import { EphemeralStore, type EphemeralLog } from '../../backend/src/chats/ephemeral-store.ts';
import { MessageLogs, retentionLasts, type LoggedChat, type MessageLog, type NewMessage } from '../../backend/src/chats/message-log.ts';
import { MessageWriter } from '../../backend/src/chats/message-writer.ts';
import { RedisEphemeralStore } from '../../backend/src/chats/redis-ephemeral-store.ts';
import { migrate } from '../../backend/src/db/migrator.ts';
import { AppError } from '../../backend/src/errors.ts';
import { createLogger } from '../../backend/src/log.ts';
import type { MessageView, Retention } from '../../protocol/index.ts';
import { rejection } from '../support/assertions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { waitUntil } from '../support/wait.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * One contract for every MessageLog: the PostgreSQL one (behind the real group-commit writer)
 * and the ephemeral one over each of its stores (memory, Redis). Callers never ask which log
 * they hold, so each case must hold for all three alike.
 */
describe('message log: one contract for archived and ephemeral chats', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let pool: pg.Pool;
  let alice: string, bob: string, carol: string;

  before(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 6 });
    await migrate(pool, createLogger('silent'));
    [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    await pool.query('INSERT INTO identity (id) SELECT unnest($1::uuid[])', [[alice, bob, carol]]);
  });
  after(async () => {
    await pool.end();
    await db.drop();
  });

  /** A chat of `retention` owned by alice, with alice and bob as members (carol is not one). */
  async function newChat(retention: Retention): Promise<string> {
    const id = randomUUID();
    await pool.query(`INSERT INTO chat (id, subject, source, retention, owner_id) VALUES ($1, 'log', 'EMAIL', $2, $3)`, [
      id,
      retention,
      alice,
    ]);
    await pool.query(
      `INSERT INTO member (chat_id, identity_id, address) VALUES ($1, $2, 'alice@example.com'), ($1, $3, 'bob@example.com')`,
      [id, alice, bob],
    );
    return id;
  }
  const logged = async (chatId: string): Promise<LoggedChat> => {
    const { rows } = await pool.query<{ last_seq: number }>('SELECT last_seq FROM chat WHERE id = $1', [chatId]);
    return { id: chatId, lastSeq: rows[0]!.last_seq };
  };
  const text = (chatId: string, clientId: string, authorId: string, body = clientId): NewMessage => ({
    chatId,
    clientId,
    authorId,
    authorAddress: authorId === alice ? 'alice@example.com' : 'bob@example.com',
    kind: 'TEXT',
    body,
  });
  const system = (chatId: string, body: string): NewMessage => ({
    chatId,
    clientId: `sys-${randomUUID()}`,
    authorId: null,
    authorAddress: null,
    kind: 'SYSTEM',
    body,
    trusted: true,
  });
  const post = async (log: MessageLog, m: NewMessage): Promise<MessageView> => (await log.append(m)).committed;
  const codeOf = async (p: Promise<unknown>) => (await rejection(p, AppError)).code;

  interface Subject {
    log: MessageLog;
    retention: Retention;
    announced: MessageView[];
    close(): Promise<void>;
  }
  const kinds: { name: string; make(): Subject }[] = [
    {
      name: 'archived (PostgreSQL, group-commit writer)',
      make() {
        const announced: MessageView[] = [];
        const writer = new MessageWriter(pool, (ms) => announced.push(...ms));
        return { log: new ArchivedMessageLog(pool, writer), retention: 'ARCHIVED', announced, close: () => writer.drain() };
      },
    },
    {
      name: 'ephemeral (memory store)',
      make() {
        const announced: MessageView[] = [];
        const store = new EphemeralStore(3_600_000);
        const log = new EphemeralMessageLog(store, pool, (m) => announced.push(m));
        return { log, retention: 'EPHEMERAL', announced, close: async () => store.close() };
      },
    },
    {
      name: 'ephemeral (Redis store)',
      make() {
        const announced: MessageView[] = [];
        const redis = new Redis(REDIS_URL);
        const prefix = `test-log-${randomBytes(4).toString('hex')}`;
        const store: EphemeralLog = new RedisEphemeralStore(redis, prefix, {
          ttlMs: 3_600_000,
          maxPerChat: 1000,
          maxBytesPerUser: 1 << 20,
          maxBytesTotal: 1 << 24,
        });
        const log = new EphemeralMessageLog(store, pool, (m) => announced.push(m));
        return {
          log,
          retention: 'EPHEMERAL',
          announced,
          async close() {
            store.close();
            const keys = await redis.keys(`${prefix}:*`);
            if (keys.length > 0) await redis.del(...keys);
            redis.disconnect();
          },
        };
      },
    },
  ];

  for (const kind of kinds) {
    describe(kind.name, () => {
      let s: Subject;
      beforeEach(() => (s = kind.make()));
      afterEach(async () => s.close());

      it('numbers messages 1, 2, 3 per chat, announces each fresh one once and answers a retry with its first result', async () => {
        const [one, two] = [await newChat(s.retention), await newChat(s.retention)];
        const a = await post(s.log, text(one, 'a', alice));
        const b = await post(s.log, text(one, 'b', bob));
        const other = await post(s.log, text(two, 'a', alice));
        assert.deepEqual([a.seq, b.seq, other.seq], [1, 2, 1]);
        const retry = await post(s.log, text(one, 'a', alice, 'retried body'));
        assert.deepEqual(retry, a, 'the first result, body and all');
        assert.equal(await codeOf(post(s.log, text(one, 'a', bob))), 'CONFLICT', "another author cannot reuse alice's client id");
        await waitUntil('fresh messages announced', () => s.announced.length >= 3, 5_000);
        assert.deepEqual(
          s.announced.map((m) => [m.chatId, m.seq]),
          [
            [one, 1],
            [one, 2],
            [two, 1],
          ],
        );
        assert.equal(await s.log.lastSeq(await logged(one)), 2);
      });

      it('keeps the posting rules: members only, nothing but notices after the end, no post to a missing chat', async () => {
        const chatId = await newChat(s.retention);
        assert.equal(await codeOf(post(s.log, { ...text(chatId, 'c', carol), authorAddress: 'carol@example.com' })), 'FORBIDDEN');
        assert.equal(await codeOf(post(s.log, text(randomUUID(), 'x', alice))), 'NOT_FOUND');
        // Domain-made messages are trusted: a quote carries an address but no member author.
        const quote = await post(s.log, { ...system(chatId, 'the email'), kind: 'QUOTE', authorAddress: 'someone@example.com' });
        assert.equal(quote.seq, 1);
        await post(s.log, text(chatId, 'before-end', bob));
        await pool.query('UPDATE chat SET ended_at = now() WHERE id = $1', [chatId]);
        await s.log.ended(chatId);
        assert.equal(await codeOf(post(s.log, text(chatId, 'after-end', bob))), 'CHAT_ENDED');
        const notice = await post(s.log, system(chatId, 'The chat was ended by its owner'));
        assert.equal(notice.seq, 3, 'the counter outlives what the log forgets');
        const kept = (await s.log.page(chatId, { after: 0, limit: 10 })).messages.map((m) => m.seq);
        assert.deepEqual(
          kept,
          retentionLasts(s.retention) ? [1, 2, 3] : [3],
          'a log that does not last forgets the messages of an ended chat',
        );
      });

      it('pages by seq both ways, tombstones once, and counts unread the one way', async () => {
        const chatId = await newChat(s.retention);
        await post(s.log, system(chatId, 'bob joined'));
        for (let i = 2; i <= 7; i++) await post(s.log, text(chatId, `m${i}`, i % 2 === 0 ? alice : bob));
        const older = await s.log.page(chatId, { before: 6, limit: 3 });
        assert.deepEqual(
          older.messages.map((m) => m.seq),
          [5, 4, 3],
        );
        assert.equal(older.hasMore, true);
        const newer = await s.log.page(chatId, { after: 4, limit: 3 });
        assert.deepEqual(
          newer.messages.map((m) => m.seq),
          [5, 6, 7],
        );
        assert.equal(newer.hasMore, false);

        // bob wrote 3, 5, 7; alice 2, 4, 6; the join notice (1) counts for nobody.
        const unread = async (who: string, after = 0) => (await s.log.unread(who, [{ chatId, lastReadSeq: after }])).get(chatId);
        assert.equal(await unread(alice), 3);
        assert.equal(await unread(bob), 3);
        assert.equal(await unread(alice, 5), 1);
        assert.equal(await s.log.tombstone(chatId, 7), true);
        assert.equal(await s.log.tombstone(chatId, 7), false, 'a second delete finds nothing to do');
        assert.equal(await s.log.tombstone(chatId, 99), false);
        const dead = await s.log.get(chatId, 7);
        assert.equal(dead?.deleted, true);
        assert.equal(dead?.body, '');
        assert.equal(await unread(alice), 2, 'a deleted message is not unread');
        assert.equal(await s.log.get(chatId, 99), undefined);
      });

      it('previews every chat of a list at once: its last seq and newest text or attachment, and how far it can be read', async () => {
        const [busy, quiet, empty] = [await newChat(s.retention), await newChat(s.retention), await newChat(s.retention)];
        await post(s.log, text(busy, 'x', alice, 'first'));
        await post(s.log, text(busy, 'y', bob, 'newest text'));
        await post(s.log, system(busy, 'carol@example.com was added'));
        await post(s.log, system(quiet, 'bob joined'));
        const previews = await s.log.previews([await logged(busy), await logged(quiet), await logged(empty)]);
        assert.equal(previews.get(busy)?.lastSeq, 3);
        assert.equal(previews.get(busy)?.lastSaid?.body, 'newest text', 'notices are not news');
        assert.deepEqual({ ...previews.get(quiet) }, { lastSeq: 1, lastSaid: null });
        assert.deepEqual({ ...previews.get(empty) }, { lastSeq: 0, lastSaid: null });
        // An attachment is said like a text: it is the newest thing said, whatever the log.
        const body = JSON.stringify({ mediaId: 'f'.repeat(64), name: 'q4.csv', category: 'FILE' });
        const filed = await newChat(s.retention);
        await post(s.log, text(filed, 'words', alice));
        await post(s.log, { ...text(filed, 'file', bob), kind: 'ATTACHMENT', body });
        const withFile = await s.log.previews([await logged(filed)]);
        assert.equal(withFile.get(filed)?.lastSaid?.kind, 'ATTACHMENT');
        assert.equal(withFile.get(filed)?.lastSaid?.body, body);
        for (const chatId of [busy, quiet]) {
          const chat = await logged(chatId);
          // null: the chat row's last_seq, which the read statement reads itself.
          assert.equal((await s.log.readCeiling(chatId)) ?? chat.lastSeq, previews.get(chatId)!.lastSeq);
        }
      });
    });
  }

  it('MessageLogs picks the log by retention, from the row or by id, and groups a list by log', async () => {
    const archived = kinds[0]!.make();
    const ephemeral = kinds[1]!.make();
    try {
      const logs = new MessageLogs({ ARCHIVED: archived.log, EPHEMERAL: ephemeral.log }, pool);
      const [kept, fleeting] = [await newChat('ARCHIVED'), await newChat('EPHEMERAL')];
      assert.equal(logs.of({ retention: 'ARCHIVED' }), archived.log);
      assert.equal(logs.of({ retention: 'EPHEMERAL' }), ephemeral.log);
      assert.equal(await logs.forChat(kept), archived.log);
      assert.equal(await logs.forChat(fleeting), ephemeral.log);
      assert.equal(await codeOf(logs.forChat(randomUUID())), 'NOT_FOUND');
      const grouped = logs.grouped([
        { id: 'a', retention: 'ARCHIVED' as const },
        { id: 'e', retention: 'EPHEMERAL' as const },
        { id: 'b', retention: 'ARCHIVED' as const },
      ]);
      assert.deepEqual(
        grouped.map(([log, chats]) => [log === archived.log ? 'archived' : 'ephemeral', chats.map((c) => c.id)]),
        [
          ['archived', ['a', 'b']],
          ['ephemeral', ['e']],
        ],
      );
    } finally {
      await archived.close();
      await ephemeral.close();
    }
  });

  describe("the archived writer's race fallback", () => {
    it('two writers on two pools committing one client id: the loser reruns the statement after the lock and answers as the normal path does', async () => {
      const chatId = await newChat('ARCHIVED');
      const pools = [new pg.Pool({ connectionString: db.url, max: 2 }), new pg.Pool({ connectionString: db.url, max: 2 })];
      const announced: MessageView[] = [];
      const writers = pools.map((p) => new MessageWriter(p, (ms) => announced.push(...ms)));
      const holder = await pool.connect();
      try {
        // A third session holds the chat lock, so both writers' statements start (and take their
        // snapshots) before either can commit: whichever locks second cannot see the other's row.
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM chat WHERE id = $1 FOR UPDATE', [chatId]);
        const sent = writers.map((w) => w.append(text(chatId, 'same', alice, 'hello')));
        await waitUntil(
          'both writers wait for the chat lock',
          async () =>
            (
              await pool.query<{ n: number }>(
                `SELECT count(*)::int AS n FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH input AS%'`,
              )
            ).rows[0]!.n >= 2,
          10_000,
          20,
        );
        await holder.query('COMMIT');
        const [first, second] = [await sent[0]!, await sent[1]!];
        assert.deepEqual(second, first, 'both senders get the one stored message');
        assert.equal(writers[0]!.stats.raced + writers[1]!.stats.raced, 1, 'exactly one writer took the race path');
        assert.equal(announced.length, 1, 'announced once, by the writer that stored it');

        // The normal path (a later retry, no race) gives the same answer, and numbering goes on after it.
        const loser = writers.find((w) => w.stats.raced === 1)!;
        assert.deepEqual(await loser.append(text(chatId, 'same', alice, 'hello')), first);
        assert.equal(await codeOf(loser.append(text(chatId, 'same', bob))), 'CONFLICT');
        const next = await loser.append(text(chatId, 'next', bob));
        assert.equal(next.seq, first.seq + 1);
        const stored = await pool.query<{ n: number; last_seq: number }>(
          `SELECT (SELECT count(*)::int FROM message WHERE chat_id = $1) AS n, (SELECT last_seq FROM chat WHERE id = $1) AS last_seq`,
          [chatId],
        );
        assert.deepEqual({ ...stored.rows[0] }, { n: 2, last_seq: next.seq });
      } finally {
        holder.release();
        for (const w of writers) await w.drain();
        for (const p of pools) await p.end();
      }
    });
  });
});
