/**
 * Which message kinds are something a member said (zod-free, for every client at run time):
 * a text or an attachment (file, image, video message). Only these count as unread, and
 * posting one marks everything before it read for its author; joins, quotes and deletions
 * never do. The server applies the same list in SQL (chats/unread.ts, chats/message-writer.ts).
 */
export const SAID_KINDS = ['TEXT', 'ATTACHMENT'] as const;

export function isSaid(kind: string): boolean {
  return kind === 'TEXT' || kind === 'ATTACHMENT';
}
