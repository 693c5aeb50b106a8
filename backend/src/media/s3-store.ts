import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { AppError } from '../errors.ts';
import { assertMediaId, digest, verifying, type ByteRange, type MediaStore } from './store.ts';

export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Objects in any S3-compatible bucket, under `sha256/<id>`. Uploads stream through the SDK's
 * multipart Upload (parts of 5 MiB), so memory stays flat whatever the object's size.
 */
export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Checksums only where S3 demands them: many S3-compatible servers refuse the trailing kind.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(id: string): string {
    assertMediaId(id);
    return `sha256/${id}`;
  }

  async put(open: () => Readable): Promise<{ id: string; size: number }> {
    const named = await digest(open());
    if ((await this.size(named.id)) !== null) return named;
    const body = open().pipe(verifying(named.id));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.key(named.id), Body: body },
      queueSize: 2,
    });
    try {
      await upload.done();
    } catch (err) {
      await this.remove(named.id).catch(() => {});
      throw err;
    }
    return named;
  }

  async size(id: string): Promise<number | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.key(id) }));
      return head.ContentLength ?? 0;
    } catch (err) {
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) return null;
      throw err;
    }
  }

  async read(id: string, range?: ByteRange): Promise<Readable> {
    const got = await this.client
      .send(
        new GetObjectCommand({
          Bucket: this.settings.bucket,
          Key: this.key(id),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      )
      .catch((err: unknown) => {
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 404) {
          throw new AppError('NOT_FOUND', 'This file is no longer stored');
        }
        throw err;
      });
    if (!(got.Body instanceof Readable)) throw new Error('the S3 client returned no Node stream');
    return got.Body;
  }

  async remove(id: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.key(id) }));
  }

  close(): void {
    this.client.destroy();
  }
}
