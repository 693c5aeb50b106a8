import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import { LIMITS, type HistoryPage, type MessageView } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { checkScope, requireMember } from './membership.ts';
import { MESSAGE_COLUMNS, messageView, publicMessage, type MessageRow } from './views.ts';

interface ChatRef {
  id: string;
  retention: 'ARCHIVED' | 'EPHEMERAL';
}

/** Domain-made events ("x joined") take the same path as member messages, so seq stays gap-free. */
export async function postSystemMessage(ctx: ChatContext, chat: ChatRef, body: string): Promise<MessageView> {
  const msg = {
    chatId: chat.id,
    clientId: `sys-${randomUUID()}`,
    authorId: null,
    authorAddress: null,
    kind: 'SYSTEM' as const,
    body,
    trusted: true,
  };
  if (chat.retention === 'EPHEMERAL') {
    const { view } = await ctx.ephemeral.append(msg);
    ctx.events.messagePosted(view);
    return view;
  }
  return ctx.writer.append(msg);
}

/**
 * A call's line in the history, authored by the caller (so the caller is not emailed their own
 * missed call) but written by the domain: it commits even when the caller has just been
 * removed, and even in a chat that ended while the call went on.
 */
export async function postCallLine(
  ctx: ChatContext,
  chat: ChatRef,
  caller: { identityId: string; address: string },
  body: string,
): Promise<MessageView> {
  const msg = {
    chatId: chat.id,
    clientId: `call-${randomUUID()}`,
    authorId: caller.identityId,
    authorAddress: caller.address,
    kind: 'CALL' as const,
    body,
    trusted: true,
  };
  if (chat.retention === 'EPHEMERAL') {
    const { view } = await ctx.ephemeral.append(msg);
    ctx.events.messagePosted(view);
    return view;
  }
  return ctx.writer.append(msg);
}

/** The first history entry of a "Reply with IM" chat: the email it answers, attributed to its sender. */
export async function postQuote(ctx: ChatContext, chat: ChatRef, quote: { from: string; text: string }): Promise<MessageView> {
  const msg = {
    chatId: chat.id,
    clientId: 'quote',
    authorId: null,
    authorAddress: normaliseAddress(quote.from),
    kind: 'QUOTE' as const,
    body: quote.text.replace(/\r\n?/g, '\n').trim(),
    trusted: true,
  };
  if (chat.retention === 'EPHEMERAL') return (await ctx.ephemeral.append(msg)).view;
  return ctx.writer.append(msg);
}

/**
 * The client id of the DELETION event for a message. It contains `~`, which clientIdSchema
 * never lets a client send, so no member can post under it first and make the author's delete
 * collide (409) and the tombstone go missing for live clients.
 */
export function deletionClientId(seq: number): string {
  return `~deletion:${seq}`;
}

export class MessageService {
  constructor(private readonly ctx: ChatContext) {}

  /**
   * Posts a text message. Resolves only after it is committed (archived chats) and returns
   * the first result for a retried clientId. The membership check for archived chats runs
   * inside the committing transaction.
   */
  async send(caller: Caller, chatId: string, clientId: string, rawBody: string): Promise<MessageView> {
    checkScope(caller, chatId);
    const body = rawBody.replace(/\r\n?/g, '\n').trim();
    if (body.length === 0) throw new AppError('BAD_INPUT', 'A message cannot be empty');
    if (body.length > this.ctx.limits.maxMessageChars) {
      throw new AppError('TOO_LARGE', `A message can have at most ${this.ctx.limits.maxMessageChars} characters`, {
        maxChars: this.ctx.limits.maxMessageChars,
      });
    }
    // Sends from one device to one chat are queued for commit in the order they arrived, even
    // when the first one waits for lookups the later ones find cached.
    const lane = `${caller.sessionId}|${chatId}`;
    const previous = this.lanes.get(lane) ?? Promise.resolve();
    const enqueued = previous.then(() => this.enqueue(caller, chatId, clientId, body));
    const settled = enqueued.then(
      () => {},
      () => {},
    );
    this.lanes.set(lane, settled);
    void settled.then(() => {
      if (this.lanes.get(lane) === settled) this.lanes.delete(lane);
    });
    return publicMessage(await (await enqueued).committed, this.ctx.handles);
  }

  private readonly lanes = new Map<string, Promise<void>>();

