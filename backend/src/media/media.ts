import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import {
  categoryOf,
  stripControlCharacters,
  type AttachmentView,
  type MediaLinkView,
  type MessageView,
  type SendAttachmentBody,
} from '../../../protocol/index.ts';
import type { ChatContext } from '../chats/context.ts';
import { requireMember } from '../chats/membership.ts';
import type { MessageService } from '../chats/messages.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import { attachmentBody } from '../chats/attachment-body.ts';
import type { EmailedFile } from './emailed-file.ts';
import type { MediaLinks } from './links.ts';
import type { MediaObjects } from './media-objects.ts';
import type { ByteRange, MediaStore } from './store.ts';

export interface MediaLimits {
  maxFileBytes: number;
  /** Bytes one identity may upload in any 24 hours, across chats. */
  maxDailyBytes: number;
}

export interface MediaDeps {
  chats: ChatContext;
  pool: pg.Pool;
  store: MediaStore;
  objects: MediaObjects;
  links: MediaLinks;
  messages: MessageService;
  limits: MediaLimits;
}

type Queryable = Pick<pg.Pool, 'query'>;

interface UploadRow {
  id: string;
  chat_id: string;
  identity_id: string;
  name: string;
  content_type: string;
  size: string | null;
  media_id: string | null;
}

/** What a download serves: the object's bytes and what the uploader said it is. */
export interface Download {
  mediaId: string;
  name: string;
  contentType: string;
  size: number;
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * Files, images and recorded videos of chats: who may upload to a chat and how much, turning a
 * finished upload into a stored object and an ATTACHMENT message, and who may download what.
 * The transfer protocol (tus) and HTTP headers are the adapter's (http/media.ts).
 */
export class MediaService {
  constructor(private readonly d: MediaDeps) {}

  get limits(): MediaLimits {
    return this.d.limits;
  }

