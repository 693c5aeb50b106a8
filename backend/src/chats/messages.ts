import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import {
  LIMITS,
  isSaid,
  type HistoryPage,
  type MessageReactions,
  type MessageRevisionView,
  type MessageView,
  type Retention,
} from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { retentionLasts, type Placed } from './message-log.ts';
import { checkScope, loadVisibility, requireMember, type MemberWithChat } from './membership.ts';
import { Reactions } from './reactions.ts';
import { publicMessage } from './views.ts';

interface ChatRef {
  id: string;
  retention: Retention;
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
  return (await ctx.logs.of(chat).append(msg)).committed;
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
  return (await ctx.logs.of(chat).append(msg)).committed;
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
  return (await ctx.logs.of(chat).append(msg)).committed;
}

/**
 * The client id of the DELETION event for a message. It contains `~`, which clientIdSchema
 * never lets a client send, so no member can post under it first and make the author's delete
 * collide (409) and the tombstone go missing for live clients.
 */
export function deletionClientId(seq: number): string {
  return `~deletion:${seq}`;
}

/**
 * Runs `work` once the work queued before it under the same key has settled, so work per key
 * happens in arrival order (a failure does not stop the next); the key is forgotten once idle.
 */
function inTurn<T>(turns: Map<string, Promise<void>>, key: string, work: () => Promise<T>): Promise<T> {
  const result = (turns.get(key) ?? Promise.resolve()).then(work);
  const settled = result.then(
    () => {},
    () => {},
  );
  turns.set(key, settled);
  void settled.then(() => {
    if (turns.get(key) === settled) turns.delete(key);
  });
  return result;
}

export class MessageService {
  private readonly reactions: Reactions;

  constructor(private readonly ctx: ChatContext) {
    this.reactions = new Reactions(ctx);
  }

  /**
   * Posts a text message. Resolves only after it is stored and returns the first result for a
   * retried clientId. The membership check is the log's (for archived chats, inside the
   * committing statement).
   */
  async send(caller: Caller, chatId: string, clientId: string, rawBody: string, mentions: string[] = []): Promise<MessageView> {
    checkScope(caller, chatId);
    const body = this.messageText(rawBody);
    const mentioned = mentions.length > 0 ? await this.mentioned(chatId, mentions) : [];
    return this.post(caller, chatId, clientId, 'TEXT', body, mentioned);
  }

  /**
   * Posts an ATTACHMENT message whose body the media domain wrote (media/attachment-body.ts),
   * after it checked that the upload is the caller's and fully stored.
   */
  async sendAttachment(caller: Caller, chatId: string, clientId: string, attachmentBody: string): Promise<MessageView> {
    checkScope(caller, chatId);
    return this.post(caller, chatId, clientId, 'ATTACHMENT', attachmentBody, []);
  }

  private async post(
    caller: Caller,
    chatId: string,
    clientId: string,
    kind: 'TEXT' | 'ATTACHMENT',
    body: string,
    mentions: string[],
  ): Promise<MessageView> {
    // Sends from one device to one chat are queued for commit in the order they arrived, even
    // when the first one waits for lookups the later ones find cached.
    const enqueued = inTurn(this.lanes, `${caller.sessionId}|${chatId}`, () =>
      this.enqueue(caller, chatId, clientId, kind, body, mentions),
    );
    return publicMessage(await (await enqueued).committed, this.ctx.handles, caller.identityId);
  }

  /**
   * The identities behind mentioned handles. Only members everyone in the chat can see may be
   * mentioned: naming a Bcc member would show them to all. A handle that is not such a member is
   * refused the same way whether or not it belongs to a hidden one, so the answer reveals nothing.
   */
  private async mentioned(chatId: string, handles: string[]): Promise<string[]> {
    const { rows } = await this.ctx.pool.query<{ identity_id: string }>('SELECT identity_id FROM member WHERE chat_id = $1', [chatId]);
    const visibility = (await loadVisibility(this.ctx.pool, [chatId])).get(chatId);
    const byHandle = new Map(
      rows.filter((r) => !visibility?.hidden.has(r.identity_id)).map((r) => [this.ctx.handles.of(chatId, r.identity_id), r.identity_id]),
    );
    const ids = new Set<string>();
    for (const h of handles) {
      const id = byHandle.get(h);
      if (!id) throw new AppError('BAD_INPUT', 'You can only mention people this chat shows as members', { field: 'mentions' });
      ids.add(id);
    }
    return [...ids];
  }

  private readonly lanes = new Map<string, Promise<void>>();

  /** Resolves once the message is queued; `committed` resolves once it is committed. */
  private async enqueue(
    caller: Caller,
    chatId: string,
    clientId: string,
    kind: 'TEXT' | 'ATTACHMENT',
    body: string,
    mentions: string[],
  ): Promise<Placed> {
    const log = await this.ctx.logs.forChat(chatId);
    const authorAddress = await this.addressIn(caller, chatId);
    return log.append({ chatId, clientId, authorId: caller.identityId, authorAddress, kind, body, mentions });
  }