  /** Resolves once the message is queued; `committed` resolves once it is committed. */
  private async enqueue(caller: Caller, chatId: string, clientId: string, body: string): Promise<{ committed: Promise<MessageView> }> {
    const { retention, address: authorAddress } = await this.authorIn(caller, chatId);
    const msg = { chatId, clientId, authorId: caller.identityId, authorAddress, kind: 'TEXT' as const, body };
    if (retention === 'EPHEMERAL') {
      const chat = await requireMember(this.ctx, caller, chatId);
      if (chat.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended; no new messages can be posted');
      // Numbered now (one counter per chat, shared through Redis when there are several processes).
      const { view, fresh } = await this.ctx.ephemeral.append(msg);
      if (fresh) this.ctx.events.messagePosted(view);
      return { committed: Promise.resolve(view) };
    }
    return { committed: this.ctx.writer.append(msg) };
  }

  /** Deleting leaves a tombstone and appends a DELETION event, so resyncing clients learn of it. */
  async delete(caller: Caller, chatId: string, seq: number): Promise<MessageView> {
    return publicMessage(await this.deleteMine(caller, chatId, seq), this.ctx.handles);
  }

  private async deleteMine(caller: Caller, chatId: string, seq: number): Promise<MessageView> {
    const me = await requireMember(this.ctx, caller, chatId);
    const chat = me.chat;
    if (chat.retention === 'EPHEMERAL') {
      const target = await this.ctx.ephemeral.get(chatId, seq);
      this.assertDeletable(caller, target);
      if (target!.deleted) return target!;
      await this.ctx.ephemeral.tombstone(chatId, seq);
    } else {
      const found = await this.ctx.pool.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq = $2`, [
        chatId,
        seq,
      ]);
      const target = found.rows[0] ? messageView(found.rows[0]) : undefined;
      this.assertDeletable(caller, target);
      const updated = await this.ctx.pool.query(
        `UPDATE message SET deleted_at = now(), body = '' WHERE chat_id = $1 AND seq = $2 AND deleted_at IS NULL`,
        [chatId, seq],
      );
      if (updated.rowCount === 0) return { ...target!, body: '', deleted: true };
    }
    const event = {
      chatId,
      clientId: deletionClientId(seq),
      authorId: caller.identityId,
      authorAddress: me.address,
      kind: 'DELETION' as const,
      body: '',
      targetSeq: seq,
      trusted: true,
    };
    if (chat.retention === 'EPHEMERAL') {
      const { view } = await this.ctx.ephemeral.append(event);
      this.ctx.events.messagePosted(view);
      return view;
    }
    return this.ctx.writer.append(event);
  }

  /** Keyset pages: `before` gives older messages newest first; `after` gives newer ones oldest first. */
  async history(caller: Caller, chatId: string, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage> {
    const page = await this.page(caller, chatId, q);
    const topSeq = page.messages.reduce((max, m) => Math.max(max, m.seq), 0);
    if (topSeq > 0) this.ctx.onHistoryServed?.(chatId, caller.identityId, topSeq);
    return { ...page, messages: page.messages.map((m) => publicMessage(m, this.ctx.handles)) };
  }

  private async page(caller: Caller, chatId: string, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage> {
    const me = await requireMember(this.ctx, caller, chatId);
    if (me.chat.retention === 'EPHEMERAL') return this.ctx.ephemeral.page(chatId, q);
    const limit = Math.min(q.limit, LIMITS.catchUp);
    const rows =
      q.after !== undefined
        ? await this.ctx.pool.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
            [chatId, q.after, limit + 1],
          )
        : await this.ctx.pool.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
            [chatId, q.before ?? 2_147_483_647, limit + 1],
          );
    return { messages: rows.rows.slice(0, limit).map(messageView), hasMore: rows.rows.length > limit };
  }

  /** What a (re)joining client missed since its last seen seq, oldest first. */
  async catchUp(caller: Caller, chatId: string, lastSeq: number): Promise<HistoryPage> {
    return this.history(caller, chatId, { after: lastSeq, limit: LIMITS.catchUp });
  }

  async markRead(caller: Caller, chatId: string, seq: number): Promise<number> {
    checkScope(caller, chatId);
    const rows = await this.ctx.db.$queryRaw<{ last_read_seq: number }[]>`
      UPDATE member SET last_read_seq = GREATEST(last_read_seq, LEAST(${seq}::int,
        CASE WHEN c.retention = 'EPHEMERAL' THEN ${seq}::int ELSE c.last_seq END))
        FROM chat c
       WHERE member.chat_id = ${chatId}::uuid AND member.identity_id = ${caller.identityId}::uuid AND c.id = member.chat_id
      RETURNING member.last_read_seq`;
    const row = rows[0];
    if (!row) await requireMember(this.ctx, caller, chatId); // throws the right error
    const at = row?.last_read_seq ?? 0;
    this.ctx.events.readMoved({ chatId, identityId: caller.identityId, seq: at });
    return at;
  }

  private assertDeletable(caller: Caller, target: MessageView | undefined): void {
    if (!target) throw new AppError('NOT_FOUND', 'message not found');
    if (target.kind !== 'TEXT' || target.authorId !== caller.identityId) {
      throw new AppError('FORBIDDEN', 'You can only delete your own messages');
    }
  }

  // Retention never changes after creation, so it is safe to remember.
  private readonly retention = new Map<string, 'ARCHIVED' | 'EPHEMERAL'>();
  private readonly addressCache = new Map<string, string>();

  /**
   * The chat's retention and the author's address in it, from memory after the first send of
   * each member. The address is cached per (chat, identity) only as a label: the authoritative
   * membership check happens in the committing transaction. The first lookup is one raw query,
   * not Prisma, whose query compilation on the main thread costs every new member's first send.
   */
  private async authorIn(caller: Caller, chatId: string): Promise<{ retention: 'ARCHIVED' | 'EPHEMERAL'; address: string }> {
    const key = `${chatId}|${caller.identityId}`;
    const known = this.retention.get(chatId);
    const cached = this.addressCache.get(key);
    if (known === 'ARCHIVED' && cached) return { retention: known, address: cached };
    const found = await this.ctx.pool.query<{ retention: 'ARCHIVED' | 'EPHEMERAL'; address: string | null }>(
      `SELECT c.retention, m.address FROM chat c
         LEFT JOIN member m ON m.chat_id = c.id AND m.identity_id = $2
        WHERE c.id = $1`,
      [chatId, caller.identityId],
    );
    const row = found.rows[0];
    if (!row) throw new AppError('NOT_FOUND', 'This chat does not exist (check the link)');
    if (this.retention.size > 100_000) this.retention.clear();
    this.retention.set(chatId, row.retention);
    // Not a member: requireMember throws the error the client expects (or finds a fresh join).
    const address = row.address ?? (await requireMember(this.ctx, caller, chatId)).address;
    if (this.addressCache.size > 100_000) this.addressCache.clear();
    this.addressCache.set(key, address);
    return { retention: row.retention, address };
  }
}
