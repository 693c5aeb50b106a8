import type { MediaStore } from './store.ts';

/** A poster the recorder makes is a 640x480 JPEG, tens of KB: anything far larger stays out of email. */
export const POSTER_EMAIL_MAX_BYTES = 200 * 1024;

/**
 * A small object's bytes (a poster frame or a thumbnail), or null when it is missing or larger
 * than `maxBytes`: emails carry posters inline, and an oversized one is left out rather than read.
 */
export async function readSmallObject(store: MediaStore, id: string, maxBytes: number): Promise<Buffer | null> {
  const size = await store.size(id);
  if (size === null || size > maxBytes) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(id)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
