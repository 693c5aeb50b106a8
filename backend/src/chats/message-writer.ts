import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { MessageKind, MessageView } from '../../../protocol/index.ts';
import { POSTING_RULES, refusalError, type PostingRefusal } from './posting-rules.ts';
import { messageView, type MessageRow } from './views.ts';
import type { NewMessage } from './message-log.ts';

interface Lane {
  queue: Pending[];
  busy: boolean;
}

/** A stable lane for a chat id (a UUID: its first 8 hex digits are random enough). */
function laneOf(chatId: string, lanes: number): number {
  return lanes === 1 ? 0 : (Number.parseInt(chatId.slice(0, 8), 16) || 0) % lanes;
}

interface Pending {
  msg: NewMessage;
  resolve(m: MessageView): void;
  reject(e: unknown): void;
}

/** What the writer counts; the commit metrics live with the onCommitted callback (server.ts). */
export interface WriterStats {
  /** Refused batches split (by chat, then in halves) to find the item the database refused: tests check a split happened. */
  isolated: number;
  /** Batches answered by the race fallback (appendAfterLocking): tests check the race path ran. */
  raced: number;
}

/**
 * Appends messages to archived chats with group commit: sends that arrive while a commit
 * is in flight are written together in the next batch (one statement, one round trip), so
 * one fsync covers many messages. Each batch locks its chats' rows (in id order, so nodes never deadlock), checks
 * membership and idempotency keys under that lock, and numbers each chat's messages
 * last_seq+1, +2, ... — gap-free and duplicate-free across processes.
 * A send resolves only after its transaction committed.
 */
export class MessageWriter {
  private readonly lanes: Lane[];
  private drainWaiters: (() => void)[] = [];
  readonly stats: WriterStats = { isolated: 0, raced: 0 };

  /**
   * `lanes` independent group-commit queues, one batch in flight each. A chat always maps to
   * the same lane, so its sends commit in arrival order (two batches of one chat on two
   * connections could take the chat lock in either order), while chats of different lanes
   * commit in parallel and keep more than one database core busy. Half the pool by default
   * (measured: 8 lanes beat 4 beat 2 under load, docs/performance.md), leaving the other half
   * to joins, history and the rest.
   */
  constructor(
    private readonly pool: pg.Pool,
    /** Called after each batch commit with its fresh messages and how long the commit took. */
    private readonly onCommitted: (messages: MessageView[], commitSeconds: number) => void,
    private readonly maxBatch = 500,
    lanes = Math.max(1, Math.floor((pool.options?.max ?? 4) / 2)),
  ) {
    this.lanes = Array.from({ length: lanes }, () => ({ queue: [], busy: false }));
  }

  append(msg: NewMessage): Promise<MessageView> {
    return new Promise((resolve, reject) => {
      const lane = this.lanes[laneOf(msg.chatId, this.lanes.length)]!;
      lane.queue.push({ msg, resolve, reject });
      // While a lane's batch commits, its later sends gather into the next batch (group commit).
      if (!lane.busy) this.pump(lane);
    });
  }

  /** Resolves when every queued and in-flight send has committed or failed (for shutdown). */
  drain(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.lanes.every((l) => !l.busy && l.queue.length === 0);
  }

  private pump(lane: Lane): void {
    const batch = lane.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    lane.busy = true;
    this.flush(batch)
      .catch((err) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        lane.busy = false;
        if (lane.queue.length > 0) this.pump(lane);
        else if (this.idle()) for (const w of this.drainWaiters.splice(0)) w();
      });
  }

  private async flush(batch: Pending[]): Promise<void> {
    let committed: Committed[];
    const started = performance.now();
    try {
      committed = await this.commit(batch);
    } catch (err) {
      // One item the database refuses (a byte PostgreSQL cannot store, say) must not fail the
      // other chats' messages that happened to share its batch. The failed statement committed
      // nothing, so the batch is tried again in parts, down to the item that carries the error.
      if (batch.length === 1 || !isItemError(err)) throw err;
      this.stats.isolated++;
      // In order, so a chat's messages keep their arrival order across the parts.
      for (const part of isolationParts(batch)) await this.flushIsolated(part);
      return;
    }
    const fresh: MessageView[] = [];
    for (const c of committed) {
      if (c.fresh) fresh.push(c.view);
      c.pending.resolve(c.view);
    }
    if (fresh.length > 0) this.onCommitted(fresh, (performance.now() - started) / 1000);
  }

  private async flushIsolated(part: Pending[]): Promise<void> {
    await this.flush(part).catch((err) => {
      for (const p of part) p.reject(err);
    });
  }

  private async commit(batch: Pending[]): Promise<Committed[]> {
    try {
      return await appendInOneStatement(this.pool, batch);
    } catch (err) {
      // The one-statement path reads idempotency keys in the snapshot it started with, so a
      // retry whose original another process committed meanwhile trips the unique key. The same
      // statement run again after taking the chat locks sees that commit and answers it.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      this.stats.raced++;
      return appendAfterLocking(this.pool, batch);
    }
  }
}

