import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import express, { type Router } from 'express';
import { FileStore } from '@tus/file-store';
import { Server as TusServer, type Upload } from '@tus/server';
import { z } from 'zod';
import { MEDIA_ID_HEADER, UPLOAD_METADATA, UPLOADS_PATH, INLINE_TYPES, baseType, mediaParams, plainText } from '../../../protocol/index.ts';
import { AppError, publicError } from '../errors.ts';
import type { Caller, Sessions } from '../identity/sessions.ts';
import { formatBytes, type MediaService } from '../media/media.ts';
import { parseInput } from '../validate.ts';
import { bearerToken } from './auth.ts';
import { STATUS } from './errors.ts';

/** What an upload says it is: a file name and a MIME type, plain and short. */
const uploadMetadata = z.object({
  [UPLOAD_METADATA.chatId]: z.uuid(),
  [UPLOAD_METADATA.name]: plainText(255, { trim: true }).min(1),
  [UPLOAD_METADATA.contentType]: z
    .string()
    .max(200)
    .regex(/^[\w.+-]+\/[\w.+-]+(?:\s*;\s*[\w.+-]+=[\w.+"-]+)*$/, 'not a MIME type')
    .default('application/octet-stream'),
});

const downloadQuery = z.strictObject({ link: z.string().min(1).max(300) });

export interface MediaHttpDeps {
  media: MediaService;
  sessions: Sessions;
  uploadsDir: string;
  /** How long an upload may stay unfinished (tus `Upload-Expires`). */
  unfinishedTtlMs: number;
  isAllowedOrigin: (origin: string | undefined) => boolean;
}

export interface MediaHttp {
  router: Router;
  /** Deletes the bytes and rows of uploads left unfinished past their expiry; returns how many. */
  sweepUnfinished(): Promise<number>;
}

/**
 * Uploads speak tus (resumable, chunked, streamed to disk by @tus/file-store) at UPLOADS_PATH;
 * every request names its session and the media domain checks it. Downloads stream objects
 * from the media store with range support, as attachments unless the type is one the panel
 * shows inline, and under a sandbox CSP so no uploaded HTML or SVG can run script here.
 */
export function mediaRoutes(d: MediaHttpDeps): MediaHttp {
  const callers = new WeakMap<object, Caller>();
  const datastore = new FileStore({ directory: d.uploadsDir, expirationPeriodInMilliseconds: d.unfinishedTtlMs });
  const tus = new TusServer({
    path: UPLOADS_PATH,
    datastore,
    relativeLocation: true,
    maxSize: d.media.limits.maxFileBytes,
    allowedOrigins: (origin) => d.isAllowedOrigin(origin),
    exposedHeaders: [MEDIA_ID_HEADER],
    onIncomingRequest: async (req, uploadId) => {
      const caller = await d.sessions.authenticate(bearerToken(req.headers.get('authorization') ?? undefined));
      callers.set(req, caller);
      if (req.method === 'POST') return;
      const offset = Number(req.headers.get('upload-offset') ?? 0);
      const length = Number(req.headers.get('upload-length') ?? 0);
      const chunk = Number(req.headers.get('content-length') ?? 0);
      await d.media.continueUpload(caller, uploadId, Math.max(length, offset + chunk));
    },
    onUploadCreate: async (req, upload) => {
      const caller = callers.get(req);
      if (!caller) throw new AppError('UNAUTHENTICATED', 'Sign in first');
      const meta = parseInput(uploadMetadata, upload.metadata ?? {});
      await d.media.startUpload(caller, {
        uploadId: upload.id,
        chatId: meta[UPLOAD_METADATA.chatId],
        name: meta[UPLOAD_METADATA.name],
        contentType: meta[UPLOAD_METADATA.contentType],
        declaredBytes: upload.size ?? null,
      });
      return {};
    },
    onUploadFinish: async (_req, upload: Upload) => {
      const { mediaId } = await d.media.finishUpload(upload.id, () => datastore.read(upload.id));
      // The bytes now live in the media store under their hash; the upload's own copy is spent.
      await datastore.remove(upload.id);
      return { headers: { [MEDIA_ID_HEADER]: mediaId } };
    },
    onResponseError: (_req, err) => {
      if ('status_code' in err) {
        // tus's own refusals (bad offset, missing headers) keep their status; the size cap gets our words.
        return err.status_code === 413
          ? tusError(new AppError('TOO_LARGE', `A file can have at most ${formatBytes(d.media.limits.maxFileBytes)}`))
          : undefined;
      }
      return tusError(err);
    },
  });

  const router = express.Router();
  // GET is not tus's here: an upload in progress is never served back (it would be the app's origin).
  router.all(/^\/media\/uploads(?:\/[0-9a-f]{32})?$/, (req, res, next) => {
    if (req.method === 'GET') return next();
    void tus.handle(req, res).catch(next);
  });

  router.get('/media/:chatId/:mediaId', async (req, res) => {
    const params = parseInput(mediaParams, req.params);
    const { link } = parseInput(downloadQuery, req.query);
    const file = await d.media.download(params.chatId, params.mediaId, link);
    const type = baseType(file.contentType);
    const inline = type in INLINE_TYPES;
    res.setHeader('Content-Type', inline ? file.contentType : safeType(type));
    res.setHeader('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeRFC5987(file.name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // Even if a browser rendered it, a document from here has no script and no origin.
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'");
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // The bytes under an id never change; the link (in the URL) expires, so only the browser keeps it.
    res.setHeader('Cache-Control', 'private, max-age=3600, immutable');
    res.setHeader('ETag', `"${file.mediaId}"`);
    res.setHeader('Accept-Ranges', 'bytes');
    const ranges = file.size > 0 ? req.range(file.size) : undefined;
    if (ranges === -1) {
      res.setHeader('Content-Range', `bytes */${file.size}`);
      res.status(416).end();
      return;
    }
    const range = Array.isArray(ranges) && ranges.type === 'bytes' && ranges.length === 1 ? ranges[0] : undefined;
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
      res.setHeader('Content-Length', String(range.end - range.start + 1));
    } else {
      res.setHeader('Content-Length', String(file.size));
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const bytes = await file.open(range);
    try {
      await pipeline(bytes, res);
    } catch (err) {
      // A player seeking or a closed tab aborts mid-stream: nothing to answer, the headers are gone.
      if (!res.headersSent) throw err;
      res.destroy();
    }
  });
  return {
    router,
    async sweepUnfinished() {
      const swept = await tus.cleanUpExpiredUploads();
      await d.media.forgetUnfinished(d.unfinishedTtlMs);
      return swept;
    },
  };
}

/** Types that are not shown inline keep their name only when harmless; anything that renders becomes bytes. */
function safeType(type: string): string {
  return /^(text\/html|application\/xhtml\+xml|image\/svg\+xml|text\/xml|application\/xml)$/.test(type) ||
    !/^[\w.+-]+\/[\w.+-]+$/.test(type)
    ? 'application/octet-stream'
    : type;
}

function encodeRFC5987(name: string): string {
  return encodeURIComponent(path.basename(name)).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Our errors in tus's shape, with the same JSON body as every other route (and no internals for the rest). */
function tusError(err: unknown): { status_code: number; body: string } {
  const body = publicError(err);
  return { status_code: STATUS[body.code], body: JSON.stringify({ error: body }) };
}
