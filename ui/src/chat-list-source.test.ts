/**
 * The shared "My chats" source: readers close together share one request, a change makes the
 * next read ask again, a failure is not shared, and an answer is not reused past its window.
 */
import assert from 'node:assert/strict';
import type { ChatSummary } from '../../protocol/index.ts';
import { ChatListSource } from './chat-list-source.ts';

function counting(delayMs = 20) {
  const calls = { n: 0, fail: false };
  const fetch = async (): Promise<ChatSummary[]> => {
    const n = ++calls.n;
    const failing = calls.fail;
    await new Promise((r) => setTimeout(r, delayMs));
    if (failing) throw new Error('offline');
    return [{ id: `answer-${n}` } as ChatSummary];
  };
  return { calls, fetch };
}

describe('ChatListSource (one chat list for the page and its alerts)', () => {
  it('answers readers of the same burst with one request, in flight or done', async () => {
    const { calls, fetch } = counting();
    const source = new ChatListSource(fetch);
    const [a, b] = await Promise.all([source.read(), source.read()]);
    const c = await source.read();
    assert.equal(calls.n, 1);
    assert.deepEqual([a[0]?.id, b[0]?.id, c[0]?.id], ['answer-1', 'answer-1', 'answer-1']);
    // Each reader may sort its own copy without disturbing the others.
    assert.notEqual(a, b);
  });

  it('asks again after a change, once for all readers after it', async () => {
    const { calls, fetch } = counting();
    const source = new ChatListSource(fetch);
    await source.read();
    source.changed();
    const [a, b] = await Promise.all([source.read(), source.read()]);
    assert.equal(calls.n, 2);
    assert.equal(a[0]?.id, 'answer-2');
    assert.equal(b[0]?.id, 'answer-2');
  });

  it('does not hand out an answer asked before a change that came while it was in flight', async () => {
    const { calls, fetch } = counting();
    const source = new ChatListSource(fetch);
    const early = source.read();
    source.changed();
    const late = await source.read();
    assert.equal((await early)[0]?.id, 'answer-1');
    assert.equal(late[0]?.id, 'answer-2');
    assert.equal(calls.n, 2);
  });

  it('does not share a failure: the next reader asks again', async () => {
    const { calls, fetch } = counting();
    const source = new ChatListSource(fetch);
    calls.fail = true;
    await assert.rejects(source.read(), /offline/);
    calls.fail = false;
    assert.equal((await source.read())[0]?.id, 'answer-2');
  });

  it('asks again once the answer is older than its window, even without a change', async () => {
    const { calls, fetch } = counting(0);
    let now = 1_000;
    const source = new ChatListSource(fetch, 2_000, () => now);
    await source.read();
    now += 1_500;
    await source.read();
    assert.equal(calls.n, 1);
    now += 1_000;
    assert.equal((await source.read())[0]?.id, 'answer-2');
  });
});
