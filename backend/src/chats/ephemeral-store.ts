import { AppError } from '../errors.ts';
import type { MessageView } from '../../../protocol/index.ts';
import type { NewMessage } from './message-writer.ts';

interface EphemeralChat {
  lastSeq: number;
  messages: MessageView[];
  byClientId: Map<string, MessageView>;
}

/**
 * Messages of EPHEMERAL chats live only in this process's memory: never in the database,
 * dropped when the chat ends, when they are older than the TTL, or beyond a per-chat cap.
 * Sequence numbers still run 1, 2, 3 so clients resync the same way as for archived chats.
 */
export class EphemeralStore {
  private readonly chats = new Map<string, EphemeralChat>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly ttlMs: number,
    private readonly maxPerChat = 1000,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(ttlMs, 60_000));
    this.sweeper.unref();
  }

  append(m: NewMessage): { view: MessageView; fresh: boolean } {
    const chat: EphemeralChat = this.chats.get(m.chatId) ?? { lastSeq: 0, messages: [], byClientId: new Map() };
    this.chats.set(m.chatId, chat);
    const prior = chat.byClientId.get(m.clientId);
    if (prior) {
      if (prior.authorId !== m.authorId) throw new AppError('CONFLICT', 'That message id is already used in this chat');
      return { view: prior, fresh: false };
    }
    const view: MessageView = {
      chatId: m.chatId,
      seq: ++chat.lastSeq,
      clientId: m.clientId,
      authorId: m.authorId,
      authorAddress: m.authorAddress,
      kind: m.kind,
      body: m.body,
      targetSeq: m.targetSeq ?? null,
      createdAt: new Date().toISOString(),
      deleted: false,
    };
    chat.messages.push(view);
    chat.byClientId.set(m.clientId, view);
    if (chat.messages.length > this.maxPerChat) this.forget(chat, 1);
    return { view, fresh: true };
  }

  lastSeq(chatId: string): number {
    return this.chats.get(chatId)?.lastSeq ?? 0;
  }

  get(chatId: string, seq: number): MessageView | undefined {
    return this.chats.get(chatId)?.messages.find((m) => m.seq === seq);
  }

  tombstone(chatId: string, seq: number): void {
    const chat = this.chats.get(chatId);
    const i = chat?.messages.findIndex((m) => m.seq === seq) ?? -1;
    if (chat && i >= 0) chat.messages[i] = { ...chat.messages[i]!, body: '', deleted: true };
  }

  /** Newest first when `before` is set; oldest first when `after` is set. */
  page(chatId: string, opts: { before?: number; after?: number; limit: number }): { messages: MessageView[]; hasMore: boolean } {
    const all = this.chats.get(chatId)?.messages ?? [];
    if (opts.after !== undefined) {
      const newer = all.filter((m) => m.seq > opts.after!);
      return { messages: newer.slice(0, opts.limit), hasMore: newer.length > opts.limit };
    }
    const older = all.filter((m) => opts.before === undefined || m.seq < opts.before).reverse();
    return { messages: older.slice(0, opts.limit), hasMore: older.length > opts.limit };
  }

  unreadFor(chatId: string, afterSeq: number, identityId: string): number {
    const all = this.chats.get(chatId)?.messages ?? [];
    return all.filter((m) => m.seq > afterSeq && m.kind === 'TEXT' && !m.deleted && m.authorId !== identityId).length;
  }

  lastText(chatId: string): MessageView | null {
    const all = this.chats.get(chatId)?.messages ?? [];
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.kind === 'TEXT') return all[i]!;
    return null;
  }

  drop(chatId: string): void {
    this.chats.delete(chatId);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.chats.clear();
  }

  private sweep(): void {
    const cutoff = new Date(Date.now() - this.ttlMs).toISOString();
    for (const chat of this.chats.values()) {
      let n = 0;
      while (n < chat.messages.length && chat.messages[n]!.createdAt < cutoff) n++;
      if (n > 0) this.forget(chat, n);
    }
  }

  private forget(chat: EphemeralChat, n: number): void {
    for (const m of chat.messages.splice(0, n)) chat.byClientId.delete(m.clientId);
  }
}
