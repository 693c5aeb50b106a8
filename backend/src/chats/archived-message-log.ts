import type pg from 'pg';
import { SAID_KINDS, type HistoryPage, type MessageRevisionView, type MessageView } from '../../../protocol/index.ts';
import { type ChatPreview, type NewMessage, type LoggedChat, type MessageLog, type Placed, type ReadPosition } from './message-log.ts';
import type { MessageWriter } from './message-writer.ts';
import { MESSAGE_COLUMNS, messageView, type MessageRow } from './views.ts';

/**
 * Archived chats' messages: rows of the message table, appended by the group-commit writer
 * (which announces them after each commit) and numbered by the chat row's last_seq.
 */
export class ArchivedMessageLog implements MessageLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly writer: MessageWriter,
  ) {}

  // Not awaited: the writer queues the message when called, which is what fixes its place.
  async append(m: NewMessage): Promise<Placed> {
    return { committed: this.writer.append(m) };
  }

  async get(chatId: string, seq: number): Promise<MessageView | undefined> {
    const { rows } = await this.pool.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq = $2`, [
      chatId,
      seq,
    ]);
    return rows[0] && messageView(rows[0]);
  }

  // A deleted message keeps no text anywhere (its row, earlier revisions, the EDIT events that carried them), nor reactions.
  async tombstone(chatId: string, seq: number): Promise<boolean> {
    const updated = await this.pool.query(
      `WITH dead AS (
         UPDATE message SET deleted_at = now(), body = '' WHERE chat_id = $1 AND seq = $2 AND deleted_at IS NULL RETURNING seq
       ),
       revisions AS (DELETE FROM message_revision WHERE chat_id = $1 AND seq IN (SELECT seq FROM dead)),
       reactions AS (DELETE FROM message_reaction WHERE chat_id = $1 AND seq IN (SELECT seq FROM dead)),
       edits AS (UPDATE message SET body = '' WHERE chat_id = $1 AND kind = 'EDIT' AND target_seq IN (SELECT seq FROM dead))
       SELECT seq FROM dead`,
      [chatId, seq],
    );
    if (updated.rowCount === 0) return false;
    // A deleted message leaves no readable copy behind, in any language.
    await this.pool.query('DELETE FROM message_translation WHERE chat_id = $1 AND seq = $2', [chatId, seq]);
    return true;
  }

  async revise(chatId: string, seq: number, body: string, at: Date): Promise<boolean> {
    const updated = await this.pool.query(
      `WITH target AS (
         SELECT chat_id, seq, body, COALESCE(edited_at, created_at) AS written_at FROM message
          WHERE chat_id = $1 AND seq = $2 AND kind = 'TEXT' AND deleted_at IS NULL FOR UPDATE
       ),
       kept AS (
         INSERT INTO message_revision (chat_id, seq, revision, body, written_at, replaced_at)
         SELECT chat_id, seq, (SELECT count(*) + 1 FROM message_revision r WHERE r.chat_id = $1 AND r.seq = $2), body, written_at, $4
           FROM target
       )
       UPDATE message m SET body = $3, edited_at = $4 FROM target t WHERE m.chat_id = t.chat_id AND m.seq = t.seq`,
      [chatId, seq, body, at],
    );
    if (updated.rowCount === 0) return false;
    // Translations of the old text would show words the author took back: they are made again on demand.
    await this.pool.query('DELETE FROM message_translation WHERE chat_id = $1 AND seq = $2', [chatId, seq]);
    return true;
  }

  async revisions(chatId: string, seq: number): Promise<MessageRevisionView[]> {
    const { rows } = await this.pool.query<{ revision: number; body: string; written_at: Date; replaced_at: Date }>(
      `SELECT revision, body, written_at, replaced_at FROM message_revision WHERE chat_id = $1 AND seq = $2 ORDER BY revision`,
      [chatId, seq],
    );
    return rows.map((r) => ({
      revision: r.revision,
      body: r.body,
      writtenAt: r.written_at.toISOString(),
      replacedAt: r.replaced_at.toISOString(),
    }));
  }

  async page(chatId: string, q: { before?: number; after?: number; limit: number }): Promise<HistoryPage> {
    const { limit } = q;
    const rows =
      q.after !== undefined
        ? await this.pool.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3`,
            [chatId, q.after, limit + 1],
          )
        : await this.pool.query<MessageRow>(
            `SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
            [chatId, q.before ?? 2_147_483_647, limit + 1],
          );
    return { messages: rows.rows.slice(0, limit).map(messageView), hasMore: rows.rows.length > limit };
  }

  // The chat row's counter is the log's: the writer moves both in one statement.
  async lastSeq(chat: LoggedChat): Promise<number> {
    return chat.lastSeq;
  }

  async readCeiling(): Promise<number | null> {
    return null;
  }

  async previews(chats: LoggedChat[]): Promise<Map<string, ChatPreview>> {
    const last = new Map<string, MessageView>();
    if (chats.length > 0) {
      const { rows } = await this.pool.query<MessageRow>(
        `SELECT l.* FROM unnest($1::uuid[]) AS c(id)
           CROSS JOIN LATERAL (
             SELECT ${MESSAGE_COLUMNS} FROM message WHERE chat_id = c.id AND kind = 'TEXT' ORDER BY seq DESC LIMIT 1) l`,
        [chats.map((c) => c.id)],
      );
      for (const r of rows) last.set(r.chat_id, messageView(r));
    }
    return new Map(chats.map((c) => [c.id, { lastSeq: c.lastSeq, lastText: last.get(c.id) ?? null }]));
  }

  async unread(identityId: string, positions: ReadPosition[]): Promise<Map<string, number>> {
    if (positions.length === 0) return new Map();
    const { rows } = await this.pool.query<{ chat_id: string; unread: number }>(
      `SELECT v.chat_id, count(m.seq)::int AS unread
         FROM unnest($1::uuid[], $2::int[]) AS v(chat_id, after_seq)
         LEFT JOIN message m
           ON m.chat_id = v.chat_id AND m.seq > v.after_seq AND m.kind::text = ANY($4::text[])
          AND m.deleted_at IS NULL AND m.author_id IS DISTINCT FROM $3::uuid
        GROUP BY v.chat_id`,
      [positions.map((p) => p.chatId), positions.map((p) => p.lastReadSeq), identityId, [...SAID_KINDS]],
    );
    return new Map(rows.map((r) => [r.chat_id, r.unread]));
  }

  /** An ended archived chat keeps its messages. */
  async ended(): Promise<void> {}
}
