/**
 * The stored objects and which chats hold them: taking an object into a chat and letting it go
 * when the last live message showing it is deleted. Built before the chat domain (it needs only
 * the pool, the store and the message logs), so deleting a message can release its file without
 * the chat domain knowing the media service.
 */
import type pg from 'pg';
import type { MessageView, Retention } from '../../../protocol/index.ts';
import { lastingRetentions, retentionLasts, type MessageLogs } from '../chats/message-log.ts';
import { inTransaction } from '../db/pool.ts';
import { attachmentOf } from '../chats/attachment-body.ts';
import type { MediaStore } from './store.ts';

/** The durable job that runs sweepUnshown once per period (backend/src/jobs/recurring.ts). */
export const MEDIA_SWEEP_QUEUE = 'media.sweep';

export class MediaObjects {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: MediaStore,
    private readonly logs: MessageLogs,
  ) {}

  /**
   * A message with an attachment was deleted: the chat loses its objects unless another live
   * message of the chat still shows them, and an object no chat has any more leaves the store.
   */
  async release(message: MessageView): Promise<void> {
    const attachment = attachmentOf(message);
    if (!attachment) return;
    for (const mediaId of [attachment.mediaId, attachment.previewMediaId]) {
      if (!mediaId || (await this.stillShown(message.chatId, mediaId))) continue;
      await this.letGo(message.chatId, mediaId);
    }
  }

  /**
   * Store hygiene: objects stored more than `graceMs` ago that no live message of their chat shows
   * (an upload never posted; an ephemeral message that expired, or whose chat ended) leave the
   * chat, and the store once no chat holds them. The grace is the time a sender has between the
   * last byte and posting. Returns how many objects left the store.
   */
  async sweepUnshown(graceMs: number): Promise<number> {
    let removed = 0;
    let after = { chatId: '00000000-0000-0000-0000-000000000000', mediaId: '' };
    for (;;) {
      // Archived chats are judged here in SQL; a log that does not last is read by stillShown.
      const page = await this.pool.query<{ chat_id: string; media_id: string }>(
        `SELECT DISTINCT u.chat_id, u.media_id FROM media_upload u JOIN chat c ON c.id = u.chat_id
          WHERE u.media_id IS NOT NULL AND u.stored_at < now() - $1 * interval '1 millisecond'
            AND (u.chat_id, u.media_id) > ($2::uuid, $3)
            AND NOT (c.retention = ANY($4::"Retention"[]) AND EXISTS (
                  SELECT 1 FROM message m WHERE m.chat_id = u.chat_id AND m.kind = 'ATTACHMENT' AND m.deleted_at IS NULL
                     AND (m.body::jsonb ->> 'mediaId' = u.media_id OR m.body::jsonb ->> 'previewMediaId' = u.media_id)))
          ORDER BY u.chat_id, u.media_id LIMIT 200`,
        [graceMs, after.chatId, after.mediaId, lastingRetentions()],
      );
      for (const r of page.rows) {
        if (await this.stillShown(r.chat_id, r.media_id)) continue;
        if (await this.letGo(r.chat_id, r.media_id, graceMs)) removed++;
      }
      const last = page.rows[page.rows.length - 1];
      if (!last || page.rows.length < 200) return removed;
      after = { chatId: last.chat_id, mediaId: last.media_id };
    }
  }

  /**
   * The chat's uploads of the object (only those stored before `olderThanMs`, when given: a new
   * upload of the same bytes still has its grace) are forgotten; true when the store lost it.
   */
  private async letGo(chatId: string, mediaId: string, olderThanMs?: number): Promise<boolean> {
    let removed = false;
    await this.underLock(mediaId, async (tx) => {
      await tx.query(
        `DELETE FROM media_upload WHERE chat_id = $1 AND media_id = $2
            AND ($3::float8 IS NULL OR stored_at < now() - $3 * interval '1 millisecond')`,
        [chatId, mediaId, olderThanMs ?? null],
      );
      const left = await tx.query(`SELECT 1 FROM media_upload WHERE media_id = $1 LIMIT 1`, [mediaId]);
      if (left.rowCount === 0) {
        await this.store.remove(mediaId);
        removed = true;
      }
    });
    return removed;
  }

  /** Storing and removing one object take turns across nodes, so a removal never takes bytes a new upload just claimed. */
  underLock(mediaId: string, work: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    return inTransaction(this.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('media-object:' || $1))`, [mediaId]);
      await work(tx);
    });
  }

  /** Whether a live (not deleted) message of the chat shows the object, as file or as preview. */
  private async stillShown(chatId: string, mediaId: string): Promise<boolean> {
    const chat = await this.pool.query<{ retention: Retention }>(`SELECT retention FROM chat WHERE id = $1`, [chatId]);
    const retention = chat.rows[0]?.retention;
    if (!retention) return false;
    if (!retentionLasts(retention)) {
      // A log that does not last is small and kept in memory or Redis: its messages are read whole.
      const { messages } = await this.logs.of({ retention }).page(chatId, { after: 0, limit: 100_000 });
      return messages.some((m) => {
        const a = m.deleted ? null : attachmentOf(m);
        return a !== null && (a.mediaId === mediaId || a.previewMediaId === mediaId);
      });
    }
    const res = await this.pool.query(
      `SELECT 1 FROM message WHERE chat_id = $1 AND kind = 'ATTACHMENT' AND deleted_at IS NULL
          AND (body::jsonb ->> 'mediaId' = $2 OR body::jsonb ->> 'previewMediaId' = $2) LIMIT 1`,
      [chatId, mediaId],
    );
    return (res.rowCount ?? 0) > 0;
  }
}
