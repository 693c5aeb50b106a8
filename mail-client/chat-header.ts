/**
 * The email header that names a sent email's chat. Both clients set it on the emails they send
 * and the server sets it on the emails it sends, so a reader finds the chat even when the body's
 * link was rewritten (Safe Links, forwarding) or the panel was cut from a quote.
 */
import { isUuid } from '../protocol/patterns.ts';

/** Thunderbird only allows custom headers starting with `X-`. */
export const CHAT_HEADER = 'X-Inbox-Chat';

/**
 * What readers accept: the server's emails said `X-Inbox-Chat-Id` before the name was unified,
 * and those emails still sit in people's mailboxes.
 */
const ACCEPTED_HEADERS = [CHAT_HEADER, 'X-Inbox-Chat-Id'] as const;

/** The chat id in a header value, lower-cased; null for anything that is not one UUID. */
export function chatIdFromHeaderValue(value: string | null | undefined): string | null {
  const v = value?.trim() ?? '';
  return isUuid(v) ? v.toLowerCase() : null;
}

/** The chat named by a raw header block (`Name: value` lines, as Outlook's getAllInternetHeadersAsync gives). */
export function chatIdFromHeaderBlock(raw: string): string | null {
  for (const name of ACCEPTED_HEADERS) {
    const line = new RegExp(`^${name}:[ \\t]*([^\\r\\n]*)`, 'im').exec(raw);
    const id = chatIdFromHeaderValue(line?.[1]);
    if (id) return id;
  }
  return null;
}

/** The chat named by parsed headers keyed by lower-case name (as Thunderbird's messages.getFull gives them). */
export function chatIdFromHeaderMap(headers: Record<string, string[] | undefined> | undefined): string | null {
  for (const name of ACCEPTED_HEADERS) {
    const id = chatIdFromHeaderValue(headers?.[name.toLowerCase()]?.[0]);
    if (id) return id;
  }
  return null;
}
