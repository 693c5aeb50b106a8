import type { ChatContext } from './context.ts';

export interface ReadPosition {
  chatId: string;
  retention: 'ARCHIVED' | 'EPHEMERAL';
  lastReadSeq: number;
}

/**
 * Unread = other people's texts and attachments (protocol/kinds.ts) after my read position that are not deleted.
 * Joins, quotes, deletions and my own messages never count, so every surface (my chats,
 * the Outlook info bar, the panel) shows the same number.
 */
export async function unreadCounts(ctx: ChatContext, identityId: string, positions: ReadPosition[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const archived = positions.filter((p) => p.retention === 'ARCHIVED');
  if (archived.length > 0) {
    const { rows } = await ctx.pool.query<{ chat_id: string; unread: number }>(
      `SELECT v.chat_id, count(m.seq)::int AS unread
         FROM unnest($1::uuid[], $2::int[]) AS v(chat_id, after_seq)
         LEFT JOIN message m
           ON m.chat_id = v.chat_id AND m.seq > v.after_seq AND m.kind IN ('TEXT', 'ATTACHMENT')
          AND m.deleted_at IS NULL AND m.author_id IS DISTINCT FROM $3::uuid
        GROUP BY v.chat_id`,
      [archived.map((p) => p.chatId), archived.map((p) => p.lastReadSeq), identityId],
    );
    for (const r of rows) counts.set(r.chat_id, r.unread);
  }
  for (const p of positions) {
    if (p.retention === 'EPHEMERAL') counts.set(p.chatId, await ctx.ephemeral.unreadFor(p.chatId, p.lastReadSeq, identityId));
  }
  return counts;
}
