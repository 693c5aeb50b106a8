/**
 * Whether a member is emailed about a chat now, later or not at all: the whole rule, as a
 * pure function of their settings, presence, read position and the clock, so it is tested
 * without a database (test/bridge/decide.test.ts). The notifier gathers the facts and acts;
 * its transaction re-checks "is anything still unsent" under a lock, since facts age.
 *
 * The rule, as messengers put it: "email me what I have not read within N minutes of being
 * away". Present means a visible client (presence.ts); a hidden tab or a background page is
 * away. Being present does not cancel the email, it defers it: if they leave without
 * reading, the email goes out once they have been away for the offline delay.
 */

export interface NotifyFacts {
  /** False when they are no longer a member. */
  member: boolean;
  emailNotify: boolean;
  /** Whether the chat's messages are kept (MessageLog.lasting): a chat that keeps no record never goes out by email. */
  lasting: boolean;
  dnd: { mode: 'RESEND' | 'DIGEST'; since: Date | null; resendMinutes: number } | null;
  lastSeq: number;
  readSeq: number;
  emailedSeq: number;
  /** null = present now (a visible client); else since when they have had none. */
  awaySince: Date | null;
  now: number;
  offlineDelayMs: number;
}

export type NotifyDecision =
  | { action: 'skip'; reason: 'not-member' | 'emails-off' | 'not-lasting' | 'digest-later' | 'nothing-unread' }
  | { action: 'retry'; inMs: number; reason: 'present' | 'away-too-briefly' | 'do-not-disturb' }
  /** remindInMinutes: do-not-disturb re-sends follow this often until read (null: no reminders). */
  | { action: 'send'; mode: 'new' | 'unread'; remindInMinutes: number | null };

/** A present member is looked at again this often at the least, even with a zero offline delay. */
export const PRESENT_RECHECK_MIN_MS = 1_000;

export function decideNotify(f: NotifyFacts): NotifyDecision {
  if (!f.member) return { action: 'skip', reason: 'not-member' };
  if (!f.emailNotify) return { action: 'skip', reason: 'emails-off' };
  if (!f.lasting) return { action: 'skip', reason: 'not-lasting' };
  if (f.dnd?.mode === 'DIGEST') return { action: 'skip', reason: 'digest-later' };
  const resend = f.dnd?.mode === 'RESEND';
  // RESEND repeats what is unread; otherwise only what no email carried yet.
  const base = resend ? f.readSeq : Math.max(f.readSeq, f.emailedSeq);
  if (f.lastSeq <= base) return { action: 'skip', reason: 'nothing-unread' };
  if (f.awaySince === null) return { action: 'retry', inMs: Math.max(f.offlineDelayMs, PRESENT_RECHECK_MIN_MS), reason: 'present' };
  const waited = f.now - f.awaySince.getTime();
  if (waited < f.offlineDelayMs) return { action: 'retry', inMs: f.offlineDelayMs - waited, reason: 'away-too-briefly' };
  if (resend && f.dnd) {
    // Held for the first resend interval of do-not-disturb; from then on reminders repeat until read.
    const wait = (f.dnd.since?.getTime() ?? f.now) + f.dnd.resendMinutes * 60_000 - f.now;
    if (wait > 0) return { action: 'retry', inMs: wait, reason: 'do-not-disturb' };
    return { action: 'send', mode: 'unread', remindInMinutes: f.dnd.resendMinutes };
  }
  return { action: 'send', mode: 'new', remindInMinutes: null };
}
