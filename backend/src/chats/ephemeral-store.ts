import { AppError } from '../errors.ts';
import { isSaid, type MessageView } from '../../../protocol/index.ts';
import type { NewMessage } from './message-log.ts';

/** Bounds on what ephemeral chats may hold; both stores enforce the same ones. */
export interface EphemeralLimits {
  ttlMs: number;
  /** Messages kept per chat; beyond it the oldest are dropped (seq keeps counting). */
  maxPerChat: number;
  /** Bytes one identity's messages may hold across all ephemeral chats; beyond it, sends are refused. */
  maxBytesPerUser: number;
  /** Bytes all ephemeral messages may hold; beyond it, member sends are refused. */
  maxBytesTotal: number;
}

export const DEFAULT_EPHEMERAL_LIMITS: EphemeralLimits = {
  ttlMs: 24 * 3_600_000,
  maxPerChat: 1000,
  maxBytesPerUser: 2 * 1024 * 1024,
  maxBytesTotal: 256 * 1024 * 1024,
};

/** What one message is counted as against the caps: its body in UTF-8 plus a fixed record overhead. */
export const MESSAGE_OVERHEAD_BYTES = 200;
export function footprint(body: string): number {
  return Buffer.byteLength(body, 'utf8') + MESSAGE_OVERHEAD_BYTES;
}

/** The refusals of a full store, the same from either store. */
export function userQuotaError(limits: EphemeralLimits): AppError {
  return new AppError(
    'QUOTA_EXCEEDED',
    'You have too many unarchived messages held right now; wait for older ones to expire or end some ephemeral chats',
    { scope: 'user', maxBytes: limits.maxBytesPerUser },
  );
}
export function totalQuotaError(): AppError {
  return new AppError('QUOTA_EXCEEDED', 'The server holds too many unarchived messages right now; try again later', {
    scope: 'server',
  });
}

/**
 * Where the messages of EPHEMERAL chats live: never in the database, dropped when the chat
 * ends, when older than the TTL, or beyond the per-chat cap. Sequence numbers still run 1, 2, 3
 * from one counter per chat, so clients resync the same way as for archived chats. One process
 * keeps them in memory (EphemeralStore); several share them through Redis (RedisEphemeralStore).
 */
export interface EphemeralLog {
  /** Numbers a new message, or returns the first result for a retried client id. Trusted (domain) messages skip the byte caps. */
  append(m: NewMessage): Promise<{ view: MessageView; fresh: boolean }>;
  lastSeq(chatId: string): Promise<number>;
  get(chatId: string, seq: number): Promise<MessageView | undefined>;
  /** False when the message was already deleted or is gone. */
  tombstone(chatId: string, seq: number): Promise<boolean>;
  /** Newest first when `before` is set; oldest first when `after` is set. */
  page(chatId: string, opts: { before?: number; after?: number; limit: number }): Promise<{ messages: MessageView[]; hasMore: boolean }>;
  unreadFor(chatId: string, afterSeq: number, identityId: string): Promise<number>;
  lastText(chatId: string): Promise<MessageView | null>;
  drop(chatId: string): Promise<void>;
  close(): void;
}

interface EphemeralChat {
  lastSeq: number;
  messages: MessageView[];
  byClientId: Map<string, MessageView>;
}

/** The single-process store: this process's memory. */
export class EphemeralStore implements EphemeralLog {
  private readonly chats = new Map<string, EphemeralChat>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly limits: EphemeralLimits;
  private totalBytes = 0;
  private readonly bytesByAuthor = new Map<string, number>();

  constructor(ttlMs: number, maxPerChat = DEFAULT_EPHEMERAL_LIMITS.maxPerChat, caps: Partial<EphemeralLimits> = {}) {
    this.limits = { ...DEFAULT_EPHEMERAL_LIMITS, ...caps, ttlMs, maxPerChat };
    this.sweeper = setInterval(() => this.sweep(), Math.min(ttlMs, 60_000));
    this.sweeper.unref();
  }

  /** Bytes currently held (for tests and metrics). */
  heldBytes(authorId?: string): number {
    return authorId === undefined ? this.totalBytes : (this.bytesByAuthor.get(authorId) ?? 0);
  }

