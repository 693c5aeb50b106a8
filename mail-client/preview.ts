/** How a chat's newest message is summed up in one line, in every chat list (web, Outlook, Thunderbird). */
import type { AttachmentView, ChatSummary, MessageView } from '../protocol/index.ts';

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
  const text = m.attachment ? attachmentSummary(m.attachment) : m.body.replace(/\s+/g, ' ').trim();
  const short = text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1)}…` : text;
  if (m.kind === 'SYSTEM' || m.kind === 'CALL') return short;
  return m.authorAddress ? `${nameOf(m.authorAddress)}: ${short}` : short;
}

/** What an attachment message says in a list, a transcript or an email: never the stored JSON. */
export function attachmentSummary(a: Pick<AttachmentView, 'category' | 'name' | 'durationMs'>): string {
  if (a.category === 'VIDEO') return a.durationMs === null ? 'sent a video' : `sent a video (${videoLength(a.durationMs)})`;
  if (a.category === 'IMAGE') return `sent an image: ${a.name}`;
  return `sent a file: ${a.name}`;
}

function videoLength(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
