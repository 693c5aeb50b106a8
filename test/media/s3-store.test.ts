import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { digest } from '../../backend/src/media/store.ts';
import { S3MediaStore, type S3Settings } from '../../backend/src/media/s3-store.ts';
import { api, signInAll, startTestServer } from '../support/server.ts';
import { sha256, tusUpload } from './support.ts';
import { HYGIENE_ENV, sweepScenario } from './hygiene.ts';

/** The S3 back end against a real S3-protocol server (s3rver, from npm) started here on loopback. */
describe('media: the S3 back end', function () {
  let s3: S3rver;
  let dir: string;
  let settings: S3Settings;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-s3-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir });
    const { port } = await s3.run();
    settings = {
      bucket: 'inbox-media',
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const admin = new S3Client({ ...settings, credentials: settings.credentials! });
    await admin.send(new CreateBucketCommand({ Bucket: settings.bucket }));
    admin.destroy();
  });
  after(async () => {
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores objects under their hash (multipart beyond 5 MiB), reads them whole and by range, and removes them', async () => {
    const store = new S3MediaStore(settings);
    try {
      const bytes = randomBytes(6 * 1024 * 1024 + 123);
      const put = await store.put(() => Readable.from([bytes.subarray(0, 3_000_000), bytes.subarray(3_000_000)]));
      assert.deepEqual(put, { id: sha256(bytes), size: bytes.length });
      assert.equal(await store.size(put.id), bytes.length);
      assert.equal((await digest(await store.read(put.id))).id, put.id, 'the bytes read back hash to the id');
      const slice = await digest(await store.read(put.id, { start: 10, end: 1009 }));
      assert.deepEqual(slice, { id: sha256(bytes.subarray(10, 1010)), size: 1000 });
      // The same bytes again are the same object.
      assert.deepEqual(await store.put(() => Readable.from([bytes])), put);
      await store.remove(put.id);
      assert.equal(await store.size(put.id), null);
    } finally {
      store.close();
    }
  });

  it('refuses to keep bytes that changed between naming and writing', async () => {
    const store = new S3MediaStore(settings);
    try {
      let reads = 0;
      const first = randomBytes(1000);
      await assert.rejects(store.put(() => Readable.from([reads++ === 0 ? first : randomBytes(1000)])));
      assert.equal(await store.size(sha256(first)), null);
    } finally {
      store.close();
    }
  });

  it('is what the server uploads to and downloads from when S3_BUCKET is set', async () => {
    const server = await startTestServer({
      S3_BUCKET: settings.bucket,
      S3_ENDPOINT: settings.endpoint!,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      MEDIA_DIR: path.join(dir, 'server'),
    });
    try {
      const [owner] = await signInAll(server, ['s3-owner@media.test']);
      const chatId = (await api(server, 'POST', '/api/chats', { subject: 's3' }, owner.token)).body.id;
      const bytes = randomBytes(250_000);
      const up = await tusUpload(server.url, owner.token, chatId, bytes, { name: 'photo.png', type: 'image/png' });
      const store = new S3MediaStore(settings);
      assert.equal(await store.size(up.mediaId), bytes.length, 'the object is in the bucket');
      store.close();
      const link = await api(server, 'GET', `/api/chats/${chatId}/media/${up.mediaId}/link`, undefined, owner.token);
      const res = await fetch(`${server.url}${link.body.url}`, { headers: { Range: 'bytes=100-' } });
      assert.equal(res.status, 206);
      assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(100));
    } finally {
      await server.close();
    }
  });

  it('store hygiene: the sweep removes objects no live message shows from the bucket and keeps the rest', async function () {
    this.timeout(120_000);
    const server = await startTestServer({
      S3_BUCKET: settings.bucket,
      S3_ENDPOINT: settings.endpoint!,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      MEDIA_DIR: path.join(dir, 'hygiene'),
      ...HYGIENE_ENV,
    });
    const store = new S3MediaStore(settings);
    try {
      await sweepScenario(server, async (id) => (await store.size(id)) !== null, 's3');
    } finally {
      store.close();
      await server.close();
    }
  });
});