  async append(m: NewMessage): Promise<{ view: MessageView; fresh: boolean }> {
    const chat: EphemeralChat = this.chats.get(m.chatId) ?? { lastSeq: 0, messages: [], byClientId: new Map() };
    this.chats.set(m.chatId, chat);
    const prior = chat.byClientId.get(m.clientId);
    if (prior) {
      if (prior.authorId !== m.authorId) throw new AppError('CONFLICT', 'That message id is already used in this chat');
      return { view: prior, fresh: false };
    }
    const size = footprint(m.body);
    if (!m.trusted) {
      if (m.authorId && this.heldBytes(m.authorId) + size > this.limits.maxBytesPerUser) throw userQuotaError(this.limits);
      if (this.totalBytes + size > this.limits.maxBytesTotal) throw totalQuotaError();
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
      // Ephemeral chats refuse edits (ephemeral-message-log.ts).
      editedAt: null,
      reactions: [],
      mentions: m.mentions ?? [],
      mentionsMe: false,
    };
    chat.messages.push(view);
    chat.byClientId.set(m.clientId, view);
    this.count(view, size);
    if (chat.messages.length > this.limits.maxPerChat) this.forget(chat, 1);
    return { view, fresh: true };
  }

  async lastSeq(chatId: string): Promise<number> {
    return this.chats.get(chatId)?.lastSeq ?? 0;
  }

  async get(chatId: string, seq: number): Promise<MessageView | undefined> {
    return this.chats.get(chatId)?.messages.find((m) => m.seq === seq);
  }

  async tombstone(chatId: string, seq: number): Promise<boolean> {
    const chat = this.chats.get(chatId);
    const i = chat?.messages.findIndex((m) => m.seq === seq) ?? -1;
    if (!chat || i < 0) return false;
    const old = chat.messages[i]!;
    if (old.deleted) return false;
    const dead = { ...old, body: '', deleted: true };
    this.count(old, -footprint(old.body));
    this.count(dead, footprint(''));
    chat.messages[i] = dead;
    if (chat.byClientId.get(old.clientId) === old) chat.byClientId.set(old.clientId, dead);
    return true;
  }

  async page(
    chatId: string,
    opts: { before?: number; after?: number; limit: number },
  ): Promise<{ messages: MessageView[]; hasMore: boolean }> {
    const all = this.chats.get(chatId)?.messages ?? [];
    if (opts.after !== undefined) {
      const newer = all.filter((m) => m.seq > opts.after!);
      return { messages: newer.slice(0, opts.limit), hasMore: newer.length > opts.limit };
    }
    const older = all.filter((m) => opts.before === undefined || m.seq < opts.before).reverse();
    return { messages: older.slice(0, opts.limit), hasMore: older.length > opts.limit };
  }

  async unreadFor(chatId: string, afterSeq: number, identityId: string): Promise<number> {
    const all = this.chats.get(chatId)?.messages ?? [];
    return all.filter((m) => isUnread(m, afterSeq, identityId)).length;
  }

  async lastText(chatId: string): Promise<MessageView | null> {
    const all = this.chats.get(chatId)?.messages ?? [];
    for (let i = all.length - 1; i >= 0; i--) if (all[i]!.kind === 'TEXT') return all[i]!;
    return null;
  }

  async drop(chatId: string): Promise<void> {
    const chat = this.chats.get(chatId);
    // The counter stays: the chat's end notice still takes the next seq.
    if (chat) this.forget(chat, chat.messages.length);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.chats.clear();
  }

  private sweep(): void {
    const cutoff = new Date(Date.now() - this.limits.ttlMs).toISOString();
    for (const chat of this.chats.values()) {
      let n = 0;
      while (n < chat.messages.length && chat.messages[n]!.createdAt < cutoff) n++;
      if (n > 0) this.forget(chat, n);
    }
  }

  private forget(chat: EphemeralChat, n: number): void {
    for (const m of chat.messages.splice(0, n)) {
      chat.byClientId.delete(m.clientId);
      this.count(m, -footprint(m.body));
    }
  }

  private count(m: MessageView, bytes: number): void {
    this.totalBytes += bytes;
    if (!m.authorId) return;
    const left = (this.bytesByAuthor.get(m.authorId) ?? 0) + bytes;
    if (left > 0) this.bytesByAuthor.set(m.authorId, left);
    else this.bytesByAuthor.delete(m.authorId);
  }
}

/** The one unread rule for ephemeral messages (archived chats apply it in SQL, unread.ts). */
export function isUnread(m: MessageView, afterSeq: number, identityId: string): boolean {
  return m.seq > afterSeq && isSaid(m.kind) && !m.deleted && m.authorId !== identityId;
}
