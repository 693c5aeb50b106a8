import { FolderMediaStore } from './folder-store.ts';
import { S3MediaStore, type S3Settings } from './s3-store.ts';
import type { MediaStore } from './store.ts';

/** The configured back end: an S3-compatible bucket when S3_BUCKET is set, else a folder (DATA_DIR/media). */
export function createMediaStore(config: { dir: string; s3?: S3Settings }): MediaStore & { close?(): void } {
  return config.s3 ? new S3MediaStore(config.s3) : new FolderMediaStore(config.dir);
}
