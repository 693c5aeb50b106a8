import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import * as tus from 'tus-js-client';
import { MEDIA_ID_HEADER, UPLOADS_PATH, UPLOAD_METADATA } from '../../protocol/index.ts';

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface Uploaded {
  uploadId: string;
  mediaId: string;
}

export interface UploadOptions {
  chunkSize?: number;
  /** Needed for a stream source, whose length tus-js-client cannot know. */
  uploadSize?: number;
  retryDelays?: number[];
  onProgress?: (sent: number) => void;
  onRetry?: (err: Error) => void;
}

/** A real tus upload from Node (tus-js-client, as the panel uses it in the browser). */
export function tusUpload(
  baseUrl: string,
  token: string,
  chatId: string,
  bytes: Buffer | Readable,
  meta: { name: string; type: string },
  opts: UploadOptions = {},
): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(bytes, {
      endpoint: `${baseUrl}${UPLOADS_PATH}`,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { [UPLOAD_METADATA.chatId]: chatId, [UPLOAD_METADATA.name]: meta.name, [UPLOAD_METADATA.contentType]: meta.type },
      chunkSize: opts.chunkSize ?? Infinity,
      uploadSize: opts.uploadSize,
      retryDelays: opts.retryDelays ?? [],
      storeFingerprintForResuming: false,
      onProgress: (sent) => opts.onProgress?.(sent),
      onShouldRetry: (err) => {
        opts.onRetry?.(err);
        return true;
      },
      onError: reject,
      onSuccess: ({ lastResponse }) => {
        const mediaId = lastResponse.getHeader(MEDIA_ID_HEADER);
        const uploadId = upload.url?.split('/').pop();
        if (!mediaId || !uploadId) reject(new Error('the last response names no stored object'));
        else resolve({ uploadId, mediaId });
      },
    });
    upload.start();
  });
}

/** The status and JSON error code of a refused tus request. */
export function refusal(err: unknown): { status: number; code: string | undefined } {
  const e = err as tus.DetailedError;
  const status = e.originalResponse?.getStatus() ?? 0;
  let code: string | undefined;
  try {
    code = JSON.parse(e.originalResponse?.getBody() ?? '').error?.code;
  } catch {
    code = undefined;
  }
  return { status, code };
}
