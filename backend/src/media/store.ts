import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';

/** A stored object's id: the SHA-256 of its bytes, lowercase hex. */
export const MEDIA_ID = /^[0-9a-f]{64}$/;

/** Inclusive byte range, as HTTP Range counts. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Content-addressed, immutable object storage. An object's id is the SHA-256 of its bytes, so
 * storing the same bytes twice is one object and nothing can change an object under its id;
 * there is no overwrite or edit, only removal (which retention decides, not members).
 */
export interface MediaStore {
  /**
   * Stores the bytes `open()` yields. The source is read twice, both times streamed: once to
   * name it, once to write it (checked against the name), so no file is ever held in memory.
   */
  put(open: () => Readable): Promise<{ id: string; size: number }>;
  /** The object's size in bytes, or null when there is no such object. */
  size(id: string): Promise<number | null>;
  /** The object's bytes (or the given range of them). */
  read(id: string, range?: ByteRange): Promise<Readable>;
  remove(id: string): Promise<void>;
}

/** SHA-256 and length of a stream, consumed in chunks. */
export async function digest(source: Readable): Promise<{ id: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    hash.update(bytes);
    size += bytes.length;
  }
  return { id: hash.digest('hex'), size };
}

/**
 * Passes bytes through and fails the stream at its end when they do not hash to `expectedId`:
 * the source changed between naming and writing, and the object must not be kept.
 */
export function verifying(expectedId: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const id = hash.digest('hex');
      done(id === expectedId ? null : new Error(`stored bytes hash to ${id}, not ${expectedId}`));
    },
  });
}

export function assertMediaId(id: string): void {
  if (!MEDIA_ID.test(id)) throw new Error(`not a media id: ${id}`);
}
