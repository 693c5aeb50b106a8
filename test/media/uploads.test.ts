import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UPLOADS_PATH, UPLOAD_METADATA } from '../../protocol/index.ts';
import { UUID_PATTERN } from '../../protocol/patterns.ts';
import { api, signInAll, startTestServer, type TestServer } from '../support/server.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';
import v8 from 'node:v8';
import vm from 'node:vm';

// The test process runs without --expose-gc; this turns it on for the memory measurement only.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;
import { waitUntil } from '../support/wait.ts';
import { refusal, sha256, tusUpload } from './support.ts';

/** Uploads over tus, the attachment message, downloads and who may do what: real server, PostgreSQL, folder store. */
describe('media: uploads and downloads', function () {
  let server: TestServer;
  let dir: string;
  let owner: { token: string };
  let member: { token: string };
  let stranger: { token: string };
  let chatId: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-media-'));
    server = await startTestServer({ MEDIA_DIR: dir, MEDIA_MAX_FILE_MB: '1', MEDIA_MAX_DAILY_MB: '3' });
    [owner, member, stranger] = await signInAll(server, ['owner@media.test', 'member@media.test', 'stranger@media.test']);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'files', audience: { to: ['member@media.test'] } }, owner.token)).body.id;
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, {}, member.token)).status, 200);
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function linkFor(token: string, mediaId: string): Promise<string> {
    const res = await api(server, 'GET', `/api/chats/${chatId}/media/${mediaId}/link`, undefined, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return `${server.url}${res.body.url}`;
  }

  it('stores an upload under the SHA-256 of its bytes, serves exactly those bytes and posts it as a message', async () => {
    const bytes = randomBytes(300_000);
    const up = await tusUpload(
      server.url,
      owner.token,
      chatId,
      bytes,
      { name: 'report.pdf', type: 'application/pdf' },
      { chunkSize: 64_000 },
    );
    assert.equal(up.mediaId, sha256(bytes));

    const posted = await api(server, 'POST', `/api/chats/${chatId}/attachments`, { clientId: 'a1', uploadId: up.uploadId }, owner.token);
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    assert.equal(posted.body.kind, 'ATTACHMENT');
    assert.equal(posted.body.body, '');
    assert.deepEqual(
      { ...posted.body.attachment },
      {
        mediaId: up.mediaId,
        name: 'report.pdf',
        contentType: 'application/pdf',
        size: 300_000,
        category: 'FILE',
        previewMediaId: null,
        durationMs: null,
        width: null,
        height: null,
      },
    );
    const history = await api(server, 'GET', `/api/chats/${chatId}/messages`, undefined, member.token);
    assert.equal(history.body.messages[0].attachment.mediaId, up.mediaId);
    // Something said, like a text: unread for the other member, read for its author.
    const unreadOf = async (token: string) =>
      (await api(server, 'GET', '/api/chats', undefined, token)).body.chats.find((c: { id: string }) => c.id === chatId).unread;
    assert.equal(await unreadOf(member.token), 1);
    assert.equal(await unreadOf(owner.token), 0);

    const res = await fetch(await linkFor(member.token, up.mediaId));
    assert.equal(res.status, 200);
    const served = Buffer.from(await res.arrayBuffer());
    assert.equal(sha256(served), up.mediaId, 'the bytes served hash to the id');
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename\*=UTF-8''report\.pdf$/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /^sandbox;/);
  });

  it('answers range requests (video seeks) with 206 and the right slice', async () => {
    const bytes = randomBytes(200_000);
    const up = await tusUpload(server.url, owner.token, chatId, bytes, { name: 'clip.webm', type: 'video/webm' });
    const url = await linkFor(owner.token, up.mediaId);
    const res = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), 'bytes 1000-1999/200000');
    assert.equal(res.headers.get('content-type'), 'video/webm');
    assert.match(res.headers.get('content-disposition') ?? '', /^inline;/);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), bytes.subarray(1000, 2000));
    assert.equal((await fetch(url, { headers: { Range: 'bytes=300000-' } })).status, 416);
  });

  it('resumes an upload after the connection drops mid-transfer, sending only what is missing', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(server.url).port));
    await proxy.start();
    try {
      const bytes = randomBytes(900_000);
      let dropped = false;
      const retries: string[] = [];
      const progress: number[] = [];
      const up = await tusUpload(
        proxy.url,
        owner.token,
        chatId,
        bytes,
        { name: 'big.bin', type: 'application/octet-stream' },
        {
          chunkSize: 100_000,
          retryDelays: [150, 300, 600, 1200],
          onProgress: (sent) => {
            progress.push(sent);
            if (!dropped && sent >= 350_000) {
              dropped = true;
              proxy.refuse();
              // The network comes back after a realistic outage; tus-js-client's retries find it.
              setTimeout(() => proxy.restore(), 250);
            }
          },
          onRetry: (err) => retries.push(err.message),
        },
      );
      assert.ok(retries.length >= 1, 'the upload was cut and retried');
      assert.equal(up.mediaId, sha256(bytes), 'the resumed upload stored exactly the file');
      // After the drop the client asked the server for its offset and went on from there, not from 0.
      const afterDrop = progress.slice(progress.findIndex((p) => p >= 350_000) + 1);
      assert.ok(afterDrop.length > 0 && Math.min(...afterDrop) >= 300_000, `resumed, not restarted: ${afterDrop.slice(0, 5).join(',')}`);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses uploads, downloads and links to anyone who is not a member', async () => {
    await assert.rejects(tusUpload(server.url, stranger.token, chatId, randomBytes(1000), { name: 'x.txt', type: 'text/plain' }), (err) => {
      assert.deepEqual(refusal(err), { status: 403, code: 'NOT_IN_AUDIENCE' });
      return true;
    });
    await assert.rejects(tusUpload(server.url, 'not-a-session', chatId, randomBytes(10), { name: 'x', type: 'text/plain' }), (err) => {
      assert.equal(refusal(err).status, 401);
      return true;
    });
    const bytes = randomBytes(5000);
    const up = await tusUpload(server.url, owner.token, chatId, bytes, { name: 'secret.txt', type: 'text/plain' });
    // Appending to or asking about someone else's upload: not found for them.
    const head = await fetch(`${server.url}${UPLOADS_PATH}/${up.uploadId}`, {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${stranger.token}` },
    });
    assert.equal(head.status, 404);
    const link = await api(server, 'GET', `/api/chats/${chatId}/media/${up.mediaId}/link`, undefined, stranger.token);
    assert.equal(link.status, 403);
    assert.equal(link.body.error.code, 'NOT_IN_AUDIENCE');
    // A link is bound to its chat, object, member and expiry: any change breaks it.
    const good = new URL(await linkFor(member.token, up.mediaId));
    const token = good.searchParams.get('link')!;
    const forged = token.replace(new RegExp(`^${UUID_PATTERN}`), '00000000-0000-4000-8000-000000000000');
    assert.equal((await fetch(`${good.origin}${good.pathname}?link=${forged}`)).status, 401);
    const otherChat = (await api(server, 'POST', '/api/chats', { subject: 'other' }, stranger.token)).body.id;
    assert.equal((await fetch(`${server.url}/media/${otherChat}/${up.mediaId}?link=${token}`)).status, 401);
    // And the object is not the other chat's, even for that chat's own member.
    const theirs = await api(server, 'GET', `/api/chats/${otherChat}/media/${up.mediaId}/link`, undefined, stranger.token);
    assert.equal(theirs.status, 404);
    // Posting someone else's upload is refused too.
    const post = await api(server, 'POST', `/api/chats/${chatId}/attachments`, { clientId: 'steal', uploadId: up.uploadId }, member.token);
    assert.equal(post.status, 404);
  });

  it('refuses a file over the per-file cap and uploads over the daily cap, saying why', async () => {
    await assert.rejects(
      tusUpload(server.url, member.token, chatId, randomBytes(1024 * 1024 + 1), { name: 'huge.bin', type: 'application/octet-stream' }),
      (err) => {
        assert.deepEqual(refusal(err), { status: 413, code: 'TOO_LARGE' });
        return true;
      },
    );
    const mb = randomBytes(1000 * 1024);
    for (let i = 0; i < 3; i++) {
      const part = Buffer.concat([mb, Buffer.from([i])]);
      await tusUpload(server.url, member.token, chatId, part, { name: `part${i}.bin`, type: 'application/octet-stream' });
    }
    await assert.rejects(
      tusUpload(server.url, member.token, chatId, mb, { name: 'one-more.bin', type: 'application/octet-stream' }),
      (err) => {
        assert.deepEqual(refusal(err), { status: 429, code: 'QUOTA_EXCEEDED' });
        assert.match((err as Error).message, /at most 3 MB a day/);
        return true;
      },
    );
  });

  it('posts an upload only once every byte is stored', async () => {
    const created = await fetch(`${server.url}${UPLOADS_PATH}`, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${owner.token}`,
        'Upload-Defer-Length': '1',
        'Upload-Metadata': [
          `${UPLOAD_METADATA.chatId} ${Buffer.from(chatId).toString('base64')}`,
          `${UPLOAD_METADATA.name} ${Buffer.from('recording.webm').toString('base64')}`,
          `${UPLOAD_METADATA.contentType} ${Buffer.from('video/webm').toString('base64')}`,
        ].join(','),
      },
    });
    assert.equal(created.status, 201);
    const uploadId = created.headers.get('location')!.split('/').pop()!;
    const patched = await fetch(`${server.url}${UPLOADS_PATH}/${uploadId}`, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        Authorization: `Bearer ${owner.token}`,
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: randomBytes(10_000),
    });
    assert.equal(patched.status, 204);
    const early = await api(
      server,
      'POST',
      `/api/chats/${chatId}/attachments`,
      { clientId: 'v-early', uploadId, durationMs: 2000 },
      owner.token,
    );
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'CONFLICT');
    const history = await api(server, 'GET', `/api/chats/${chatId}/messages`, undefined, owner.token);
    assert.ok(!history.body.messages.some((m: { clientId: string }) => m.clientId === 'v-early'), 'no half message was posted');
  });

  it('deleting an attachment message takes the file from the chat, and from the store once no chat has it', async () => {
    const bytes = randomBytes(40_000);
    const other = (await api(server, 'POST', '/api/chats', { subject: 'same file elsewhere' }, owner.token)).body.id;
    const here = await tusUpload(server.url, owner.token, chatId, bytes, { name: 'shared.bin', type: 'application/octet-stream' });
    const there = await tusUpload(server.url, owner.token, other, bytes, { name: 'shared.bin', type: 'application/octet-stream' });
    assert.equal(here.mediaId, there.mediaId, 'the same bytes are one object');
    const objectFile = path.join(dir, 'objects', here.mediaId.slice(0, 2), here.mediaId);
    const post = async (chat: string, uploadId: string, clientId: string) =>
      (await api(server, 'POST', `/api/chats/${chat}/attachments`, { clientId, uploadId }, owner.token)).body;
    const first = await post(chatId, here.uploadId, 'del-1');
    const again = await post(chatId, here.uploadId, 'del-2');
    const elsewhere = await post(other, there.uploadId, 'del-3');
    const oldLink = await linkFor(member.token, here.mediaId);

    // Shown twice in this chat: deleting one message keeps the file for the other.
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${first.seq}`, undefined, owner.token)).status, 200);
    assert.equal((await fetch(oldLink)).status, 200);
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${again.seq}`, undefined, owner.token)).status, 200);
    const tombstone = (await api(server, 'GET', `/api/chats/${chatId}/messages`, undefined, member.token)).body.messages.find(
      (m: { seq: number }) => m.seq === again.seq,
    );
    assert.equal(tombstone.deleted, true);
    assert.equal(tombstone.attachment, undefined);
    assert.equal((await fetch(oldLink)).status, 404, 'gone from this chat, even by a link made before');
    assert.equal((await api(server, 'GET', `/api/chats/${chatId}/media/${here.mediaId}/link`, undefined, member.token)).status, 404);
    assert.ok(existsSync(objectFile), 'still stored: the other chat shows it');

    assert.equal((await api(server, 'DELETE', `/api/chats/${other}/messages/${elsewhere.seq}`, undefined, owner.token)).status, 200);
    assert.ok(!existsSync(objectFile), 'no chat has it any more: removed from the store');
    // Only the author deletes.
    const mine = await post(
      chatId,
      (await tusUpload(server.url, owner.token, chatId, randomBytes(10), { name: 'x', type: 'text/plain' })).uploadId,
      'del-4',
    );
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${mine.seq}`, undefined, member.token)).status, 403);
  });

  it('never serves an uploaded HTML or SVG as a document of the app', async () => {
    for (const [name, type] of [
      ['page.html', 'text/html'],
      ['drawing.svg', 'image/svg+xml'],
    ]) {
      const up = await tusUpload(server.url, owner.token, chatId, Buffer.from('<script>alert(1)</script>'), { name: name!, type: type! });
      const res = await fetch(await linkFor(owner.token, up.mediaId));
      assert.equal(res.headers.get('content-type'), 'application/octet-stream', name);
      assert.match(res.headers.get('content-disposition') ?? '', /^attachment;/, name);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('content-security-policy') ?? '', /sandbox/);
    }
  });
});

/**
 * Uploads stream: a file many times larger than what the server process may grow by goes up
 * and into the store while the process's memory stays within that bound. (The server runs in
 * this process, so the bound covers the client too: it reads the file from disk as a stream.)
 */
describe('media: uploads stream instead of buffering', function () {
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-media-stream-'));
    server = await startTestServer({ MEDIA_DIR: dir, MEDIA_MAX_FILE_MB: '200', MEDIA_MAX_DAILY_MB: '1000' });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes a file of `mb` MiB (streamed to disk) and returns its path and SHA-256. */
  async function bigFile(mb: number): Promise<{ file: string; id: string }> {
    const file = path.join(dir, `big-${mb}.bin`);
    const block = randomBytes(1024 * 1024);
    const hash = createHash('sha256');
    const out = createWriteStream(file);
    for (let i = 0; i < mb; i++) {
      block[0] = i;
      hash.update(block);
      if (!out.write(block)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'close');
    return { file, id: hash.digest('hex') };
  }

  /**
   * Uploads the file and returns how far live heap + buffers peaked above where they started.
   * Each sample collects garbage first: what is measured is what the upload path holds on to (a
   * whole-file buffer would show as the file's size), not how far behind the collector is on a
   * busy machine (without it, garbage alone reached 93 MB for 128 MB under load).
   */
  async function peakGrowthMb(token: string, chatId: string, f: { file: string; id: string }, mb: number): Promise<number> {
    const used = () => {
      collectGarbage();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const before = used();
    let peak = before;
    // A full collection takes a while on a big heap: sampled twice a second, it never takes over.
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 500);
    try {
      const up = await tusUpload(
        server.url,
        token,
        chatId,
        createReadStream(f.file),
        { name: 'big.bin', type: 'application/octet-stream' },
        {
          chunkSize: 4 * 1024 * 1024,
          uploadSize: mb * 1024 * 1024,
        },
      );
      assert.equal(up.mediaId, f.id);
    } finally {
      clearInterval(sampler);
    }
    return (peak - before) / (1024 * 1024);
  }

  it('a 128 MB upload grows heap and buffers by less than half the file (no whole-file buffering)', async function () {
    this.timeout(180_000);
    const [owner] = await signInAll(server, ['big@media.test']);
    const chatId = (await api(server, 'POST', '/api/chats', { subject: 'big' }, owner.token)).body.id;
    // A first small upload loads every module on the path, so what follows measures the transfer alone.
    await peakGrowthMb(owner.token, chatId, await bigFile(8), 8);
    const grew = await peakGrowthMb(owner.token, chatId, await bigFile(128), 128);
    assert.ok(grew < 64, `heap and buffers grew by ${grew.toFixed(1)} MB for a 128 MB file`);
  });
});

describe('media: unfinished uploads expire', function () {
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-media-expiry-'));
    // Two seconds instead of a day, so the sweep runs while the test watches.
    server = await startTestServer({ MEDIA_DIR: dir, MEDIA_UNFINISHED_HOURS: String(2 / 3600), MEDIA_MAX_DAILY_MB: '1' });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('an upload left half-done is swept away and no longer counts against the daily cap', async () => {
    const [owner] = await signInAll(server, ['abandoned@media.test']);
    const chatId = (await api(server, 'POST', '/api/chats', { subject: 'abandoned' }, owner.token)).body.id;
    const headers = { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${owner.token}` };
    const created = await fetch(`${server.url}${UPLOADS_PATH}`, {
      method: 'POST',
      headers: {
        ...headers,
        'Upload-Length': String(1000 * 1024),
        'Upload-Metadata': `${UPLOAD_METADATA.chatId} ${Buffer.from(chatId).toString('base64')},${UPLOAD_METADATA.name} ${Buffer.from('left.bin').toString('base64')}`,
      },
    });
    assert.equal(created.status, 201);
    const uploadId = created.headers.get('location')!.split('/').pop()!;
    const patched = await fetch(`${server.url}${UPLOADS_PATH}/${uploadId}`, {
      method: 'PATCH',
      headers: { ...headers, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: randomBytes(100_000),
    });
    assert.equal(patched.status, 204);
    assert.ok(existsSync(path.join(dir, 'uploads', uploadId)));
    // While it is pending, its announced size holds the day's whole allowance.
    await assert.rejects(
      tusUpload(server.url, owner.token, chatId, randomBytes(200 * 1024), { name: 'next.bin', type: 'application/octet-stream' }),
    );

    await waitUntil('the abandoned upload is swept', () => !existsSync(path.join(dir, 'uploads', uploadId)), 20_000, 100);
    const head = await fetch(`${server.url}${UPLOADS_PATH}/${uploadId}`, { method: 'HEAD', headers });
    assert.equal(head.status, 404);
    await waitUntil('its reservation is released', async () => {
      try {
        return await tusUpload(server.url, owner.token, chatId, randomBytes(200 * 1024), {
          name: 'next.bin',
          type: 'application/octet-stream',
        });
      } catch {
        return null;
      }
    });
  });
});

describe('media: requests share the per-client budget', function () {
  it('uploads and downloads count against HTTP_REQUESTS_PER_MINUTE like API calls', async () => {
    const server = await startTestServer({ HTTP_REQUESTS_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${server.url}${UPLOADS_PATH}`, {
          method: 'POST',
          headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' },
        });
        statuses.push(res.status);
      }
      // Unauthenticated tries are refused (401) until the budget is spent, then rate-limited.
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429]);
    } finally {
      await server.close();
    }
  });
});
