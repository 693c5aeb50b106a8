import type { Caller } from '../identity/sessions.ts';
import type { ChatSummary } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { unreadCounts } from './unread.ts';
import { messageView, publicMessage, type MessageRow } from './views.ts';

interface SummaryRow {
  id: string;
  subject: string;
  retention: 'ARCHIVED' | 'EPHEMERAL';
  owner_id: string;
  last_seq: number;
  last_activity_at: Date;
  ended_at: Date | null;
  last_read_seq: number;
  member_addresses: string[];
}

/** "My chats": every chat the caller is a member of, newest activity first, with unread counts. */
export async function listMyChats(ctx: ChatContext, caller: Caller, limit = 200): Promise<ChatSummary[]> {
  const { rows } = await ctx.pool.query<SummaryRow>(
    `SELECT c.id, c.subject, c.retention, c.owner_id, c.last_seq, c.last_activity_at, c.ended_at, m.last_read_seq,
            ARRAY(SELECT o.address FROM member o
                    JOIN audience_entry a ON a.chat_id = o.chat_id AND a.address = o.address
                   WHERE o.chat_id = c.id AND (a.role <> 'BCC' OR o.identity_id = $1 OR c.owner_id = $1)
                   ORDER BY o.joined_at) AS member_addresses
       FROM member m JOIN chat c ON c.id = m.chat_id
      WHERE m.identity_id = $1 AND ($2::uuid IS NULL OR c.id = $2::uuid)
      ORDER BY c.last_activity_at DESC, c.id
      LIMIT $3`,
    [caller.identityId, caller.chatScope, limit],
  );
  const archived = rows.filter((r) => r.retention === 'ARCHIVED').map((r) => r.id);
  const last = new Map<string, MessageRow>();
  if (archived.length > 0) {
    const lastRows = await ctx.pool.query<MessageRow>(
      `SELECT l.* FROM unnest($1::uuid[]) AS c(id)
         CROSS JOIN LATERAL (
           SELECT chat_id, seq, client_id, author_id, author_address, kind, body, target_seq, created_at, deleted_at
             FROM message WHERE chat_id = c.id AND kind = 'TEXT' ORDER BY seq DESC LIMIT 1) l`,
      [archived],
    );
    for (const r of lastRows.rows) last.set(r.chat_id, r);
  }
  const unread = await unreadCounts(
    ctx,
    caller.identityId,
    rows.map((r) => ({ chatId: r.id, retention: r.retention, lastReadSeq: r.last_read_seq })),
  );
  const ephemeralTops = new Map(
    await Promise.all(
      rows
        .filter((r) => r.retention === 'EPHEMERAL')
        .map(async (r) => [r.id, { lastSeq: await ctx.ephemeral.lastSeq(r.id), lastText: await ctx.ephemeral.lastText(r.id) }] as const),
    ),
  );
  return rows.map((r) => {
    const ephemeral = ephemeralTops.get(r.id);
    const lastSeq = ephemeral ? ephemeral.lastSeq : r.last_seq;
    const lastRow = last.get(r.id);
    const lastMessage = ephemeral ? ephemeral.lastText : lastRow ? messageView(lastRow) : null;
    return {
      id: r.id,
      subject: r.subject,
      retention: r.retention,
      isOwner: r.owner_id === caller.identityId,
      lastSeq,
      lastActivityAt: r.last_activity_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
      unread: unread.get(r.id) ?? 0,
      lastMessage: lastMessage && publicMessage(lastMessage, ctx.handles),
      memberAddresses: r.member_addresses,
      me: { identityId: ctx.handles.of(r.id, caller.identityId) },
    };
  });
}
