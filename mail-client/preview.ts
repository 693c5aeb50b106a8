/** How a chat's newest message is summed up in one line, in every chat list (web, Outlook, Thunderbird). */
import type { MessageView } from '../protocol/index.ts';

/** What stands in for a deleted message: in lists, tombstones and transcripts alike. */
export const DELETED_MESSAGE_TEXT = 'Message deleted';

/** Longer texts are cut with an ellipsis: a list row shows one line. */
const PREVIEW_CHARS = 90;

/** "bob@x: text", or what happened (a deletion, no messages yet). */
export function messagePreview(m: MessageView | null): string {
  if (!m) return 'No messages yet';
  if (m.deleted || m.kind === 'DELETION') return DELETED_MESSAGE_TEXT;
  const text = m.body.replace(/\s+/g, ' ').trim();
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  if (m.kind === 'SYSTEM' || m.kind === 'CALL') return short;
  return m.authorAddress ? `${m.authorAddress}: ${short}` : short;
}
