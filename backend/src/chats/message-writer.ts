import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { MessageKind, MessageView } from '../../../protocol/index.ts';
import { MESSAGE_COLUMNS, messageView, type MessageRow } from './views.ts';

export interface NewMessage {
  chatId: string;
  clientId: string;
  /** null for system events. */
  authorId: string | null;
  authorAddress: string | null;
  kind: MessageKind;
  body: string;
  targetSeq?: number | null;
  /** Domain-made events skip the membership check; member sends never do. */
  trusted?: boolean;
}

interface Pending {
  msg: NewMessage;
  resolve(m: MessageView): void;
  reject(e: unknown): void;
}

export interface WriterStats {
  batches: number;
  messages: number;
}

/**
 * Appends messages to archived chats with group commit: sends that arrive while a commit
 * is in flight are written together in the next transaction, so one fsync covers many
 * messages. Each batch locks its chats' rows (in id order, so nodes never deadlock), checks
 * membership and idempotency keys under that lock, and numbers each chat's messages
 * last_seq+1, +2, ... — gap-free and duplicate-free across processes.
 * A send resolves only after its transaction committed.
 */
export class MessageWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private drainWaiters: (() => void)[] = [];
  readonly stats: WriterStats = { batches: 0, messages: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly onCommitted: (messages: MessageView[]) => void,
    private readonly maxBatch = 500,
    private readonly maxConcurrent = 2,
  ) {}

  append(msg: NewMessage): Promise<MessageView> {
    return new Promise((resolve, reject) => {
      this.queue.push({ msg, resolve, reject });
      this.pump();
    });
  }

  /** Resolves when every queued and in-flight send has committed or failed (for shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxConcurrent) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.flush(batch)
        .catch((err) => {
          for (const p of batch) p.reject(err);
        })
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.pump();
          else if (this.inFlight === 0) for (const w of this.drainWaiters.splice(0)) w();
        });
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    const client = await this.pool.connect();
    let committed: { pending: Pending; view: MessageView; fresh: boolean }[] = [];
    try {
      await client.query('BEGIN');
      committed = await appendInTransaction(client, batch);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    this.stats.batches++;
    const fresh: MessageView[] = [];
    for (const c of committed) {
      if (c.fresh) fresh.push(c.view);
      c.pending.resolve(c.view);
    }
    this.stats.messages += fresh.length;
    if (fresh.length > 0) this.onCommitted(fresh);
  }
}

/**
 * The body of one batch, inside an open transaction. Rejects the items that fail their
 * checks (they never take a seq) and returns the rest with their committed views.
 */
