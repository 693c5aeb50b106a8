/** How a chat's newest message is summed up in one line, in every chat list (web, Outlook, Thunderbird). */
import type { ChatSummary, MessageView } from '../protocol/index.ts';

/** What stands in for a deleted message: in lists, tombstones and transcripts alike. */
export const DELETED_MESSAGE_TEXT = 'Message deleted';

/** Longer texts are cut with an ellipsis: a list row shows one line. */
const PREVIEW_CHARS = 90;

/** How a list names a person of a chat: their display name where they set one, else the address. */
export function personName(chat: Pick<ChatSummary, 'people'>, address: string | null): string {
  return chat.people.find((p) => p.address === address)?.displayName ?? address ?? '';
}

/** "Bob: text" (`nameOf` turns the author's address into a name), or what happened (a deletion, no messages yet). */
export function messagePreview(m: MessageView | null, nameOf: (address: string) => string = (a) => a): string {
  if (!m) return 'No messages yet';
  if (m.deleted || m.kind === 'DELETION') return DELETED_MESSAGE_TEXT;
  const text = m.body.replace(/\s+/g, ' ').trim();
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  if (m.kind === 'SYSTEM' || m.kind === 'CALL') return short;
  return m.authorAddress ? `${nameOf(m.authorAddress)}: ${short}` : short;
}
