import assert from 'node:assert/strict';
import { PRESENT_RECHECK_MIN_MS, decideNotify, type NotifyFacts } from '../../backend/src/email-bridge/decide.ts';

/** The notification rule alone, without a database: settings, presence, read position, now. */
describe('decideNotify', function () {
  const now = Date.parse('2026-11-29T03:00:00Z');
  const facts = (f: Partial<NotifyFacts> = {}): NotifyFacts => ({
    member: true,
    emailNotify: true,
    lasting: true,
    dnd: null,
    lastSeq: 10,
    readSeq: 4,
    emailedSeq: 6,
    awaySince: new Date(now - 120_000),
    now,
    offlineDelayMs: 60_000,
    ...f,
  });

  it('sends what is unread and unemailed once the member has been away for the delay', () => {
    assert.deepEqual(decideNotify(facts()), { action: 'send', mode: 'new', remindInMinutes: null });
  });

  it('skips members who left, turned emails off, ephemeral chats and do-not-disturb digests', () => {
    assert.equal(decideNotify(facts({ member: false })).action, 'skip');
    assert.equal(decideNotify(facts({ emailNotify: false })).action, 'skip');
    assert.deepEqual(decideNotify(facts({ lasting: false })), { action: 'skip', reason: 'not-lasting' });
    assert.deepEqual(decideNotify(facts({ dnd: { mode: 'DIGEST', since: null, resendMinutes: 60 } })), {
      action: 'skip',
      reason: 'digest-later',
    });
  });

  it('skips when everything was read or already emailed', () => {
    assert.deepEqual(decideNotify(facts({ readSeq: 10 })), { action: 'skip', reason: 'nothing-unread' });
    assert.deepEqual(decideNotify(facts({ emailedSeq: 10 })), { action: 'skip', reason: 'nothing-unread' });
  });

  it('defers while a visible client is open, never more often than the minimum recheck', () => {
    assert.deepEqual(decideNotify(facts({ awaySince: null })), { action: 'retry', inMs: 60_000, reason: 'present' });
    assert.deepEqual(decideNotify(facts({ awaySince: null, offlineDelayMs: 0 })), {
      action: 'retry',
      inMs: PRESENT_RECHECK_MIN_MS,
      reason: 'present',
    });
  });

  it('waits out the rest of the offline delay after the member went away', () => {
    assert.deepEqual(decideNotify(facts({ awaySince: new Date(now - 45_000) })), {
      action: 'retry',
      inMs: 15_000,
      reason: 'away-too-briefly',
    });
    assert.equal(decideNotify(facts({ awaySince: new Date(0) })).action, 'send');
  });

  it('do not disturb (re-send): held for the interval from when it began, then the unread go out with reminders', () => {
    const dnd = { mode: 'RESEND' as const, since: new Date(now - 10 * 60_000), resendMinutes: 30 };
    assert.deepEqual(decideNotify(facts({ dnd })), { action: 'retry', inMs: 20 * 60_000, reason: 'do-not-disturb' });
    const due = { ...dnd, since: new Date(now - 31 * 60_000) };
    // Already emailed but unread still counts for re-sends.
    assert.deepEqual(decideNotify(facts({ dnd: due, emailedSeq: 10 })), { action: 'send', mode: 'unread', remindInMinutes: 30 });
    assert.equal(decideNotify(facts({ dnd: due, readSeq: 10 })).action, 'skip');
  });
});
