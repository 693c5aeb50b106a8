/** Senders' receipts in the chat panel: a message's state from the other members' positions. */
import assert from 'node:assert/strict';
import { Receipts, statusFor } from '../../ui/src/chat-panel/receipts.ts';

const CHAT = '11111111-1111-4111-8111-111111111111';

describe('chat panel receipts', () => {
  it('follows read > emailed > delivered > sent for one recipient', () => {
    const p = { deliveredSeq: 3, emailedSeq: 5, readSeq: 2 };
    assert.equal(statusFor(p, 2), 'read');
    assert.equal(statusFor(p, 3), 'emailed');
    assert.equal(statusFor(p, 5), 'emailed');
    assert.equal(statusFor({ deliveredSeq: 6, emailedSeq: 0, readSeq: 0 }, 6), 'delivered');
    assert.equal(statusFor(p, 6), 'sent');
  });

  it('shows the furthest any other member got, ignores my own positions, and names each person', () => {
    const r = new Receipts();
    r.load({
      chatId: CHAT,
      members: [
        { identityId: 'me', address: 'me@example.com', deliveredSeq: 9, emailedSeq: 0, readSeq: 9 },
        { identityId: 'bob', address: 'bob@example.com', deliveredSeq: 0, emailedSeq: 4, readSeq: 0 },
        { identityId: 'cat', address: 'cat@example.com', deliveredSeq: 2, emailedSeq: 0, readSeq: 0 },
      ],
    });
    assert.deepEqual(r.stateOf(4, 'me'), { status: 'emailed', detail: 'bob@example.com: emailed; cat@example.com: sent' });
    assert.equal(r.stateOf(5, 'me').status, 'sent', 'my own read position does not count');
    assert.equal(r.read({ chatId: CHAT, identityId: 'cat', seq: 5 }), true);
    assert.equal(r.stateOf(5, 'me').status, 'read');
    assert.equal(r.read({ chatId: CHAT, identityId: 'cat', seq: 4 }), false, 'positions never move back');
  });

  it('takes live events for members it has not loaded, and a later load never moves positions back', () => {
    const r = new Receipts();
    assert.equal(r.delivery({ chatId: CHAT, identityId: 'dan', deliveredSeq: 7, emailedSeq: 0 }), true);
    assert.equal(r.delivery({ chatId: CHAT, identityId: 'dan', deliveredSeq: 7, emailedSeq: 0 }), false);
    r.load({ chatId: CHAT, members: [{ identityId: 'dan', address: 'dan@example.com', deliveredSeq: 3, emailedSeq: 0, readSeq: 0 }] });
    assert.deepEqual(r.stateOf(7, 'me'), { status: 'delivered', detail: 'dan@example.com: delivered' });
    assert.deepEqual(r.stateOf(1, 'nobody-else'), { status: 'delivered', detail: 'dan@example.com: delivered' });
    assert.deepEqual(new Receipts().stateOf(1, 'me'), { status: 'sent', detail: '' }, 'nobody else in the chat yet');
  });
});
