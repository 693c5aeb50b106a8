import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChatSummary, MessageView } from '../../protocol/index.ts';
import { messagePreview } from '../../mail-client/preview.ts';
import { api, connectSocket, request, type ClientSocket, type TestServer } from '../support/server.ts';
import {
  FakeDns,
  LoopbackDns,
  MailSink,
  jobsSettled,
  publishDomain,
  sendMail,
  signInVia,
  sql,
  startBridgeServerWithDns,
  waitUntil,
  type DkimKey,
  type SunkMail,
} from '../bridge/support.ts';
import { sha256, tusUpload } from './support.ts';

/**
 * Files attached to an emailed reply are posted into the chat (within the media limits) instead
 * of bouncing: real SMTP both ways, SPF/DKIM/DMARC from a DNS server on loopback, folder store.
 * Signed replies (S/MIME, PGP/MIME) post their text and files without the signature part; an
 * offline member's notification and a transcript say what was sent and link to the chat page.
 */
describe('media: attachments of emailed replies', function () {
  const dns = new FakeDns();
  const loopback = new LoopbackDns(dns);
  const sink = new MailSink();
  let server: TestServer;
  let dir: string;
  let key: DkimKey;
  let alice: { token: string };
  let bob: { token: string; identity: { id: string } };
  let chatId: string;
  let aliceSocket: ClientSocket;
  let replyTo: string;

  before(async () => {
    key = publishDomain(dns, 'example.com');
    await sink.start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'inbox-media-mail-'));
    server = await startBridgeServerWithDns({ SMTP_URL: sink.url, MEDIA_DIR: dir, MEDIA_MAX_FILE_MB: '0.1' }, await loopback.start());
    alice = await signInVia(server, sink, 'alice@example.com');
    bob = await signInVia(server, sink, 'bob@example.com');
    chatId = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 'Figures', audience: { from: ['alice@example.com'], to: ['bob@example.com'] } },
        alice.token,
      )
    ).body.id;
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token)).status, 200);
    aliceSocket = await connectSocket(server.url, alice.token);
    assert.equal((await request(aliceSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    await waitUntil('join notices settled', () => jobsSettled(server));
    assert.equal((await request(aliceSocket, 'message:send', { chatId, clientId: 'ask', body: 'Can you send the figures?' })).ok, true);
    const mail: SunkMail = await waitUntil('the notification to bob', () =>
      sink.mail.find((m) => m.to.includes('bob@example.com') && /Figures/.test(m.subject)),
    );
    replyTo = mail.replyTo;
  });
  after(async () => {
    aliceSocket?.close();
    await server?.close();
    await sink.stop();
    await loopback.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const messages = async (): Promise<MessageView[]> =>
    (await api(server, 'GET', `/api/chats/${chatId}/messages?limit=100`, undefined, alice.token)).body.messages;

  it('posts the text and each attached file as the member, once even when the email is delivered twice', async () => {
    const csv = 'quarter,amount\nQ3,100\n';
    const image = randomBytes(20_000);
    const reply = {
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: replyTo,
      dkim: key,
      text: 'Here they are.',
      headers: { 'Message-ID': '<figures-1@example.com>' },
      attachments: [
        { filename: 'figures.csv', content: csv },
        { filename: 'chart.png', content: image.toString('base64'), encoding: 'base64', contentType: 'image/png' },
      ],
    };
    await sendMail(reply);
    const posted = await waitUntil('the files are posted', async () => {
      const all = await messages();
      // History pages come newest first; the email's files were posted in their order.
      const files = all.filter((m) => m.kind === 'ATTACHMENT').sort((a, b) => a.seq - b.seq);
      return files.length === 2 ? { all, files } : null;
    });
    assert.ok(posted.all.some((m) => m.kind === 'TEXT' && m.body === 'Here they are.' && m.authorAddress === 'bob@example.com'));
    const [csvMessage, pngMessage] = posted.files;
    assert.equal(csvMessage!.attachment!.name, 'figures.csv');
    assert.equal(csvMessage!.attachment!.category, 'FILE');
    assert.equal(pngMessage!.attachment!.name, 'chart.png');
    assert.equal(pngMessage!.attachment!.category, 'IMAGE');
    for (const [m, bytes] of [
      [csvMessage!, Buffer.from(csv)],
      [pngMessage!, image],
    ] as const) {
      assert.equal(m.attachment!.mediaId, sha256(bytes));
      const link = await api(server, 'GET', `/api/chats/${chatId}/media/${m.attachment!.mediaId}/link`, undefined, alice.token);
      const served = Buffer.from(await (await fetch(`${server.url}${link.body.url}`)).arrayBuffer());
      assert.equal(sha256(served), m.attachment!.mediaId, 'the bytes served hash to the id');
    }

    // An MTA retry of the same email: nothing new.
    const count = (await messages()).length;
    await sendMail(reply);
    assert.equal((await messages()).length, count);
  });

  it('bounces a reply whose attachment is over the per-file cap, posting none of it', async () => {
    const before = (await messages()).length;
    const err = await sendMail({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: replyTo,
      dkim: key,
      text: 'And the big one.',
      attachments: [{ filename: 'big.bin', content: randomBytes(150_000).toString('base64'), encoding: 'base64' }],
    }).then(
      () => assert.fail('the listener accepted it'),
      (e: { responseCode?: number; response?: string }) => e,
    );
    assert.equal(err.responseCode, 552);
    assert.match(err.response ?? '', /attachments were not posted: A file can have at most 102 KB/);
    assert.equal((await messages()).length, before);
  });

  /** A signed reply from test/fixtures/signed, addressed to this chat (the signature bytes are not checked, only dropped). */
  const signedFixture = async (name: string, messageId: string) =>
    (await readFile(path.resolve(import.meta.dirname, '../fixtures/signed', name), 'utf8'))
      .replace('{{FROM}}', 'bob@example.com')
      .replace('{{TO}}', replyTo)
      .replace('{{MESSAGE_ID}}', messageId);

  it('an S/MIME-signed reply posts its text and its file, not the signature', async () => {
    const before = (await messages()).length;
    await sendMail({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: replyTo,
      dkim: key,
      raw: await signedFixture('smime-signed-with-file.eml', '<smime-1@example.com>'),
    });
    const fresh = await waitUntil('the signed reply is posted', async () => {
      const all = (await messages()).sort((a, b) => a.seq - b.seq);
      return all.length >= before + 2 ? all.slice(before) : null;
    });
    assert.deepEqual(
      fresh.map((m) => [m.kind, m.kind === 'TEXT' ? m.body : m.attachment!.name]),
      [
        ['TEXT', 'Signed and attached: the Q4 numbers.\n\nRegards,\nBob'],
        ['ATTACHMENT', 'q4.csv'],
      ],
    );
    await waitUntil('jobs settled', () => jobsSettled(server));
    assert.equal((await messages()).length, before + 2, 'smime.p7s is not a file of the chat');
  });

  it('a PGP/MIME-signed reply posts its text without the signature', async () => {
    const before = (await messages()).length;
    await sendMail({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: replyTo,
      dkim: key,
      raw: await signedFixture('pgp-mime-signed.eml', '<pgp-1@example.com>'),
    });
    const latest = await waitUntil('the signed reply is posted', async () => {
      const all = (await messages()).sort((a, b) => a.seq - b.seq);
      return all.length > before ? all.at(-1) : null;
    });
    assert.equal(latest.kind, 'TEXT');
    assert.equal(latest.body, 'PGP-signed: I will check them tonight.');
    await waitUntil('jobs settled', () => jobsSettled(server));
    assert.equal((await messages()).length, before + 1, 'OpenPGP_signature.asc is not a file of the chat');
  });

  it("an offline member's email says a video was sent, shows its poster inline and links to the chat page; replying to it still posts", async () => {
    const mailsBefore = sink.mail.length;
    // Alice's video message with its poster, as the recorder uploads them.
    const video = await tusUpload(server.url, alice.token, chatId, randomBytes(30_000), { name: 'video message.webm', type: 'video/webm' });
    const posterBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2_000)]);
    const poster = await tusUpload(server.url, alice.token, chatId, posterBytes, { name: 'poster.jpg', type: 'image/jpeg' });
    const posted = await api(
      server,
      'POST',
      `/api/chats/${chatId}/attachments`,
      { clientId: 'video-1', uploadId: video.uploadId, previewUploadId: poster.uploadId, durationMs: 3_400, width: 640, height: 480 },
      alice.token,
    );
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    // Bob's chat list shows it as the newest message, summed up like every list does.
    const listed = (await api<{ chats: ChatSummary[] }>(server, 'GET', '/api/chats', undefined, bob.token)).body.chats.find(
      (c) => c.id === chatId,
    )!;
    assert.equal(listed.lastMessage?.attachment?.category, 'VIDEO');
    assert.equal(messagePreview(listed.lastMessage), 'alice@example.com: sent a video (0:03)');
    const mail = await waitUntil('the notification to bob', () =>
      sink.mail.slice(mailsBefore).find((m) => m.to.includes('bob@example.com') && /sent a video/.test(m.text)),
    );
    const page = `${server.url}/c/${chatId}`;
    assert.match(mail.text, /alice@example\.com \([^)]*\):\n {2}sent a video \(0:03\)\n {2}Watch it on the chat page: (\S+)/);
    assert.equal(/Watch it on the chat page: (\S+)/.exec(mail.text)![1], page);
    assert.ok(mail.html.includes(`<a href="${page}">Watch it on the chat page</a>`), mail.html);
    for (const body of [mail.text, mail.html]) assert.doesNotMatch(body, /mediaId|previewMediaId|"category"/, 'never the stored JSON');
    // The poster rides along inline, shown above the link; the video itself never does.
    assert.equal(mail.attachments.length, 1, mail.attachments.map((a) => a.contentType).join());
    const inlinePoster = mail.attachments[0]!;
    assert.equal(inlinePoster.contentType, 'image/jpeg');
    assert.ok(inlinePoster.contentId, 'referenced by Content-ID');
    assert.equal(sha256(inlinePoster.content), poster.mediaId, 'the stored poster, byte for byte');
    assert.match(mail.html, /<img [^>]*alt="Video message"/);

    await sendMail({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: mail.replyTo,
      dkim: key,
      text: 'Nice video!',
      inReplyTo: mail.messageId,
      headers: { 'Message-ID': '<video-reply-1@example.com>' },
    });
    await waitUntil('the reply is posted', async () => (await messages()).some((m) => m.kind === 'TEXT' && m.body === 'Nice video!'));
  });

  it("a do-not-disturb digest carries a video's poster inline above its link, as a notification does", async () => {
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true, mode: 'DIGEST' }, bob.token)).status, 200);
    await waitUntil('settled', () => jobsSettled(server));
    const mailsBefore = sink.mail.length;
    const t0 = (await sql<{ t0: Date }>(server, 'SELECT now() AS t0'))[0]!.t0;
    const video = await tusUpload(server.url, alice.token, chatId, randomBytes(20_000), { name: 'video message.webm', type: 'video/webm' });
    const posterBytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(1_500)]);
    const poster = await tusUpload(server.url, alice.token, chatId, posterBytes, { name: 'poster.png', type: 'image/png' });
    const posted = await api(
      server,
      'POST',
      `/api/chats/${chatId}/attachments`,
      { clientId: 'video-digest', uploadId: video.uploadId, previewUploadId: poster.uploadId, durationMs: 7_200 },
      alice.token,
    );
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const seq: number = posted.body.seq;
    await waitUntil(
      "bob's notification job ran",
      async () =>
        (
          await sql(server, `SELECT 1 FROM job WHERE queue = 'notify.member' AND payload->>'identityId' = $1 AND done_at > $2`, [
            bob.identity.id,
            t0,
          ])
        ).length > 0,
    );
    await waitUntil('settled', () => jobsSettled(server));
    assert.equal(sink.mail.slice(mailsBefore).filter((m) => m.to.includes('bob@example.com')).length, 0, 'held while do-not-disturb is on');

    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: false }, bob.token)).status, 200);
    const digest = await waitUntil('the digest to bob', () =>
      sink.mail.slice(mailsBefore).find((m) => m.to.includes('bob@example.com') && /digest/.test(m.subject)),
    );
    assert.ok(digest.text.includes('sent a video (0:07)'), digest.text);
    assert.equal(digest.attachments.length, 1, digest.attachments.map((a) => a.contentType).join());
    const inlinePoster = digest.attachments[0]!;
    assert.equal(inlinePoster.contentType, 'image/png');
    assert.equal(sha256(inlinePoster.content), poster.mediaId, 'the stored poster, byte for byte');
    assert.ok(inlinePoster.contentId, 'referenced by Content-ID');
    assert.match(inlinePoster.contentId!, new RegExp(`^<?poster-${seq}-`), "named after the video's message");
    // mailparser turns the cid: reference into the part's bytes, so this is the HTML showing that very part.
    assert.ok(digest.html.includes(`src="data:image/png;base64,${posterBytes.toString('base64')}"`), 'the HTML shows the poster');
    assert.match(digest.html, /<img [^>]*alt="Video message"/);
  });

  it('a transcript names what was sent instead of showing stored JSON', async () => {
    const mailsBefore = sink.mail.length;
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/transcript`, {}, alice.token)).status, 202);
    const transcript = await waitUntil('the transcript to bob', () =>
      sink.mail.slice(mailsBefore).find((m) => m.to.includes('bob@example.com') && /transcript/.test(m.text)),
    );
    for (const said of ['sent a file: figures.csv', 'sent an image: chart.png', 'sent a file: q4.csv', 'sent a video (0:03)']) {
      assert.ok(transcript.text.includes(said), said);
    }
    assert.doesNotMatch(transcript.text, /mediaId/);
  });
});