type Committed = { pending: Pending; view: MessageView; fresh: boolean };

const UNIQUE_VIOLATION = '23505';

/**
 * How a refused batch is retried: one part per chat first (the other chats commit at once, and
 * a bad item almost always shares its chat with the next ones), then halves of a single chat.
 */
function isolationParts(batch: Pending[]): Pending[][] {
  const byChat = new Map<string, Pending[]>();
  for (const p of batch) {
    const part = byChat.get(p.msg.chatId);
    if (part) part.push(p);
    else byChat.set(p.msg.chatId, [p]);
  }
  if (byChat.size > 1) return [...byChat.values()];
  const half = Math.ceil(batch.length / 2);
  return [batch.slice(0, half), batch.slice(half)];
}

/**
 * A refusal caused by what one item holds: SQLSTATE class 22 (data exception, e.g. a NUL byte)
 * or 23 (integrity constraint). Connection loss and the like fail every item alike, so a batch
 * is split only for these.
 */
function isItemError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * The whole batch as one autocommitted statement: one round trip to the database instead of
 * eight (BEGIN, lock, members, keys, insert, chat, read position, COMMIT). Chats are locked in id
 * order (FOR UPDATE returns their latest last_seq even when another process committed since this
 * statement's snapshot), the posting rules (posting-rules.ts) and the idempotency check decide a
 * verdict per item, and only fresh items take a seq,
 * numbered in batch order. The promise resolves after the commit (ReadyForQuery follows it).
 * This statement is the one ordering rule of archived chats; appendAfterLocking reuses it.
 */
const APPEND_SQL = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::"MessageKind"[], $6::text[], $7::int[], $8::bool[], $10::text[])
    WITH ORDINALITY AS t(chat_id, client_id, author_id, author_address, kind, body, target_seq, trusted, mentions, ord)
),
locked AS MATERIALIZED (
  SELECT id, last_seq, ended_at FROM chat WHERE id IN (SELECT chat_id FROM input) ORDER BY id FOR UPDATE
),
prior AS MATERIALIZED (
  SELECT m.* FROM message m WHERE (m.chat_id, m.client_id) IN (SELECT chat_id, client_id FROM input)
),
checked AS MATERIALIZED (
  SELECT i.*, l.last_seq,
    CASE ${POSTING_RULES}
      WHEN p.chat_id IS NOT NULL THEN 'PRIOR'
      ELSE 'NEW'
    END AS verdict
  FROM input i
  LEFT JOIN locked l ON l.id = i.chat_id
  LEFT JOIN prior p ON p.chat_id = i.chat_id AND p.client_id = i.client_id
),
numbered AS MATERIALIZED (
  SELECT f.*, (f.last_seq + row_number() OVER (PARTITION BY f.chat_id ORDER BY f.ord))::int AS seq
    FROM (SELECT DISTINCT ON (chat_id, client_id) * FROM checked WHERE verdict = 'NEW' ORDER BY chat_id, client_id, ord) f
),
inserted AS (
  INSERT INTO message (chat_id, seq, client_id, author_id, author_address, kind, body, target_seq, created_at)
  SELECT chat_id, seq, client_id, author_id, author_address, kind, body, target_seq, $9::timestamptz(3) FROM numbered
),
mentioned AS (
  -- Comma-joined identity ids per message (arrays of arrays cannot be ragged).
  INSERT INTO message_mention (chat_id, seq, identity_id)
  SELECT DISTINCT chat_id, seq, unnest(string_to_array(mentions, ','))::uuid FROM numbered WHERE mentions <> ''
),
chat_moved AS (
  UPDATE chat SET last_seq = n.seq, last_activity_at = $9::timestamptz(3)
    FROM (SELECT chat_id, max(seq) AS seq FROM numbered GROUP BY chat_id) n
   WHERE chat.id = n.chat_id
),
read_moved AS (
  -- Posting marks everything up to one's own message as read.
  UPDATE member SET last_read_seq = GREATEST(member.last_read_seq, r.seq)
    FROM (SELECT chat_id, author_id, max(seq) AS seq FROM numbered WHERE author_id IS NOT NULL AND kind IN ('TEXT', 'ATTACHMENT') GROUP BY chat_id, author_id) r
   WHERE member.chat_id = r.chat_id AND member.identity_id = r.author_id
)
SELECT c.ord::int AS ord, c.verdict, n.seq,
       p.seq AS prior_seq, p.author_id AS prior_author_id, p.author_address AS prior_author_address, p.kind AS prior_kind,
       p.body AS prior_body, p.target_seq AS prior_target_seq, p.created_at AS prior_created_at, p.deleted_at AS prior_deleted_at,
       p.edited_at AS prior_edited_at,
       ARRAY(SELECT mm.identity_id::text FROM message_mention mm WHERE mm.chat_id = p.chat_id AND mm.seq = p.seq) AS prior_mentions
  FROM checked c
  LEFT JOIN numbered n ON n.ord = c.ord
  LEFT JOIN prior p ON c.verdict = 'PRIOR' AND p.chat_id = c.chat_id AND p.client_id = c.client_id`;

interface VerdictRow {
  ord: number;
  verdict: PostingRefusal | 'PRIOR' | 'NEW';
  seq: number | null;
  prior_seq: number | null;
  prior_author_id: string | null;
  prior_author_address: string | null;
  prior_kind: MessageKind | null;
  prior_body: string | null;
  prior_target_seq: number | null;
  prior_created_at: Date | null;
  prior_deleted_at: Date | null;
  prior_edited_at: Date | null;
  prior_mentions: string[];
}

export async function appendInOneStatement(db: pg.Pool | pg.PoolClient, batch: Pending[]): Promise<Committed[]> {
  const now = new Date();
  const result = await db.query<VerdictRow>({
    name: 'inbox-chat-append-messages',
    text: APPEND_SQL,
    values: [
      batch.map((p) => p.msg.chatId),
      batch.map((p) => p.msg.clientId),
      batch.map((p) => p.msg.authorId),
      batch.map((p) => p.msg.authorAddress),
      batch.map((p) => p.msg.kind),
      batch.map((p) => p.msg.body),
      batch.map((p) => p.msg.targetSeq ?? null),
      batch.map((p) => p.msg.trusted === true),
      now,
      batch.map((p) => (p.msg.mentions ?? []).join(',')),
    ],
  });
  const rows = new Array<VerdictRow | undefined>(batch.length);
  for (const r of result.rows) rows[r.ord - 1] = r;
  const out: Committed[] = [];
  const firstByKey = new Map<string, MessageRow>();
  const twins: Pending[] = [];
  batch.forEach((p, i) => {
    const r = rows[i]!;
    const m = p.msg;
    switch (r.verdict) {
      case 'NOT_FOUND':
      case 'FORBIDDEN':
      case 'CHAT_ENDED':
        return p.reject(refusalError(r.verdict));
      case 'PRIOR':
        if (r.prior_author_id !== m.authorId) return p.reject(new AppError('CONFLICT', 'That message id is already used in this chat'));
        out.push({
          pending: p,
          fresh: false,
          view: messageView({
            chat_id: m.chatId,
            seq: r.prior_seq!,
            client_id: m.clientId,
            author_id: r.prior_author_id,
            author_address: r.prior_author_address,
            kind: r.prior_kind!,
            body: r.prior_body!,
            target_seq: r.prior_target_seq,
            created_at: r.prior_created_at!,
            deleted_at: r.prior_deleted_at,
            edited_at: r.prior_edited_at,
            mentions: r.prior_mentions,
          }),
        });
        return;
      case 'NEW': {
        if (r.seq === null) return void twins.push(p);
        const row = newRow(m, r.seq, now);
        firstByKey.set(`${m.chatId}|${m.clientId}`, row);
        out.push({ pending: p, view: messageView(row), fresh: true });
      }
    }
  });
  // A retry racing its original inside one batch gets the original's result.
  for (const t of twins) {
    const row = firstByKey.get(`${t.msg.chatId}|${t.msg.clientId}`)!;
    if (t.msg.authorId !== row.author_id) t.reject(new AppError('CONFLICT', 'That message id is already used in this chat'));
    else out.push({ pending: t, view: messageView(row), fresh: false });
  }
  return out;
}

/**
 * The fallback for a batch whose one statement hit an idempotency key another process committed
 * after the statement's snapshot: the same statement (one ordering rule), run in a transaction
 * after the batch's chat rows are locked. Whoever committed that key held these locks, so the
 * statement, whose snapshot starts after the locks are taken, sees it and answers it as PRIOR.
 */
export async function appendAfterLocking(pool: pg.Pool, batch: Pending[]): Promise<Committed[]> {
  const chatIds = [...new Set(batch.map((p) => p.msg.chatId))].sort();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT id FROM chat WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [chatIds]);
    const committed = await appendInOneStatement(client, batch);
    await client.query('COMMIT');
    return committed;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The row a new message becomes once it has its seq. */
function newRow(m: NewMessage, seq: number, now: Date): MessageRow {
  return {
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
    edited_at: null,
    mentions: m.mentions ?? [],
  };
}
