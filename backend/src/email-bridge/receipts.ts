import type pg from 'pg';
import type { Logger } from '../log.ts';
import type { DeliveryNotice, DeliveryView } from '../../../protocol/index.ts';

/** Where receipts go out (the socket server's chat rooms); set once the socket server exists. */
export interface ReceiptSink {
  /** Identities with a socket joined to the chat's room, on any node. */
  identitiesInChat(chatId: string): Promise<string[]>;
  /** `identityId` in each notice is the member's identity; the sink names them and picks who hears it. */
  emit(notices: DeliveryNotice[]): void;
}

/**
 * Per-member delivery positions for senders' receipts: "delivered" moves when a device of
 * the member had the chat open as a message was committed, or fetched it later (catch-up,
 * history); "emailed" when a notification email was queued; "read" is the member's read
 * position. A message's state for its sender follows from these (docs/email-bridge.md).
 */
export class DeliveryTracker {
  private sink: ReceiptSink | null = null;
  private readonly dirty = new Map<string, number>();
  private running: Promise<void> | null = null;
  /**
   * Commits within this long share one flush. At light load a commit holds a message or two,
   * and every flush is two statements (who has the chats open is asked of the sockets; the
   * upsert, then who may hear of it): per message, more than the append itself. Receipts are
   * an indicator, 50 ms later is not seen.
   */
  private static readonly COALESCE_MS = 50;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  attach(sink: ReceiptSink): void {
    this.sink = sink;
  }

  /** After a commit: whoever has the chat open got it. Coalesced per chat, off the send path. */
  messagesCommitted(messages: { chatId: string; seq: number }[]): void {
    for (const m of messages) this.dirty.set(m.chatId, Math.max(this.dirty.get(m.chatId) ?? 0, m.seq));
    // A flush under way takes up what arrives meanwhile.
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.flush().finally(() => (this.running = null));
    }, DeliveryTracker.COALESCE_MS);
    this.timer.unref?.();
  }

  /** Shutting down: receipts not flushed yet are dropped (they are a live indicator only). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty.clear();
  }

  /** Who has each dirty chat open (a few rooms at a time), then one upsert for all of them. */
  private async flush(): Promise<void> {
    while (this.dirty.size > 0 && this.sink) {
      const batch = [...this.dirty];
      this.dirty.clear();
      const chats: string[] = [];
      const identities: string[] = [];
      const seqs: number[] = [];
      try {
        for (let i = 0; i < batch.length; i += 8) {
          const slice = batch.slice(i, i + 8);
          const found = await Promise.all(slice.map(([chatId]) => this.sink!.identitiesInChat(chatId)));
          slice.forEach(([chatId, seq], j) => {
            for (const id of new Set(found[j])) {
              chats.push(chatId);
              identities.push(id);
              seqs.push(seq);
            }
          });
        }
        if (chats.length) await this.upsertDelivered(chats, identities, seqs);
      } catch (err) {
        this.log.warn({ err }, 'delivery receipts failed');
      }
    }
  }

  /** A device of these members has the chat up to `seq`. */
  async delivered(chatId: string, identityIds: string[], seq: number): Promise<void> {
    if (identityIds.length === 0 || seq <= 0) return;
    const ids = [...new Set(identityIds)];
    await this.upsertDelivered(
      ids.map(() => chatId),
      ids,
      ids.map(() => seq),
    );
  }

  private async upsertDelivered(chats: string[], identities: string[], seqs: number[]): Promise<void> {
    const res = await this.pool.query<{ chat_id: string; identity_id: string; delivered_seq: number; emailed_seq: number }>(
      `INSERT INTO delivery_state (chat_id, identity_id, delivered_seq)
       SELECT m.chat_id, m.identity_id, max(u.seq)
         FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS u(chat_id, identity_id, seq)
         JOIN member m ON m.chat_id = u.chat_id AND m.identity_id = u.identity_id
        GROUP BY m.chat_id, m.identity_id
       ON CONFLICT (chat_id, identity_id) DO UPDATE SET delivered_seq = EXCLUDED.delivered_seq
         WHERE delivery_state.delivered_seq < EXCLUDED.delivered_seq
       RETURNING chat_id, identity_id, delivered_seq, emailed_seq`,
      [chats, identities, seqs],
    );
    this.sink?.emit(
      res.rows.map((r) => ({ chatId: r.chat_id, identityId: r.identity_id, deliveredSeq: r.delivered_seq, emailedSeq: r.emailed_seq })),
    );
  }

  /** The emailed position moved (called by the notifier after its transaction committed). */
  async emailed(chatId: string, identityId: string): Promise<void> {
    const res = await this.pool.query<{ delivered_seq: number; emailed_seq: number }>(
      `SELECT delivered_seq, emailed_seq FROM delivery_state WHERE chat_id = $1 AND identity_id = $2`,
      [chatId, identityId],
    );
    const r = res.rows[0];
    if (r) this.sink?.emit([{ chatId, identityId, deliveredSeq: r.delivered_seq, emailedSeq: r.emailed_seq }]);
  }

  /** Every member's positions; the caller must already be checked as a member. */
  async view(chatId: string): Promise<DeliveryView> {
    const res = await this.pool.query<{
      identity_id: string;
      address: string;
      last_read_seq: number;
      delivered_seq: number | null;
      emailed_seq: number | null;
    }>(
      `SELECT m.identity_id, m.address, m.last_read_seq, d.delivered_seq, d.emailed_seq
         FROM member m LEFT JOIN delivery_state d ON d.chat_id = m.chat_id AND d.identity_id = m.identity_id
        WHERE m.chat_id = $1 ORDER BY m.joined_at`,
      [chatId],
    );
    return {
      chatId,
      members: res.rows.map((r) => ({
        identityId: r.identity_id,
        address: r.address,
        deliveredSeq: Math.max(r.delivered_seq ?? 0, r.last_read_seq),
        emailedSeq: r.emailed_seq ?? 0,
        readSeq: r.last_read_seq,
      })),
    };
  }
}
