import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { EphemeralStore, footprint, type EphemeralLimits, type EphemeralLog } from '../../backend/src/chats/ephemeral-store.ts';
import { RedisEphemeralStore } from '../../backend/src/chats/redis-ephemeral-store.ts';
import { waitUntil } from '../support/wait.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const msg = (clientId: string, body = clientId, over: { chatId?: string; authorId?: string | null; trusted?: boolean } = {}) => ({
  chatId: over.chatId ?? 'c1',
  clientId,
  authorId: over.authorId === undefined ? 'a1' : over.authorId,
  authorAddress: 'a@example.com',
  kind: 'TEXT' as const,
  body,
  trusted: over.trusted,
});

const bodies = async (store: EphemeralLog, chatId = 'c1') =>
  (await store.page(chatId, { after: 0, limit: 100 })).messages.map((m) => m.body);

/** The same contract for the in-memory store (one process) and the Redis store (several). */
const kinds: {
  name: string;
  make(
    limits: Partial<EphemeralLimits> & { ttlMs: number },
  ): Promise<{ store: EphemeralLog; held(author?: string): Promise<number>; close(): Promise<void> }>;
}[] = [
  {
    name: 'memory',
    async make(limits) {
      const store = new EphemeralStore(limits.ttlMs, limits.maxPerChat, limits);
      return { store, held: async (a) => store.heldBytes(a), close: async () => store.close() };
    },
  },
  {
    name: 'redis',
    async make(limits) {
      const redis = new Redis(REDIS_URL);
      const prefix = `test-eph-${randomBytes(4).toString('hex')}`;
      const store = new RedisEphemeralStore(redis, prefix, {
        maxPerChat: 1000,
        maxBytesPerUser: 1 << 30,
        maxBytesTotal: 1 << 30,
        ...limits,
      });
      return {
        store,
        held: (a) => store.heldBytes(a),
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
  describe(`ephemeral store (${kind.name}): bounded, expiring, one order`, function () {
    it('numbers messages per chat and answers retries with the first result', async () => {
      const { store, close } = await kind.make({ ttlMs: 60_000 });
      try {
        assert.equal((await store.append(msg('x'))).view.seq, 1);
        assert.equal((await store.append(msg('y'))).view.seq, 2);
        const retry = await store.append(msg('x', 'different body'));
        assert.equal(retry.fresh, false);
        assert.equal(retry.view.body, 'x');
        await assert.rejects(store.append(msg('x', 'x', { authorId: 'someone-else' })), /already used/);
        assert.equal(await store.lastSeq('c1'), 2);
        assert.equal((await store.get('c1', 2))?.body, 'y');
        assert.equal(await store.unreadFor('c1', 0, 'reader'), 2);
        assert.equal((await store.lastSaid('c1'))?.body, 'y');
        await store.tombstone('c1', 2);
        assert.equal((await store.get('c1', 2))?.deleted, true);
        assert.equal(await store.unreadFor('c1', 0, 'reader'), 1);
        const newestFirst = await store.page('c1', { before: 3, limit: 1 });
        assert.deepEqual([newestFirst.messages.map((m) => m.seq), newestFirst.hasMore], [[2], true]);
      } finally {
        await close();
      }
    });

    it('stores any string a trusted path hands it (a lone surrogate becomes U+FFFD) and counts its UTF-8 bytes', async () => {
      const { store, held, close } = await kind.make({ ttlMs: 60_000 });
      try {
        const { view } = await store.append(msg('odd', 'x\ud800y é', { authorId: 'a9' }));
        assert.match((await store.get('c1', view.seq))!.body, /^x(\ud800|\ufffd)y é$/);
        assert.equal(await held('a9'), footprint('x\ufffdy é'));
      } finally {
        await close();
      }
    });

    it('keeps at most the per-chat cap, dropping the oldest', async () => {
      const { store, held, close } = await kind.make({ ttlMs: 60_000, maxPerChat: 3 });
      try {
        for (const id of ['a', 'b', 'c', 'd']) await store.append(msg(id));
        assert.deepEqual(await bodies(store), ['b', 'c', 'd']);
        assert.equal(await store.lastSeq('c1'), 4, 'seq keeps counting');
        assert.equal(await held('a1'), 3 * footprint('b'), 'the dropped message no longer counts');
      } finally {
        await close();
      }
    });

    it('forgets messages older than the TTL, and what they held', async () => {
      const { store, held, close } = await kind.make({ ttlMs: 50 });
      try {
        await store.append(msg('old'));
        // Wait for the sweeper (no timing assertion: poll until the condition holds).
        await waitUntil('the sweeper dropped the expired message', async () => (await bodies(store)).length === 0, 5_000, 10);
        assert.equal(await held(), 0);
        await store.append(msg('new'));
        assert.deepEqual(await bodies(store), ['new']);
      } finally {
        await close();
      }
    });

    it('drops everything when the chat ends; the end notice still takes the next seq', async () => {
      const { store, held, close } = await kind.make({ ttlMs: 60_000 });
      try {
        await store.append(msg('a'));
        await store.drop('c1');
        assert.equal((await store.page('c1', { limit: 10 })).messages.length, 0);
        assert.equal(await held(), 0);
        assert.equal((await store.append(msg('end', 'ended', { authorId: null, trusted: true }))).view.seq, 2);
      } finally {
        await close();
      }
    });

    it('refuses a member over the per-user cap across chats, and everyone over the global cap, with QUOTA_EXCEEDED', async () => {
      const body = 'm'.repeat(800);
      const { store, held, close } = await kind.make({
        ttlMs: 60_000,
        maxBytesPerUser: footprint(body) * 3,
        maxBytesTotal: footprint(body) * 6 + 300,
      });
      try {
        await store.append(msg('1', body, { chatId: 'c1' }));
        await store.append(msg('2', body, { chatId: 'c2' }));
        await store.append(msg('3', body, { chatId: 'c3' }));
        await assert.rejects(store.append(msg('4', body, { chatId: 'c4' })), (e: { code?: string; details?: { scope?: string } }) => {
          assert.equal(e.code, 'QUOTA_EXCEEDED');
          assert.equal(e.details?.scope, 'user');
          return true;
        });
        // A retry of a stored message is not new memory: it still gets its first result.
        assert.equal((await store.append(msg('1', body, { chatId: 'c1' }))).fresh, false);
        // Another member is not affected by the first one's cap...
        for (const id of ['5', '6', '7']) await store.append(msg(id, body, { chatId: 'c5', authorId: 'a2' }));
        // ...until the whole store is full.
        await assert.rejects(
          store.append(msg('8', body, { chatId: 'c5', authorId: 'a3' })),
          (e: { code?: string; details?: { scope?: string } }) => {
            assert.equal(e.code, 'QUOTA_EXCEEDED');
            assert.equal(e.details?.scope, 'server');
            return true;
          },
        );
        // Domain notices (joins, the end of a chat) are never refused.
        assert.equal((await store.append(msg('sys', 'x joined', { chatId: 'c5', authorId: null, trusted: true }))).fresh, true);
        // Ending a chat frees its messages for their authors.
        await store.drop('c2');
        assert.equal(await held('a1'), footprint(body) * 2);
        assert.equal((await store.append(msg('4', body, { chatId: 'c4' }))).view.seq, 1);
      } finally {
        await close();
      }
    });
  });
}
