/**
 * The stored objects and which chats hold them: taking an object into a chat and letting it go
 * when the last live message showing it is deleted. Built before the chat domain (it needs only
 * the pool, the store and the message logs), so deleting a message can release its file without
 * the chat domain knowing the media service.
 */
import type pg from 'pg';
import type { MessageView, Retention } from '../../../protocol/index.ts';
import { retentionLasts, type MessageLogs } from '../chats/message-log.ts';
import { inTransaction } from '../db/pool.ts';
import { attachmentOf } from '../chats/attachment-body.ts';
import type { MediaStore } from './store.ts';

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
      await this.underLock(mediaId, async (tx) => {
        await tx.query(`DELETE FROM media_upload WHERE chat_id = $1 AND media_id = $2`, [message.chatId, mediaId]);
        const left = await tx.query(`SELECT 1 FROM media_upload WHERE media_id = $1 LIMIT 1`, [mediaId]);
        if (left.rowCount === 0) await this.store.remove(mediaId);
      });
    }
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
