/**
 * "Reply with IM" on a received email without a panel: both clients start the same chat for the
 * same email. The server returns the existing chat for a draft key its owner used before, so one
 * key format for every client means one chat per email, whichever client the owner clicks in.
 */
import { LIMITS } from '../protocol/limits.ts';

/**
 * The draft key of an email's "Reply with IM" chat: its Message-ID without the angle brackets
 * (Outlook reports them, Thunderbird does not). An email without one (a draft opened in read
 * mode) falls back to the client's own id for it, which only that client knows.
 */
export function replyDraftKey(messageId: string | null | undefined, clientItemId?: string | null): string | null {
  const id = (messageId ?? '')
    .trim()
    .replace(/^<([^>]*)>$/, '$1')
    .trim();
  if (id) return `reply:${id}`.slice(0, LIMITS.draftKeyChars);
  const item = (clientItemId ?? '').trim();
  return item ? `reply-item:${item}`.slice(0, LIMITS.draftKeyChars) : null;
}

const SHORTENED = '\n[… quote shortened]';

/** The email's text as the chat's first entry: line ends unified, and cut with a marker when too long. */
export function replyQuote(text: string): string {
  const clean = text.replace(/\r\n?/g, '\n').trim();
  if (clean.length <= LIMITS.quoteChars) return clean;
  return clean.slice(0, LIMITS.quoteChars - SHORTENED.length).trimEnd() + SHORTENED;
}
