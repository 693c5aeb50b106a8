/**
 * The panel's reorder window: live events committed through different server nodes can
 * arrive out of seq order; only a hole that stays open is a lost event worth a re-join.
 * Uses the panel's own condition (a hole before the highest seq in its Transcript).
 */
import assert from 'node:assert/strict';
import type { MessageView } from '../../protocol/index.ts';
import { GapWatch, REORDER_WINDOW_MS } from '../../ui/src/chat-panel/gap-watch.ts';
import { Transcript } from '../../ui/src/chat-panel/transcript.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msg = (seq: number) =>
  ({
    chatId: 'c',
    seq,
    clientId: `c${seq}`,
    authorId: 'a',
    authorAddress: 'a@example.com',
    kind: 'TEXT',
    body: `m${seq}`,
    targetSeq: null,
    createdAt: new Date().toISOString(),
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
  }) as MessageView;

function panelLike() {
  const transcript = new Transcript();
  let rejoins = 0;
  const gaps = new GapWatch(
    () => transcript.size > 0 && transcript.resumeSeq < transcript.lastSeq,
    () => rejoins++,
  );
  return {
    live(seq: number) {
      transcript.merge([msg(seq)]);
      gaps.check();
    },
    rejoins: () => rejoins,
    stop: () => gaps.stop(),
  };
}

describe('chat panel reorder window', () => {
  it('does not re-join when a later seq arrives a moment before an earlier one', async () => {
    const p = panelLike();
    for (const seq of [1, 2, 4, 3, 6, 5, 7]) {
      p.live(seq);
      await sleep(20);
    }
    await sleep(REORDER_WINDOW_MS + 100);
    assert.equal(p.rejoins(), 0);
    p.stop();
  });

  it('re-joins once, after the window, when a seq really went missing', async () => {
    const p = panelLike();
    for (const seq of [1, 2, 4, 5, 6]) p.live(seq);
    assert.equal(p.rejoins(), 0, 'not at once: it may still arrive');
    await sleep(REORDER_WINDOW_MS + 100);
    assert.equal(p.rejoins(), 1, 'one re-join for the hole, not one per message after it');
    p.stop();
  });
});