  /** A new upload into a chat: only a member, within the per-file and daily caps. */
  async startUpload(
    caller: Caller,
    u: { uploadId: string; chatId: string; name: string; contentType: string; declaredBytes: number | null },
  ): Promise<void> {
    const me = await requireMember(this.d.chats, caller, u.chatId);
    if (me.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended; nothing can be added to it');
    this.checkFileSize(u.declaredBytes ?? 0);
    // One identity's new uploads take turns (on every node), so two started at once cannot both fit the same remainder.
    await inTransaction(this.d.pool, async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('media-quota:' || $1))`, [caller.identityId]);
      await this.checkDaily(tx, caller.identityId, null, u.declaredBytes ?? 0);
      await tx.query(
        `INSERT INTO media_upload (id, chat_id, identity_id, name, content_type, declared_bytes) VALUES ($1, $2, $3, $4, $5, $6)`,
        [u.uploadId, u.chatId, caller.identityId, u.name, u.contentType, u.declaredBytes],
      );
    });
  }

  /**
   * Every later request on an upload (resume, append, cancel): only its uploader, still a member
   * of its chat, and the bytes it would then hold (`upTo`) still within the caps.
   */
  async continueUpload(caller: Caller, uploadId: string, upTo: number): Promise<void> {
    const row = await this.uploadRow(uploadId);
    if (!row || row.identity_id !== caller.identityId) throw new AppError('NOT_FOUND', 'No such upload');
    await requireMember(this.d.chats, caller, row.chat_id);
    this.checkFileSize(upTo);
    await this.checkDaily(this.d.pool, caller.identityId, uploadId, upTo);
  }

  /** Every byte is in: the upload becomes an object of the media store (named by its hash). */
  async finishUpload(uploadId: string, open: () => Readable): Promise<{ mediaId: string; size: number }> {
    const { id, size } = await this.d.store.put(open);
    await this.d.objects.underLock(id, async (tx) => {
      await tx.query(`UPDATE media_upload SET media_id = $2, size = $3, stored_at = now() WHERE id = $1`, [uploadId, id, size]);
      // A release may have removed these same bytes between the put and the lock: now referenced, they are put back.
      if ((await this.d.store.size(id)) === null) await this.d.store.put(open);
    });
    return { mediaId: id, size };
  }

  /** Uploads left unfinished longer than `olderThanMs` no longer count against anyone's daily cap. */
  async forgetUnfinished(olderThanMs: number): Promise<void> {
    await this.d.pool.query(`DELETE FROM media_upload WHERE media_id IS NULL AND created_at < now() - $1 * interval '1 millisecond'`, [
      olderThanMs,
    ]);
  }

  /** Files attached to an emailed reply: every one within the per-file cap, all together within the daily one. */
  async checkEmailedFiles(caller: Caller, chatId: string, files: EmailedFile[]): Promise<void> {
    if (files.length === 0) return;
    await requireMember(this.d.chats, caller, chatId);
    for (const f of files) this.checkFileSize(f.content.byteLength);
    await this.checkDaily(
      this.d.pool,
      caller.identityId,
      null,
      files.reduce((n, f) => n + f.content.byteLength, 0),
    );
  }

  /**
   * Stores one file of an emailed reply and posts it, as the upload and attachment of the member.
   * `clientId` comes from the email's Message-ID, so a redelivered email posts nothing twice.
   */
  async postEmailedFile(caller: Caller, chatId: string, clientId: string, file: EmailedFile): Promise<MessageView> {
    const uploadId = createHash('sha256').update(`email|${chatId}|${clientId}`).digest('hex').slice(0, 32);
    const name = stripControlCharacters(file.name).trim().slice(0, 255) || 'attachment';
    const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(file.contentType) ? file.contentType : 'application/octet-stream';
    await this.d.pool.query(
      `INSERT INTO media_upload (id, chat_id, identity_id, name, content_type, declared_bytes) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING`,
      [uploadId, chatId, caller.identityId, name, contentType, file.content.byteLength],
    );
    await this.finishUpload(uploadId, () => Readable.from([Buffer.from(file.content)]));
    return this.postAttachment(caller, chatId, { clientId, uploadId });
  }

  /** Posts a stored upload of mine as a message; CONFLICT while any byte of it is missing. */
  async postAttachment(caller: Caller, chatId: string, body: SendAttachmentBody): Promise<MessageView> {
    await requireMember(this.d.chats, caller, chatId);
    const upload = await this.storedUploadOf(caller, chatId, body.uploadId);
    const category = categoryOf(upload.content_type);
    let previewMediaId: string | null = null;
    if (body.previewUploadId) {
      const preview = await this.storedUploadOf(caller, chatId, body.previewUploadId);
      if (categoryOf(preview.content_type) !== 'IMAGE') throw new AppError('BAD_INPUT', 'A preview must be an image');
      previewMediaId = preview.media_id;
    }
    const attachment: AttachmentView = {
      mediaId: upload.media_id!,
      name: upload.name,
      contentType: upload.content_type,
      size: Number(upload.size),
      category,
      previewMediaId,
      durationMs: category === 'VIDEO' ? (body.durationMs ?? null) : null,
      width: category === 'FILE' ? null : (body.width ?? null),
      height: category === 'FILE' ? null : (body.height ?? null),
    };
    return this.d.messages.sendAttachment(caller, chatId, body.clientId, attachmentBody(attachment));
  }

  /** A short-lived link to one of the chat's objects, for me. */
  async link(caller: Caller, chatId: string, mediaId: string): Promise<MediaLinkView> {
    await requireMember(this.d.chats, caller, chatId);
    await this.objectOf(chatId, mediaId);
    const { token, expiresAt } = this.d.links.sign(chatId, mediaId, caller.identityId);
    return { url: `/media/${chatId}/${mediaId}?link=${token}`, expiresAt: expiresAt.toISOString() };
  }

  /** A download by link: the link must be genuine and its member still in the chat, the object the chat's. */
  async download(chatId: string, mediaId: string, token: string): Promise<Download> {
    const identityId = this.d.links.verify(token, chatId, mediaId);
    if (!identityId) throw new AppError('UNAUTHENTICATED', 'This download link is not valid (it may have expired): open the chat again');
    const member = await this.d.pool.query(`SELECT 1 FROM member WHERE chat_id = $1 AND identity_id = $2`, [chatId, identityId]);
    if (member.rowCount === 0) throw new AppError('NOT_IN_AUDIENCE', 'You are not a member of this chat');
    const row = await this.objectOf(chatId, mediaId);
    return {
      mediaId,
      name: row.name,
      contentType: row.content_type,
      size: Number(row.size),
      open: (range) => this.d.store.read(mediaId, range),
    };
  }

  private checkFileSize(bytes: number): void {
    if (bytes > this.d.limits.maxFileBytes) {
      throw new AppError('TOO_LARGE', `A file can have at most ${formatBytes(this.d.limits.maxFileBytes)}`, {
        maxBytes: this.d.limits.maxFileBytes,
      });
    }
  }

  /** Counts announced sizes of uploads in progress too, so parallel uploads cannot overshoot together. */
  private async checkDaily(db: Queryable, identityId: string, exceptUploadId: string | null, adding: number): Promise<void> {
    const res = await db.query<{ used: string }>(
      `SELECT COALESCE(SUM(COALESCE(size, declared_bytes, 0)), 0)::text AS used FROM media_upload
        WHERE identity_id = $1 AND created_at > now() - interval '24 hours' AND id IS DISTINCT FROM $2`,
      [identityId, exceptUploadId],
    );
    const used = Number(res.rows[0]!.used);
    if (used + adding > this.d.limits.maxDailyBytes) {
      throw new AppError(
        'QUOTA_EXCEEDED',
        `You can upload at most ${formatBytes(this.d.limits.maxDailyBytes)} a day; ${formatBytes(Math.max(0, this.d.limits.maxDailyBytes - used))} are left`,
        { scope: 'daily', maxBytes: this.d.limits.maxDailyBytes, usedBytes: used },
      );
    }
  }

  private async uploadRow(uploadId: string): Promise<UploadRow | undefined> {
    const res = await this.d.pool.query<UploadRow>(
      `SELECT id, chat_id, identity_id, name, content_type, size::text, media_id FROM media_upload WHERE id = $1`,
      [uploadId],
    );
    return res.rows[0];
  }

  private async storedUploadOf(caller: Caller, chatId: string, uploadId: string): Promise<UploadRow> {
    const row = await this.uploadRow(uploadId);
    if (!row || row.chat_id !== chatId || row.identity_id !== caller.identityId)
      throw new AppError('NOT_FOUND', 'No such upload in this chat');
    if (!row.media_id) throw new AppError('CONFLICT', 'This upload is not complete yet: it can be posted once every byte is stored');
    return row;
  }

  private async objectOf(chatId: string, mediaId: string): Promise<UploadRow> {
    const res = await this.d.pool.query<UploadRow>(
      `SELECT id, chat_id, identity_id, name, content_type, size::text, media_id FROM media_upload
        WHERE chat_id = $1 AND media_id = $2 ORDER BY stored_at LIMIT 1`,
      [chatId, mediaId],
    );
    const row = res.rows[0];
    if (!row) throw new AppError('NOT_FOUND', 'No such file in this chat');
    return row;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}
