import type pg from 'pg';
import { AppError } from '../errors.ts';
import {
  retentionSchema,
  type HistoryPage,
  type MessageKind,
  type MessageRevisionView,
  type MessageView,
  type Retention,
} from '../../../protocol/index.ts';

/** A message to append: a member's send, or an event the domain makes (trusted). */
export interface NewMessage {
  chatId: string;
  clientId: string;
  /** null for system events. */
  authorId: string | null;
  authorAddress: string | null;
  kind: MessageKind;
  body: string;
  targetSeq?: number | null;
  /** Identity ids of the members it @mentions (checked by the message service). */
  mentions?: string[];
  /** Domain-made events skip the membership check; member sends never do. */
  trusted?: boolean;
}

/** A chat as a log needs it: its id and the counter its row keeps (archived chats number messages there). */
export interface LoggedChat {
  id: string;
  lastSeq: number;
}

/** Where a member has read up to in one chat. */
export interface ReadPosition {
  chatId: string;
  lastReadSeq: number;
}

/** What a chat list shows of a chat's messages. */
export interface ChatPreview {
  lastSeq: number;
  /** The newest text message (joins, quotes and deletions are not news). */
  lastText: MessageView | null;
}

/**
 * A send that has taken its place in its chat's order. `committed` resolves once the message is
 * stored (or with the first result of a retried client id), so a caller can queue the next send
 * of the same device before this one is stored without it being overtaken.
 */
export interface Placed {
  committed: Promise<MessageView>;
}

/**
 * The messages of one kind of chat: archived chats' in PostgreSQL (archived-message-log.ts),
 * ephemeral chats' in memory or Redis (ephemeral-message-log.ts). Callers pick one with
 * MessageLogs and never ask which it is; what differs between them lives behind this interface.
 */
export interface MessageLog {
  /**
   * Appends under the writer's rules: the chat exists, a member send comes from a member
   * (trusted, domain-made messages skip that), nothing but system notices after the chat ended,
   * a retried client id answers with its first result, seq numbers run gap-free. Fresh messages
   * are announced to the chat's viewers once stored.
   */
  append(m: NewMessage): Promise<Placed>;
  get(chatId: string, seq: number): Promise<MessageView | undefined>;
  /** Empties a message and marks it deleted, with its earlier texts and edits; false when it already was (or is gone). */
  tombstone(chatId: string, seq: number): Promise<boolean>;
  /**
   * Replaces a text message's body, keeping the text it replaces as a revision (the audit
   * trail); false when it is gone or deleted. A log that keeps nothing after the chat refuses
   * (FORBIDDEN): an edit history is a record, which an ephemeral chat promises not to keep.
   * Callers serialise edits of one message.
   */
  revise(chatId: string, seq: number, body: string, at: Date): Promise<boolean>;
  /** The texts an edited message had before, oldest first (empty when never edited). */
  revisions(chatId: string, seq: number): Promise<MessageRevisionView[]>;
  /** Keyset pages: `after` gives newer messages oldest first; otherwise older than `before`, newest first. */
  page(chatId: string, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage>;
  lastSeq(chat: LoggedChat): Promise<number>;
  /**
   * How far a member may mark a chat read: never past its last message. null when the chat row's
   * last_seq is that limit, which the statement moving the read position reads itself.
   */
  readCeiling(chatId: string): Promise<number | null>;
  previews(chats: LoggedChat[]): Promise<Map<string, ChatPreview>>;
  /**
   * Unread = other people's text messages after the read position that are not deleted. Joins,
   * quotes, deletions and one's own messages never count, so every surface shows the same number.
   */
  unread(identityId: string, positions: ReadPosition[]): Promise<Map<string, number>>;
  /** The chat ended: a log that does not last forgets its messages (its counter stays for the end notice). */
  ended(chatId: string): Promise<void>;
}

/**
 * Whether a retention's messages outlive the chat: only those are emailed or transcribed. A
 * fixed rule, so the email bridge, built before any log, needs no log to apply it.
 */
const LASTS: Record<Retention, boolean> = { ARCHIVED: true, EPHEMERAL: false };

export function retentionLasts(retention: Retention): boolean {
  return LASTS[retention];
}

/** The retentions whose messages last: queries that pick what goes out by email filter on this list. */
export function lastingRetentions(): Retention[] {
  return retentionSchema.options.filter(retentionLasts);
}

/**
 * The one place a chat's retention decides anything: which log holds its messages. Retention
 * never changes after creation, so a chat's is remembered once looked up by id.
 */
export class MessageLogs {
  private readonly known = new Map<string, Retention>();

  constructor(
    private readonly logs: Record<Retention, MessageLog>,
    private readonly pool: pg.Pool,
  ) {}

  of(chat: { retention: Retention }): MessageLog {
    return this.logs[chat.retention];
  }

  /** The log of a chat known only by id (NOT_FOUND when there is no such chat). */
  async forChat(chatId: string): Promise<MessageLog> {
    const known = this.known.get(chatId);
    if (known) return this.logs[known];
    const { rows } = await this.pool.query<{ retention: Retention }>('SELECT retention FROM chat WHERE id = $1', [chatId]);
    const retention = rows[0]?.retention;
    if (!retention) throw new AppError('NOT_FOUND', 'This chat does not exist (check the link)');
    if (this.known.size > 100_000) this.known.clear();
    this.known.set(chatId, retention);
    return this.logs[retention];
  }

  /** Chats grouped by the log holding their messages, so a list asks each log once for all of its chats. */
  grouped<T extends { retention: Retention }>(chats: T[]): [MessageLog, T[]][] {
    const groups = new Map<MessageLog, T[]>();
    for (const c of chats) {
      const log = this.of(c);
      const group = groups.get(log);
      if (group) group.push(c);
      else groups.set(log, [c]);
    }
    return [...groups];
  }
}
