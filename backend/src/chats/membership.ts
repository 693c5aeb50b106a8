import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Chat, Member } from '../generated/prisma/client.ts';
import type { Caller } from '../identity/sessions.ts';
import type { ChatContext } from './context.ts';

/** A one-chat session (invitation link) may not reach any other chat. */
export function checkScope(caller: Caller, chatId: string): void {
  if (caller.chatScope && caller.chatScope !== chatId) {
    throw new AppError('FORBIDDEN', 'This sign-in only opens one chat; sign in with a code to see others');
  }
}

export async function loadChat(ctx: ChatContext, chatId: string) {
  const chat = await ctx.db.chat.findUnique({ where: { id: chatId } });
  if (!chat) throw new AppError('NOT_FOUND', 'This chat does not exist (check the link)');
  return chat;
}

export type MemberWithChat = Member & { chat: Chat };

interface MemberWithChatRow {
  chat_id: string;
  identity_id: string;
  address: string;
  joined_at: Date;
  last_read_seq: number;
  language: string | null;
  email_notify: boolean;
  subject: string;
  source: Chat['source'];
  retention: Chat['retention'];
  owner_id: string;
  email_message_id: string | null;
  draft_key: string | null;
  last_seq: number;
  last_activity_at: Date;
  created_at: Date;
  ended_at: Date | null;
}

/**
 * The member row with its chat, or null when not a member. One raw statement: every join,
 * history page and REST read starts here, and Prisma's include took two statements and a
 * query build per call (a reconnect storm is one of these per member).
 */
export async function findMember(ctx: Pick<ChatContext, 'pool'>, identityId: string, chatId: string): Promise<MemberWithChat | null> {
  const { rows } = await ctx.pool.query<MemberWithChatRow>(
    `SELECT m.chat_id, m.identity_id, m.address, m.joined_at, m.last_read_seq, m.language, m.email_notify,
            c.subject, c.source, c.retention, c.owner_id, c.email_message_id, c.draft_key, c.last_seq,
            c.last_activity_at, c.created_at, c.ended_at
       FROM member m JOIN chat c ON c.id = m.chat_id
      WHERE m.chat_id = $1 AND m.identity_id = $2`,
    [chatId, identityId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    chatId: r.chat_id,
    identityId: r.identity_id,
    address: r.address,
    joinedAt: r.joined_at,
    lastReadSeq: r.last_read_seq,
    language: r.language,
    emailNotify: r.email_notify,
    chat: {
      id: r.chat_id,
      subject: r.subject,
      source: r.source,
      retention: r.retention,
      ownerId: r.owner_id,
      emailMessageId: r.email_message_id,
      draftKey: r.draft_key,
      lastSeq: r.last_seq,
      lastActivityAt: r.last_activity_at,
      createdAt: r.created_at,
      endedAt: r.ended_at,
    },
  };
}

/** The caller's member row, or FORBIDDEN/NOT_IN_AUDIENCE/NOT_FOUND. Checked on every read and write. */
export async function requireMember(ctx: ChatContext, caller: Caller, chatId: string): Promise<MemberWithChat> {
  checkScope(caller, chatId);
  const member = await findMember(ctx, caller.identityId, chatId);
  if (member) return member;
  await loadChat(ctx, chatId);
  throw new AppError('NOT_IN_AUDIENCE', 'You are not a member of this chat', { canRequestAccess: true });
}

export async function requireOwner(ctx: ChatContext, caller: Caller, chatId: string) {
  checkScope(caller, chatId);
  const chat = await loadChat(ctx, chatId);
  if (chat.ownerId !== caller.identityId) throw new AppError('FORBIDDEN', 'Only the chat owner can do this');
  return chat;
}

/**
 * Who may see whom in a chat: the one Bcc rule. A member whose address is in the audience
 * only as Bcc (or no longer in it) is hidden: only the owner and that member themselves see
 * them, in views, in events (typing, read, delivery, joins) and in counts.
 */
export interface Visibility {
  ownerId: string;
  hidden: ReadonlySet<string>;
}

export function sees(v: Visibility, viewerId: string, memberId: string): boolean {
  return !v.hidden.has(memberId) || viewerId === v.ownerId || viewerId === memberId;
}

/** The viewers of an event about `memberId`: everyone in the chat, or only the owner and that member. */
export function viewersOf(v: Visibility, memberId: string): 'everyone' | string[] {
  return v.hidden.has(memberId) ? [...new Set([v.ownerId, memberId])] : 'everyone';
}

/** Read fresh on every use (no cache), so a role change on another node applies at once. */
export async function loadVisibility(pool: pg.Pool, chatIds: string[]): Promise<Map<string, Visibility>> {
  const res = await pool.query<{ id: string; owner_id: string; hidden: string[] }>(
    `SELECT c.id, c.owner_id,
            ARRAY(SELECT m.identity_id::text FROM member m
                    LEFT JOIN audience_entry a ON a.chat_id = m.chat_id AND a.address = m.address
                   WHERE m.chat_id = c.id AND m.identity_id <> c.owner_id AND (a.role IS NULL OR a.role = 'BCC')) AS hidden
       FROM chat c WHERE c.id = ANY($1::uuid[])`,
    [chatIds],
  );
  return new Map(res.rows.map((r) => [r.id, { ownerId: r.owner_id, hidden: new Set(r.hidden) }]));
}
