import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { HistoryPage, MessageRevisionView, MessageView } from '../../../protocol/index.ts';
import type { EphemeralLog } from './ephemeral-store.ts';
import { type ChatPreview, type LoggedChat, type MessageLog, type Placed, type ReadPosition } from './message-log.ts';
import type { NewMessage } from './message-log.ts';
import { checkPosting } from './posting-rules.ts';

/**
 * Ephemeral chats' messages: never in the database, held by an EphemeralLog store (this
 * process's memory, or Redis shared by several) whose one counter per chat numbers them.
 * The posting rules are checked in PostgreSQL first, where membership and the end live.
 */
export class EphemeralMessageLog implements MessageLog {
  constructor(
    private readonly store: EphemeralLog,
    private readonly pool: pg.Pool,
    /** Tells the chat's viewers of a fresh message (the archived writer's commit callback does it there). */
    private readonly announce: (m: MessageView) => void,
  ) {}

  /** Stored before it resolves, so a device's next send cannot overtake it. */
  async append(m: NewMessage): Promise<Placed> {
    await checkPosting(this.pool, m);
    const { view, fresh } = await this.store.append(m);
    if (fresh) this.announce(view);
    return { committed: Promise.resolve(view) };
  }

  get(chatId: string, seq: number): Promise<MessageView | undefined> {
    return this.store.get(chatId, seq);
  }

  tombstone(chatId: string, seq: number): Promise<boolean> {
    return this.store.tombstone(chatId, seq);
  }

  /** Nothing of an ephemeral chat outlives it, so there is no earlier text to keep: edits are refused. */
  async revise(): Promise<boolean> {
    throw new AppError('FORBIDDEN', 'Messages in an ephemeral chat cannot be edited; delete it and send it again');
  }

  async revisions(): Promise<MessageRevisionView[]> {
    return [];
  }

  page(chatId: string, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage> {
    return this.store.page(chatId, q);
  }

  lastSeq(chat: LoggedChat): Promise<number> {
    return this.store.lastSeq(chat.id);
  }

  readCeiling(chatId: string): Promise<number | null> {
    return this.store.lastSeq(chatId);
  }

  async previews(chats: LoggedChat[]): Promise<Map<string, ChatPreview>> {
    return new Map(
      await Promise.all(
        chats.map(async (c) => {
          // In this order, so a message appended meanwhile cannot make the preview newer than lastSeq.
          const lastText = await this.store.lastText(c.id);
          return [c.id, { lastText, lastSeq: await this.store.lastSeq(c.id) }] as const;
        }),
      ),
    );
  }

  async unread(identityId: string, positions: ReadPosition[]): Promise<Map<string, number>> {
    return new Map(
      await Promise.all(positions.map(async (p) => [p.chatId, await this.store.unreadFor(p.chatId, p.lastReadSeq, identityId)] as const)),
    );
  }

  ended(chatId: string): Promise<void> {
    return this.store.drop(chatId);
  }
}
