import assert from 'node:assert/strict';
import { EphemeralStore } from '../../backend/src/chats/ephemeral-store.ts';

const msg = (clientId: string, body = clientId) => ({
  chatId: 'c1',
  clientId,
  authorId: 'a1',
  authorAddress: 'a@example.com',
  kind: 'TEXT' as const,
  body,
});

describe('ephemeral store: memory only, bounded, expiring', function () {
  it('numbers messages per chat and answers retries with the first result', () => {
    const store = new EphemeralStore(60_000);
    try {
      assert.equal(store.append(msg('x')).view.seq, 1);
      assert.equal(store.append(msg('y')).view.seq, 2);
      const retry = store.append(msg('x', 'different body'));
      assert.equal(retry.fresh, false);
      assert.equal(retry.view.body, 'x');
      assert.throws(() => store.append({ ...msg('x'), authorId: 'someone-else' }), /already used/);
    } finally {
      store.close();
    }
  });

  it('keeps at most the per-chat cap, dropping the oldest', () => {
    const store = new EphemeralStore(60_000, 3);
    try {
      for (const id of ['a', 'b', 'c', 'd']) store.append(msg(id));
      const page = store.page('c1', { after: 0, limit: 10 });
      assert.deepEqual(page.messages.map((m) => m.body), ['b', 'c', 'd']);
      assert.equal(store.lastSeq('c1'), 4, 'seq keeps counting');
    } finally {
      store.close();
    }
  });

  it('forgets messages older than the TTL', async () => {
    const store = new EphemeralStore(30);
    try {
      store.append(msg('old'));
      // Wait for the sweeper (no timing assertion: poll until the condition holds).
      while (store.page('c1', { after: 0, limit: 10 }).messages.length > 0) await new Promise((r) => setTimeout(r, 10));
      store.append(msg('new'));
      assert.deepEqual(store.page('c1', { after: 0, limit: 10 }).messages.map((m) => m.body), ['new']);
    } finally {
      store.close();
    }
  });

  it('drops everything when the chat ends', () => {
    const store = new EphemeralStore(60_000);
    try {
      store.append(msg('a'));
      store.drop('c1');
      assert.equal(store.page('c1', { limit: 10 }).messages.length, 0);
    } finally {
      store.close();
    }
  });
});
