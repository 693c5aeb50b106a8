/** The chat panel's history model: de-duplication and ordering by seq, tombstones, resume point. */
import assert from 'node:assert/strict';
import type { MessageView } from '../../protocol/index.ts';
import { Transcript } from '../../ui/src/chat-panel/transcript.ts';

const CHAT = '5b6f1c1e-4f55-4c1e-9a55-3c1e2f6b7a10';
const ME = 'me-identity';

function msg(seq: number, extra: Partial<MessageView> = {}): MessageView {
  return {
    chatId: CHAT,
    seq,
    clientId: `c${seq}`,
    authorId: 'other',
    authorAddress: 'other@example.com',
    kind: 'TEXT',
    body: `message ${seq}`,
    targetSeq: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
    ...extra,
  };
}

describe('chat panel transcript', () => {
  it('keeps each seq once and in order, whatever order and how often messages arrive', () => {
    const t = new Transcript();
    assert.deepEqual(
      t.merge([msg(3), msg(1)]).added.map((m) => m.seq),
      [1, 3],
    );
    // A live event, then the same messages again from a catch-up, then a send acknowledgement.
    assert.deepEqual(
      t.merge([msg(2)]).added.map((m) => m.seq),
      [2],
    );
    assert.deepEqual(
      t.merge([msg(1), msg(2), msg(3), msg(4)]).added.map((m) => m.seq),
      [4],
    );
    assert.deepEqual(t.merge([msg(4)]).added, []);
    assert.deepEqual(
      t.visible().map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.equal(t.lastSeq, 4);
  });

  it('resumes from the end of the unbroken run, so a gap is fetched again', () => {
    const t = new Transcript();
    assert.equal(t.resumeSeq, 0);
    t.merge([msg(5), msg(6), msg(7), msg(9)]);
    assert.equal(t.firstSeq, 5);
    assert.equal(t.resumeSeq, 7);
    t.merge([msg(8)]);
    assert.equal(t.resumeSeq, 9);
  });

  it('turns a deleted message into a tombstone and hides the deletion event itself', () => {
    const t = new Transcript();
    t.merge([msg(1, { authorId: ME }), msg(2)]);
    const r = t.merge([msg(3, { kind: 'DELETION', targetSeq: 1, body: '', authorId: ME })]);
    assert.deepEqual(r.added, []);
    assert.deepEqual(r.changed, [1]);
    assert.equal(t.get(1)!.deleted, true);
    assert.equal(t.get(1)!.body, '');
    assert.deepEqual(
      t.visible().map((m) => m.seq),
      [1, 2],
    );
    assert.equal(t.resumeSeq, 3, 'the deletion still counts for resync');
  });

  it('applies a deletion seen before the deleted message was loaded (older history paged in later)', () => {
    const t = new Transcript();
    t.merge([msg(10, { kind: 'DELETION', targetSeq: 4, body: '' })]);
    const r = t.merge([msg(4)]);
    assert.equal(r.added[0]!.deleted, true);
    assert.equal(r.added[0]!.body, '');
  });

  it('applies an edit to the loaded message, hides the EDIT event and never lets an older edit undo a newer one', () => {
    const t = new Transcript();
    t.merge([msg(1, { authorId: ME }), msg(2)]);
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 1, s)).toISOString();
    const r = t.merge([msg(3, { kind: 'EDIT', targetSeq: 1, body: 'v2', authorId: ME, createdAt: at(3) })]);
    assert.deepEqual(r.added, []);
    assert.deepEqual(r.changed, [1]);
    assert.equal(t.get(1)!.body, 'v2');
    assert.equal(t.get(1)!.editedAt, at(3));
    // The newer edit arrives first (live), the older one later (a catch-up overlapping it).
    t.merge([msg(5, { kind: 'EDIT', targetSeq: 1, body: 'v3', authorId: ME, createdAt: at(5) })]);
    const stale = t.merge([msg(4, { kind: 'EDIT', targetSeq: 1, body: 'stale', authorId: ME, createdAt: at(4) })]);
    assert.deepEqual(stale.changed, []);
    assert.equal(t.get(1)!.body, 'v3');
    assert.deepEqual(
      t.visible().map((m) => m.seq),
      [1, 2],
    );
    assert.equal(t.resumeSeq, 5, 'edits count for resync');
    assert.equal(t.unreadAfter(0, ME), 1, 'an edit is not unread text');
  });

  it('keeps a deleted message deleted whatever edit arrives, and takes a refetched newer text', () => {
    const t = new Transcript();
    t.merge([msg(1), msg(2, { kind: 'DELETION', targetSeq: 1, body: '' })]);
    assert.deepEqual(t.merge([msg(3, { kind: 'EDIT', targetSeq: 1, body: 'late' })]).changed, []);
    assert.equal(t.get(1)!.body, '');
    t.merge([msg(4)]);
    const later = new Date(Date.UTC(2026, 0, 2)).toISOString();
    const r = t.merge([msg(4, { body: 'edited elsewhere', editedAt: later })]);
    assert.deepEqual(r.changed, [4]);
    assert.equal(t.get(4)!.body, 'edited elsewhere');
  });

  it('follows live reaction changes once each, and a rejoin refresh replaces what it covers', () => {
    const t = new Transcript();
    t.merge([msg(1), msg(2), msg(3)]);
    const notice = { chatId: CHAT, seq: 2, emoji: '👍', identityId: 'ann', on: true };
    assert.equal(t.applyReaction(notice), true);
    assert.equal(t.applyReaction(notice), false, 'the same change twice changes nothing');
    assert.equal(t.applyReaction({ ...notice, identityId: ME }), true);
    assert.deepEqual(t.get(2)!.reactions, [{ emoji: '👍', members: ['ann', ME] }]);
    assert.equal(t.applyReaction({ ...notice, on: false }), true);
    assert.equal(t.applyReaction({ ...notice, seq: 9 }), false, 'a message not loaded comes later with its reactions');
    assert.deepEqual(t.get(2)!.reactions, [{ emoji: '👍', members: [ME] }]);
    assert.equal(t.applyReaction({ ...notice, identityId: ME, on: false }), true);
    assert.deepEqual(t.get(2)!.reactions, [], 'an emoji nobody has left goes away');

    t.applyReaction({ ...notice, seq: 1 });
    t.applyReaction({ ...notice, seq: 3 });
    const changed = t.refreshReactions(2, 3, [{ seq: 2, reactions: [{ emoji: '🎉', members: ['bo'] }] }]);
    assert.deepEqual(changed, [2, 3]);
    assert.deepEqual(t.get(2)!.reactions, [{ emoji: '🎉', members: ['bo'] }]);
    assert.deepEqual(t.get(3)!.reactions, [], 'not listed: none');
    assert.deepEqual(t.get(1)!.reactions, [{ emoji: '👍', members: ['ann'] }], 'outside the range: kept');
  });

  it('a deleted message loses its reactions', () => {
    const t = new Transcript();
    t.merge([msg(1, { reactions: [{ emoji: '👍', members: ['ann'] }] })]);
    t.merge([msg(2, { kind: 'DELETION', targetSeq: 1, body: '' })]);
    assert.deepEqual(t.get(1)!.reactions, []);
    assert.equal(t.applyReaction({ chatId: CHAT, seq: 1, emoji: '👍', identityId: 'ann', on: true }), false);
  });

  it('counts unread text from others only', () => {
    const t = new Transcript();
    t.merge([
      msg(1),
      msg(2, { authorId: ME }),
      msg(3, { kind: 'SYSTEM', authorId: null, authorAddress: null }),
      msg(4),
      msg(5, { deleted: true, body: '' }),
    ]);
    assert.equal(t.unreadAfter(0, ME), 2);
    assert.equal(t.unreadAfter(1, ME), 1);
    assert.equal(t.unreadAfter(4, ME), 0);
  });

  it('takes a translation live, before or after its message, never onto a tombstone, and forgets them all on a language change', () => {
    const es = { language: 'es', from: 'en', body: 'mensaje' };
    const t = new Transcript();
    t.merge([msg(1), msg(2)]);
    assert.equal(t.translate(1, es), true);
    assert.deepEqual(t.get(1)!.translation, es);
    assert.equal(t.get(1)!.body, 'message 1', 'the original stays');
    assert.equal(t.translate(1, es), false, 'the same translation again changes nothing');
    // Arrives before its message (the live event raced the join's answer).
    assert.equal(t.translate(3, es), false);
    assert.deepEqual(t.merge([msg(3)]).added[0]!.translation, es);
    // A history page carrying a translation updates a loaded message.
    assert.deepEqual(t.merge([msg(2, { translation: es })]).changed, [2]);
    // A deleted message keeps no words in any language.
    t.merge([msg(4, { kind: 'DELETION', targetSeq: 1, body: '' })]);
    assert.equal(t.get(1)!.translation, undefined);
    assert.equal(t.translate(1, es), false);
    assert.deepEqual(t.clearTranslations(), [2, 3]);
    assert.equal(t.get(2)!.translation, undefined);
  });
});