  /** Deleting leaves a tombstone and appends a DELETION event, so resyncing clients learn of it. */
  async delete(caller: Caller, chatId: string, seq: number): Promise<MessageView> {
    return publicMessage(await this.deleteMine(caller, chatId, seq), this.ctx.handles, caller.identityId);
  }

  private async deleteMine(caller: Caller, chatId: string, seq: number): Promise<MessageView> {
    const me = await requireMember(this.ctx, caller, chatId);
    const log = this.ctx.logs.of(me.chat);
    const target = await log.get(chatId, seq);
    this.assertMine(caller, target, 'delete');
    if (!(await log.tombstone(chatId, seq))) return { ...target!, body: '', deleted: true };
    const removed = target!;
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
    const deletion = await (await log.append(event)).committed;
    if (removed.kind === 'ATTACHMENT') {
      // The tombstone stands whatever happens to the file; a failure here only leaves an object behind.
      await this.ctx
        .onAttachmentDeleted?.(removed)
        .catch((err: unknown) => this.ctx.log.warn({ err, chatId, seq }, 'could not release a deleted attachment'));
    }
    return deletion;
  }

  /**
   * Replaces the text of one of my text messages in a chat that has not ended. The message row
   * takes the new text (history pages, previews and later emails show it), the old one is kept as
   * a revision, and an EDIT event carrying the new text goes through the log, so live clients and
   * resyncing ones learn of it as they learn of deletions. Emails already sent are not recalled.
   * The same text again answers with the message itself and records nothing.
   */
  async edit(caller: Caller, chatId: string, seq: number, rawBody: string): Promise<MessageView> {
    const body = this.messageText(rawBody);
    const me = await requireMember(this.ctx, caller, chatId);
    if (me.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended; its messages can no longer be edited');
    const log = this.ctx.logs.of(me.chat);
    // One edit of a message at a time (on this node), so revisions and EDIT events keep one order.
    const done = inTurn(this.edits, `${chatId}|${seq}`, async () => {
      const target = await log.get(chatId, seq);
      this.assertMine(caller, target, 'edit');
      if (target!.deleted) throw new AppError('NOT_FOUND', 'This message was deleted');
      // The same text again changes nothing: the message itself answers.
      if (target!.body === body) return target!;
      if (!(await log.revise(chatId, seq, body, new Date()))) throw new AppError('NOT_FOUND', 'This message was deleted');
      const event = {
        chatId,
        clientId: `~edit:${seq}:${randomUUID()}`,
        authorId: caller.identityId,
        authorAddress: me.address,
        kind: 'EDIT' as const,
        body,
        targetSeq: seq,
      };
      return (await log.append(event)).committed;
    });
    return publicMessage(await done, this.ctx.handles, caller.identityId);
  }

  private readonly edits = new Map<string, Promise<void>>();

  /**
   * The earlier texts of an edited message. Every member sees that a message was edited; only its
   * author and the chat's owner (who answers for the chat) read what it said before.
   */
  async revisions(caller: Caller, chatId: string, seq: number): Promise<MessageRevisionView[]> {
    const me = await requireMember(this.ctx, caller, chatId);
    const log = this.ctx.logs.of(me.chat);
    const target = await log.get(chatId, seq);
    if (!target || target.kind !== 'TEXT') throw new AppError('NOT_FOUND', 'message not found');
    if (target.authorId !== caller.identityId && me.chat.ownerId !== caller.identityId) {
      throw new AppError('FORBIDDEN', "Only the message's author and the chat owner can see its earlier versions");
    }
    return log.revisions(chatId, seq);
  }

  /** The one rule for a message's text, sent or edited: line breaks normalised, trimmed, not empty, within the limit. */
  private messageText(raw: string): string {
    const body = raw.replace(/\r\n?/g, '\n').trim();
    if (body.length === 0) throw new AppError('BAD_INPUT', 'A message cannot be empty');
    if (body.length > this.ctx.limits.maxMessageChars) {
      throw new AppError('TOO_LARGE', `A message can have at most ${this.ctx.limits.maxMessageChars} characters`, {
        maxChars: this.ctx.limits.maxMessageChars,
      });
    }
    return body;
  }

  /** Keyset pages: `before` gives older messages newest first; `after` gives newer ones oldest first. */
  /** `me`: the caller's member row when the caller has just read it (a join), so it is not read twice. */
  async history(
    caller: Caller,
    chatId: string,
    q: { before?: number; after?: number; limit: number },
    me?: MemberWithChat,
  ): Promise<HistoryPage> {
    const { archived, ...page } = await this.page(caller, chatId, q, me);
    const topSeq = page.messages.reduce((max, m) => Math.max(max, m.seq), 0);
    if (topSeq > 0) this.ctx.onHistoryServed?.(chatId, caller.identityId, topSeq);
    const bottomSeq = page.messages.reduce((min, m) => Math.min(min, m.seq), topSeq);
    const reactions = topSeq > 0 ? await this.reactions.inRange(caller.identityId, chatId, bottomSeq, topSeq) : new Map();
    // Only archived chats' messages are translated: an ephemeral chat keeps no copy of its words anywhere.
    const messages = archived ? await this.ctx.translations.forReader(chatId, caller.identityId, page.messages) : page.messages;
    return {
      ...page,
      messages: messages.map((m) => ({
        ...publicMessage(m, this.ctx.handles, caller.identityId),
        reactions: reactions.get(m.seq) ?? [],
      })),
    };
  }

  /** Adds or takes back one of my reactions (reactions.ts); live to those who may see me. */
  react(caller: Caller, chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions> {
    return this.reactions.set(caller, chatId, seq, emoji, on);
  }

  /**
   * For a rejoining client: the reactions, as I see them, of the messages it already shows
   * (`from`..`to`, the newest LIMITS.reactionResync of them), since they may have changed while
   * it was away. Call after requireMember passed (the join opened the chat).
   */
  async reactionsShown(caller: Caller, chatId: string, from: number, to: number): Promise<MessageReactions[]> {
    const start = Math.max(from, to - LIMITS.reactionResync + 1, 1);
    if (start > to) return [];
    const found = await this.reactions.inRange(caller.identityId, chatId, start, to);
    return [...found].map(([seq, reactions]) => ({ seq, reactions }));
  }

  private async page(
    caller: Caller,
    chatId: string,
    q: { before?: number; after?: number; limit: number },
    member?: MemberWithChat,
  ): Promise<HistoryPage & { archived: boolean }> {
    const me = member ?? (await requireMember(this.ctx, caller, chatId));
    const log = this.ctx.logs.of(me.chat);
    // Only lasting chats' messages are translated: an ephemeral chat keeps no copy of its words anywhere.
    return { ...(await log.page(chatId, { ...q, limit: Math.min(q.limit, LIMITS.catchUp) })), archived: retentionLasts(me.chat.retention) };
  }

  /** What a (re)joining client missed since its last seen seq, oldest first; `me` as for history. */
  async catchUp(caller: Caller, chatId: string, lastSeq: number, me?: MemberWithChat): Promise<HistoryPage> {
    return this.history(caller, chatId, { after: lastSeq, limit: LIMITS.catchUp }, me);
  }

  async markRead(caller: Caller, chatId: string, seq: number): Promise<number> {
    checkScope(caller, chatId);
    const ceiling = await (await this.ctx.logs.forChat(chatId)).readCeiling(chatId);
    const rows = await this.ctx.db.$queryRaw<{ last_read_seq: number }[]>`
      UPDATE member SET last_read_seq = GREATEST(last_read_seq, LEAST(${seq}::int, COALESCE(${ceiling}::int, c.last_seq)))
        FROM chat c
       WHERE member.chat_id = ${chatId}::uuid AND member.identity_id = ${caller.identityId}::uuid AND c.id = member.chat_id
      RETURNING member.last_read_seq`;
    const row = rows[0];
    if (!row) await requireMember(this.ctx, caller, chatId); // throws the right error
    const at = row?.last_read_seq ?? 0;
    this.ctx.events.readMoved({ chatId, identityId: caller.identityId, seq: at });
    return at;
  }

  /** Only what a member said (text, attachments), and only one's own, can be deleted; only text can be edited. */
  private assertMine(caller: Caller, target: MessageView | undefined, action: 'delete' | 'edit'): void {
    if (!target) throw new AppError('NOT_FOUND', 'message not found');
    if (!isSaid(target.kind) || target.authorId !== caller.identityId) {
      throw new AppError('FORBIDDEN', `You can only ${action} your own messages`);
    }
    // A file, image or video message has no text to edit: delete it and send another.
    if (action === 'edit' && target.kind !== 'TEXT') {
      throw new AppError('FORBIDDEN', 'Only text messages can be edited');
    }
  }

  private readonly addressCache = new Map<string, string>();

  /**
   * The author's address in the chat, from memory after the first send of each member. It is
   * cached per (chat, identity) only as a label: the log checks membership when it appends. The
   * first lookup is one raw query, not Prisma, whose query compilation on the main thread costs
   * every new member's first send.
   */
  private async addressIn(caller: Caller, chatId: string): Promise<string> {
    const key = `${chatId}|${caller.identityId}`;
    const cached = this.addressCache.get(key);
    if (cached) return cached;
    const found = await this.ctx.pool.query<{ address: string }>('SELECT address FROM member WHERE chat_id = $1 AND identity_id = $2', [
      chatId,
      caller.identityId,
    ]);
    // Not a member: requireMember throws the error the client expects (or finds a fresh join).
    const address = found.rows[0]?.address ?? (await requireMember(this.ctx, caller, chatId)).address;
    if (this.addressCache.size > 100_000) this.addressCache.clear();
    this.addressCache.set(key, address);
    return address;
  }
}