export async function appendInTransaction(
  client: pg.PoolClient,
  batch: Pending[],
): Promise<{ pending: Pending; view: MessageView; fresh: boolean }[]> {
  const chatIds = [...new Set(batch.map((p) => p.msg.chatId))].sort();
  const chats = await client.query<{ id: string; last_seq: number; ended_at: Date | null; retention: string }>(
    'SELECT id, last_seq, ended_at, retention FROM chat WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE',
    [chatIds],
  );
  const chatById = new Map(chats.rows.map((c) => [c.id, c]));

  const authorIds = [...new Set(batch.flatMap((p) => (p.msg.authorId && !p.msg.trusted ? [p.msg.authorId] : [])))];
  const memberKeys = new Set<string>();
  if (authorIds.length > 0) {
    const members = await client.query<{ chat_id: string; identity_id: string }>(
      'SELECT chat_id, identity_id FROM member WHERE chat_id = ANY($1::uuid[]) AND identity_id = ANY($2::uuid[])',
      [chatIds, authorIds],
    );
    for (const m of members.rows) memberKeys.add(`${m.chat_id}|${m.identity_id}`);
  }

  const existing = await client.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM message
      WHERE (chat_id, client_id) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
    [batch.map((p) => p.msg.chatId), batch.map((p) => p.msg.clientId)],
  );
  const byKey = new Map<string, MessageRow>(existing.rows.map((r) => [`${r.chat_id}|${r.client_id}`, r]));

  const now = new Date();
  const nextSeq = new Map<string, number>();
  const out: { pending: Pending; view: MessageView; fresh: boolean }[] = [];
  const rows: MessageRow[] = [];
  const duplicatesInBatch = new Map<string, Pending[]>();

  for (const p of batch) {
    const m = p.msg;
    const chat = chatById.get(m.chatId);
    if (!chat) {
      p.reject(new AppError('NOT_FOUND', 'chat not found'));
      continue;
    }
    if (!m.trusted && m.authorId && !memberKeys.has(`${m.chatId}|${m.authorId}`)) {
      p.reject(new AppError('FORBIDDEN', 'Only members of this chat can post in it'));
      continue;
    }
    if (chat.ended_at && m.kind !== 'SYSTEM') {
      p.reject(new AppError('CHAT_ENDED', 'This chat has ended; no new messages can be posted'));
      continue;
    }
    const key = `${m.chatId}|${m.clientId}`;
    const prior = byKey.get(key);
    if (prior) {
      if (prior.author_id !== m.authorId) {
        p.reject(new AppError('CONFLICT', 'That message id is already used in this chat'));
      } else {
        out.push({ pending: p, view: messageView(prior), fresh: false });
      }
      continue;
    }
    const twins = duplicatesInBatch.get(key);
    if (twins) {
      twins.push(p);
      continue;
    }
    duplicatesInBatch.set(key, []);
    const seq = (nextSeq.get(m.chatId) ?? chat.last_seq) + 1;
    nextSeq.set(m.chatId, seq);
    const row: MessageRow = {
      chat_id: m.chatId,
      seq,
      client_id: m.clientId,
      author_id: m.authorId,
      author_address: m.authorAddress,
      kind: m.kind,
      body: m.body,
      target_seq: m.targetSeq ?? null,
      created_at: now,
      deleted_at: null,
    };
    rows.push(row);
    byKey.set(key, row);
    out.push({ pending: p, view: messageView(row), fresh: true });
  }
  // A retry racing its original inside one batch gets the original's result.
  for (const [key, twins] of duplicatesInBatch) {
    const row = byKey.get(key)!;
    for (const t of twins) {
      if (t.msg.authorId !== row.author_id) t.reject(new AppError('CONFLICT', 'That message id is already used in this chat'));
      else out.push({ pending: t, view: messageView(row), fresh: false });
    }
  }
  if (rows.length === 0) return out;

  await client.query(
    `INSERT INTO message (chat_id, seq, client_id, author_id, author_address, kind, body, target_seq, created_at)
     SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::uuid[], $5::text[], $6::"MessageKind"[], $7::text[], $8::int[], $9::timestamp(3)[])`,
    [
      rows.map((r) => r.chat_id),
      rows.map((r) => r.seq),
      rows.map((r) => r.client_id),
      rows.map((r) => r.author_id),
      rows.map((r) => r.author_address),
      rows.map((r) => r.kind),
      rows.map((r) => r.body),
      rows.map((r) => r.target_seq),
      rows.map(() => toTimestamp(now)),
    ],
  );
  await client.query(
    `UPDATE chat SET last_seq = v.seq, last_activity_at = $3::timestamp(3)
       FROM unnest($1::uuid[], $2::int[]) AS v(id, seq) WHERE chat.id = v.id`,
    [[...nextSeq.keys()], [...nextSeq.values()], toTimestamp(now)],
  );
  // Posting marks everything up to one's own message as read.
  const readBy = new Map<string, { chat: string; author: string; seq: number }>();
  for (const r of rows) {
    if (r.author_id && r.kind === 'TEXT') readBy.set(`${r.chat_id}|${r.author_id}`, { chat: r.chat_id, author: r.author_id, seq: r.seq });
  }
  if (readBy.size > 0) {
    const v = [...readBy.values()];
    await client.query(
      `UPDATE member SET last_read_seq = GREATEST(member.last_read_seq, v.seq)
         FROM unnest($1::uuid[], $2::uuid[], $3::int[]) AS v(chat_id, identity_id, seq)
        WHERE member.chat_id = v.chat_id AND member.identity_id = v.identity_id`,
      [v.map((x) => x.chat), v.map((x) => x.author), v.map((x) => x.seq)],
    );
  }
  return out;
}

/** Prisma stores TIMESTAMP(3) without zone, in UTC; pass the same. */
function toTimestamp(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}
