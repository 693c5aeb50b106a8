import type { Caller } from '../identity/sessions.ts';
import type { ChatSummary, Retention } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import type { ChatPreview } from './message-log.ts';
import { publicMessage } from './views.ts';

interface SummaryRow {
  id: string;
  subject: string;
  retention: Retention;
  owner_id: string;
  last_seq: number;
  last_activity_at: Date;
  ended_at: Date | null;
  last_read_seq: number;
  member_addresses: string[];
  /** Display names in member_addresses' order (null where none is set). */
  member_names: (string | null)[];
  is_new: boolean;
}

/**
 * "My chats": every chat the caller is a member of, and every chat one of their verified
 * addresses is in the audience of but they never opened (isNew: opening joins it), newest
 * activity first, with unread counts. The audience is the access rule (chats.ts open()), so a
 * removed address drops the chat here too; a Bcc entry shows the chat to its own address
 * only, and the member list follows the same Bcc rule as for members.
 */
export async function listMyChats(ctx: ChatContext, caller: Caller, limit = 200): Promise<ChatSummary[]> {
  const { rows } = await ctx.pool.query<SummaryRow>(
    `WITH mine AS (
       SELECT m.chat_id, m.last_read_seq, false AS is_new FROM member m WHERE m.identity_id = $1
       UNION ALL
       SELECT DISTINCT a.chat_id, 0, true FROM audience_entry a
        WHERE a.address = ANY($4::text[])
          AND NOT EXISTS (SELECT 1 FROM member x WHERE x.chat_id = a.chat_id AND x.identity_id = $1))
     SELECT c.id, c.subject, c.retention, c.owner_id, c.last_seq, c.last_activity_at, c.ended_at, m.last_read_seq, m.is_new,
            ARRAY(SELECT o.address FROM member o
                    JOIN audience_entry a ON a.chat_id = o.chat_id AND a.address = o.address
                   WHERE o.chat_id = c.id AND (a.role <> 'BCC' OR o.identity_id = $1 OR c.owner_id = $1)
                   ORDER BY o.joined_at) AS member_addresses,
            ARRAY(SELECT i.display_name FROM member o
                    JOIN audience_entry a ON a.chat_id = o.chat_id AND a.address = o.address
                    JOIN identity i ON i.id = o.identity_id
                   WHERE o.chat_id = c.id AND (a.role <> 'BCC' OR o.identity_id = $1 OR c.owner_id = $1)
                   ORDER BY o.joined_at) AS member_names
       FROM mine m JOIN chat c ON c.id = m.chat_id
      WHERE $2::uuid IS NULL OR c.id = $2::uuid
      ORDER BY c.last_activity_at DESC, c.id
      LIMIT $3`,
    [caller.identityId, caller.chatScope, limit, caller.addresses],
  );
  // Each log is asked once for all of its chats.
  const previews = new Map<string, ChatPreview>();
  const unread = new Map<string, number>();
  await Promise.all(
    ctx.logs.grouped(rows).map(async ([log, chats]) => {
      const [p, u] = await Promise.all([
        log.previews(chats.map((c) => ({ id: c.id, lastSeq: c.last_seq }))),
        log.unread(
          caller.identityId,
          chats.map((c) => ({ chatId: c.id, lastReadSeq: c.last_read_seq })),
        ),
      ]);
      for (const [id, preview] of p) previews.set(id, preview);
      for (const [id, n] of u) unread.set(id, n);
    }),
  );
  return rows.map((r) => {
    const preview = previews.get(r.id);
    const lastMessage = preview?.lastText ?? null;
    return {
      id: r.id,
      subject: r.subject,
      retention: r.retention,
      isOwner: r.owner_id === caller.identityId,
      lastSeq: preview?.lastSeq ?? r.last_seq,
      lastActivityAt: r.last_activity_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
      unread: unread.get(r.id) ?? 0,
      lastMessage: lastMessage && publicMessage(lastMessage, ctx.handles, caller.identityId),
      memberAddresses: r.member_addresses,
      people: r.member_addresses.map((address, i) => ({ address, displayName: r.member_names[i] ?? null })),
      me: { identityId: ctx.handles.of(r.id, caller.identityId) },
      isNew: r.is_new,
    };
  });
}

/**
 * Tells identities owning `added` addresses, not yet members, that the chat is now in their
 * "my chats" (the same rule as listMyChats). Only they hear it: a Bcc entry reaches nobody else.
 */
export async function announceAudienceAdded(ctx: ChatContext, chatId: string, added: string[]): Promise<void> {
  if (added.length === 0) return;
  const { rows } = await ctx.pool.query<{ identity_id: string; retention: Retention; last_seq: number; last_activity_at: Date }>(
    `SELECT DISTINCT e.identity_id, c.retention, c.last_seq, c.last_activity_at
       FROM email_address e JOIN chat c ON c.id = $1
      WHERE e.address = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM member m WHERE m.chat_id = c.id AND m.identity_id = e.identity_id)`,
    [chatId, added],
  );
  const first = rows[0];
  if (!first) return;
  ctx.events.audienceAdded(
    {
      chatId,
      lastSeq: await ctx.logs.of(first).lastSeq({ id: chatId, lastSeq: first.last_seq }),
      lastActivityAt: first.last_activity_at.toISOString(),
    },
    rows.map((r) => r.identity_id),
  );
}

/** Identities owning `removed` addresses that are neither members nor still in the audience under another address. */
export async function announceAudienceRemoved(ctx: ChatContext, chatId: string, removed: string[]): Promise<void> {
  if (removed.length === 0) return;
  const { rows } = await ctx.pool.query<{ identity_id: string }>(
    `SELECT DISTINCT e.identity_id FROM email_address e
      WHERE e.address = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM member m WHERE m.chat_id = $1 AND m.identity_id = e.identity_id)
        AND NOT EXISTS (SELECT 1 FROM audience_entry a JOIN email_address o ON o.address = a.address
                         WHERE a.chat_id = $1 AND o.identity_id = e.identity_id)`,
    [chatId, removed],
  );
  ctx.events.audienceRemoved(
    chatId,
    rows.map((r) => r.identity_id),
  );
}
