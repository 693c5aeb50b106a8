/**
 * Resumable uploads (tus) into a chat, as the panel's attach button and video recorder make them.
 * The tus client is loaded on the first upload, not with the panel: most chats never send a file,
 * and the Outlook panes have a size budget.
 */
import type { DetailedError, Upload } from 'tus-js-client';
import { MEDIA_ID_HEADER, UPLOADS_PATH, UPLOAD_METADATA } from '../../../protocol/media.ts';
import type { ApiClient } from '../api-client.ts';
import { t } from '../i18n/index.ts';

export interface ChatUpload {
  /** Resolves with the upload's id once every byte is stored on the server. */
  done: Promise<string>;
  /** Stops and deletes what the server has of it (a re-take). */
  cancel(): void;
}

/** A file or blob, or a stream of chunks still being recorded (its length then follows at the end). */
export type UploadSource = Blob | ReadableStreamDefaultReader<Uint8Array>;

const CHUNK_BYTES = 512 * 1024;

export function uploadToChat(
  api: ApiClient,
  chatId: string,
  source: UploadSource,
  meta: { name: string; type: string },
  onProgress?: (sent: number, total: number | null) => void,
): ChatUpload {
  const streaming = !(source instanceof Blob);
  let settle: { resolve: (id: string) => void; reject: (err: Error) => void } | undefined;
  const done = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  const start = (tus: typeof import('tus-js-client')): Upload => {
    const upload: Upload = new tus.Upload(source, {
      endpoint: `${api.server.baseUrl}${UPLOADS_PATH}`,
      // Read at each request, so a retry after a long outage carries the current session.
      onBeforeRequest: (req) => {
        const token = api.server.token;
        if (token) req.setHeader('Authorization', `Bearer ${token}`);
      },
      metadata: { [UPLOAD_METADATA.chatId]: chatId, [UPLOAD_METADATA.name]: meta.name, [UPLOAD_METADATA.contentType]: meta.type },
      chunkSize: CHUNK_BYTES,
      uploadLengthDeferred: streaming,
      retryDelays: [500, 1500, 3000, 6000, 10_000],
      storeFingerprintForResuming: false,
      onProgress: (sent, total) => onProgress?.(sent, streaming ? null : total),
      onError: (err) => settle!.reject(new Error(serverMessage(tus, err) ?? t('upload.failed'))),
      onSuccess: ({ lastResponse }) => {
        const id = upload.url?.split('/').pop();
        if (id && lastResponse.getHeader(MEDIA_ID_HEADER)) settle!.resolve(id);
        else settle!.reject(new Error(t('upload.unconfirmed')));
      },
    });
    upload.start();
    return upload;
  };
  let cancelled = false;
  const started = import(/* webpackChunkName: "on-demand-uploads" */ 'tus-js-client').then(
    (tus) => (cancelled ? null : start(tus)),
    () => {
      settle!.reject(new Error(t('upload.notLoaded')));
      return null;
    },
  );
  return {
    done,
    cancel() {
      cancelled = true;
      void started.then((upload) => upload?.abort(true)).catch(() => {});
      settle!.reject(new Error('cancelled'));
    },
  };
}
/** The server's own words for a refused upload (too large, over the daily cap, not a member). */
function serverMessage(tus: { DetailedError: typeof DetailedError }, err: Error): string | undefined {
  const body = err instanceof tus.DetailedError ? err.originalResponse?.getBody() : undefined;
  if (!body) return undefined;
  try {
    const parsed: { error?: { message?: string } } = JSON.parse(body);
    return parsed.error?.message;
  } catch {
    return undefined;
  }
}
