import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';
import { assertMediaId, digest, verifying, type ByteRange, type MediaStore } from './store.ts';

/**
 * Objects as read-only files under one folder (DATA_DIR/media by default), fanned out by the
 * id's first two hex digits. A new object is written to a temporary name and renamed into
 * place, so a reader never sees half an object and a crash leaves no wrong one.
 */
export class FolderMediaStore implements MediaStore {
  constructor(private readonly dir: string) {}

  private file(id: string): string {
    assertMediaId(id);
    return path.join(this.dir, 'objects', id.slice(0, 2), id);
  }

  async put(open: () => Readable): Promise<{ id: string; size: number }> {
    const named = await digest(open());
    const target = this.file(named.id);
    if ((await this.size(named.id)) !== null) return named;
    await mkdir(path.dirname(target), { recursive: true });
    const temp = path.join(path.dirname(target), `.${named.id}.${randomUUID()}.part`);
    try {
      await pipeline(open(), verifying(named.id), createWriteStream(temp, { flags: 'wx' }));
      await chmod(temp, 0o444);
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => {});
      throw err;
    }
    return named;
  }

  async size(id: string): Promise<number | null> {
    try {
      return (await stat(this.file(id))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const file = this.file(id);
    if ((await this.size(id)) === null) throw new AppError('NOT_FOUND', 'This file is no longer stored');
    return createReadStream(file, range ? { start: range.start, end: range.end } : {});
  }

  async remove(id: string): Promise<void> {
    await unlink(this.file(id)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
