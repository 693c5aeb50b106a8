/**
 * Media shared by server and clients (zod-free, like limits.ts, so browser bundles can use it at
 * run time): where uploads and downloads live, the tus metadata keys, and what kind of attachment
 * a content type makes.
 */

/** The tus endpoint (resumable uploads, https://tus.io/protocols/resumable-upload), outside `/api`. */
export const UPLOADS_PATH = '/media/uploads';

/** Where a stored object is downloaded: `/media/<chatId>/<mediaId>?link=<signed link>`. */
export const MEDIA_PATH = '/media';

/** tus `Upload-Metadata` keys a client sends with a new upload. */
export const UPLOAD_METADATA = { chatId: 'chatId', name: 'filename', contentType: 'filetype' } as const;

/** The answer header of an upload's last PATCH: the id the stored bytes hash to. */
export const MEDIA_ID_HEADER = 'Upload-Media-Id';

export type AttachmentCategory = 'IMAGE' | 'VIDEO' | 'FILE';

/**
 * Formats a browser shows or plays inline in the panel. Everything else is a FILE, downloaded
 * (never rendered from the app's origin), whatever it claims to be.
 */
export const INLINE_TYPES: Readonly<Record<string, AttachmentCategory>> = {
  'image/png': 'IMAGE',
  'image/jpeg': 'IMAGE',
  'image/gif': 'IMAGE',
  'image/webp': 'IMAGE',
  'video/webm': 'VIDEO',
  'video/mp4': 'VIDEO',
};

/** The category of a content type (its parameters, e.g. `;codecs=vp8`, aside). */
export function categoryOf(contentType: string): AttachmentCategory {
  return INLINE_TYPES[baseType(contentType)] ?? 'FILE';
}

export function baseType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}
