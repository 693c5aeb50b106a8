import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MemberView, MessageView } from '../../protocol/index.ts';
import { api, connectSocket, nextEvent, request, type ClientSocket, type TestServer } from '../support/server.ts';
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
  visibleSocket,
  waitUntil,
  type DkimKey,
  type SunkMail,
} from './support.ts';

/**
 * The email bridge end to end over real SMTP both ways: the server mails a test-owned SMTP
 * server, and replies reach the server's inbound listener from nodemailer. There is no
 * internet, so SPF/DKIM/DMARC records come from a DNS server this test runs on loopback,
 * which the server's own resolver queries (INBOUND_DNS_SERVERS).
 */
describe('email bridge: offline members by email, reply by email', function () {
  const dns = new FakeDns();
  const loopback = new LoopbackDns(dns);
  const sink = new MailSink();
  let server: TestServer;
  let key: DkimKey;
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let chatId: string;
  let aliceSocket: ClientSocket;
  const ORIGINAL = '<CAF=orig-4711@mail.example.com>';

  before(async () => {
    key = publishDomain(dns, 'example.com');
    publishDomain(dns, 'evil.example.org');
    await sink.start();
    server = await startBridgeServerWithDns({ SMTP_URL: sink.url }, await loopback.start());
    const a = await signInVia(server, sink, 'alice@example.com');
    const b = await signInVia(server, sink, 'bob@example.com');
    alice = { token: a.token, id: a.identity.id };
    bob = { token: b.token, id: b.identity.id };
    const chat = await api(
      server,
      'POST',
      '/api/chats',
      {
        subject: 'Q3 plan',
        audience: { from: ['alice@example.com'], to: ['bob@example.com'] },
        emailMessageId: ORIGINAL,
      },
      alice.token,
    );
    chatId = chat.body.id;
    // Bob joins from the web page once, then closes it: no live connection anywhere.
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token)).status, 200);
    aliceSocket = await connectSocket(server.url, alice.token);
    const joined = await request(aliceSocket, 'chat:join', { chatId, lastSeq: 0 });
    assert.equal(joined.ok, true);
    await waitUntil('bob join notification settled', () => jobsSettled(server));
  });

  after(async () => {
    aliceSocket?.close();
    await server?.close();
    await sink.stop();
    await loopback.stop();
  });

  const notificationsFor = (address: string) => sink.mail.filter((m) => m.to.includes(address) && m.subject === 'Re: Q3 plan');
  let notification: SunkMail;

  it('an offline member gets exactly one email for a burst of three messages, threaded with the original email', async () => {
    const before = notificationsFor('bob@example.com').length;
    for (const body of ['Are we still on for Monday?', 'I moved the review to 3pm.', 'Bring the Q3 numbers, please.']) {
      const ack = await request(aliceSocket, 'message:send', { chatId, clientId: `burst-${body.length}`, body });
      assert.equal(ack.ok, true);
    }
    notification = await waitUntil('the notification email', () => notificationsFor('bob@example.com')[before]);
    await waitUntil('every job finished', () => jobsSettled(server));
    assert.equal(notificationsFor('bob@example.com').length, before + 1, 'one email, not one per message');
    for (const body of ['Are we still on for Monday?', 'I moved the review to 3pm.', 'Bring the Q3 numbers, please.']) {
      assert.ok(notification.text.includes(body), `email has "${body}"`);
      assert.ok(notification.html.includes(body.replace(/'/g, '&#39;')), `HTML part has "${body}"`);
    }
    assert.equal(notification.inReplyTo, ORIGINAL);
    assert.ok(notification.references.includes(ORIGINAL));
    assert.match(notification.replyTo, /^reply\+[0-9a-f]{40}@reply\.inbox-chat\.example$/);
    assert.match(notification.text, new RegExp(`/c/${chatId}#link=[0-9a-f]{40}`));
    assert.ok(notification.html.includes(`/c/${chatId}`), 'the chat panel links the chat page');
    // Nobody emails the author about their own messages.
    assert.equal(notificationsFor('alice@example.com').length, 0);
  });

  it('the receipts say the messages were emailed to the offline member', async () => {
    const d = await api(server, 'GET', `/api/chats/${chatId}/delivery`, undefined, alice.token);
    assert.equal(d.status, 200);
    const b = d.body.members.find((m: MemberView) => m.address === 'bob@example.com');
    const lastSeq = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    assert.equal(b.emailedSeq, lastSeq);
    assert.equal(b.readSeq, 0);
  });

  it('a reply with a quoted original and a signature posts only the new text, live, as that member', async () => {
    const live = nextEvent<MessageView>(aliceSocket, 'message', (m) => m.authorAddress === 'bob@example.com');
    const res = await sendMail({
      port: server.inbound!.port,
      from: 'Bob Martin <bob@example.com>',
      to: notification.replyTo,
      subject: 'Re: Q3 plan',
      inReplyTo: notification.messageId,
      dkim: key,
      text: [
        'Monday works. I will bring the numbers.',
        '',
        '-- ',
        'Bob Martin',
        'Head of Finance, Example Corp',
        '',
        `On Sat, Nov 21, 2026 at 10:04 PM alice@example.com via Inbox Chat <${notification.replyTo}> wrote:`,
        '> Are we still on for Monday?',
        '> I moved the review to 3pm.',
        '',
      ].join('\n'),
    });
    assert.match(res.response, /^250/);
    const posted = await live;
    assert.equal(posted.body, 'Monday works. I will bring the numbers.');
    assert.equal(posted.authorAddress, 'bob@example.com');
  });

  it('an HTML reply from Outlook on the web (a fixture) is posted without its quote and signature', async () => {
    const raw = readFileSync(path.resolve(import.meta.dirname, '../fixtures/replies/outlook-html-fr.eml'), 'utf8')
      .replace(/^From: .*$/m, 'From: Bob Martin <bob@example.com>')
      .replace(/^Return-Path: .*$/m, 'Return-Path: <bob@example.com>')
      .replace(/^To: .*$/m, `To: ${notification.replyTo}`);
    const live = nextEvent<MessageView>(aliceSocket, 'message', (m) => m.authorAddress === 'bob@example.com');
    await sendMail({ port: server.inbound!.port, from: 'bob@example.com', to: notification.replyTo, dkim: key, raw });
    assert.equal((await live).body, "Parfait, je m'en occupe lundi matin.");
  });

  it('the same reply delivered twice (a sending server retrying) posts once', async () => {
    const before = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    const mail = {
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: notification.replyTo,
      dkim: key,
      text: 'Sent once, delivered twice.',
      headers: { 'Message-ID': '<retry-1@example.com>' },
    };
    await sendMail(mail);
    await sendMail(mail);
    const after = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    assert.equal(after, before + 1);
  });

  async function refused(opts: Parameters<typeof sendMail>[0]): Promise<{ code: number; message: string }> {
    const before = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    const err = await sendMail(opts).then(
      () => assert.fail('the listener accepted it'),
      (e: { responseCode: number; response: string }) => e,
    );
    const after = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    assert.equal(after, before, 'nothing was posted');
    return { code: err.responseCode, message: err.response };
  }

  it('refuses a reply whose From is not the member the token belongs to', async () => {
    const r = await refused({
      port: server.inbound!.port,
      from: 'mallory@evil.example.org',
      to: notification.replyTo,
      text: 'I am definitely Bob.',
    });
    assert.equal(r.code, 550);
    assert.match(r.message, /belongs to another person/);
  });

  it('refuses a forged From that fails DMARC (no DKIM, envelope from another domain)', async () => {
    const r = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      envelopeFrom: 'bounce@evil.example.org',
      to: notification.replyTo,
      text: 'Approve the wire transfer.',
    });
    assert.equal(r.code, 550);
    assert.match(r.message, /DMARC/);
  });

  it('refuses a DKIM signature from the wrong key', async () => {
    const r = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      envelopeFrom: 'bounce@evil.example.org',
      to: notification.replyTo,
      dkim: { ...publishDomain(new FakeDns(), 'example.com') },
      text: 'Signed with a key example.com never published.',
    });
    assert.equal(r.code, 550);
  });

  it('bounces an unknown token and an expired one, saying why', async () => {
    const unknown = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: `reply+${randomBytes(20).toString('hex')}@reply.inbox-chat.example`,
      dkim: key,
      text: 'hello?',
    });
    assert.equal(unknown.code, 550);
    assert.match(unknown.message, /unknown/);
    await sql(server, `UPDATE reply_address SET expires_at = now() - interval '1 day'`);
    const expired = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: notification.replyTo,
      dkim: key,
      text: 'late',
    });
    assert.equal(expired.code, 550);
    assert.match(expired.message, /expired/);
    await sql(server, `UPDATE reply_address SET expires_at = now() + interval '30 days'`);
  });

  // Attachments are posted into the chat now: test/media/email-attachments.test.ts.
  it('refuses replies to other domains', async () => {
    const relay = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: 'someone@elsewhere.example',
      dkim: key,
      text: 'x',
    });
    assert.equal(relay.code, 550);
  });

  it('refuses a reply over the size limit', async () => {
    const r = await refused({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: notification.replyTo,
      dkim: key,
      text: 'x'.repeat(5000),
    });
    assert.ok(r.code === 552, `got ${r.code} ${r.message}`);
  });

  it('an automatic reply (out of office) is accepted but never posted', async () => {
    const before = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    await sendMail({
      port: server.inbound!.port,
      from: 'bob@example.com',
      to: notification.replyTo,
      dkim: key,
      text: 'I am out of the office until Monday.',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const after = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;
    assert.equal(after, before);
  });

  it('a member who turned these emails off gets none', async () => {
    const off = await api(server, 'PATCH', `/api/chats/${chatId}/me`, { emailNotify: false }, bob.token);
    assert.equal(off.status, 200);
    const before = notificationsFor('bob@example.com').length;
    await request(aliceSocket, 'message:send', { chatId, clientId: 'muted-1', body: 'Bob muted this chat.' });
    await waitUntil('jobs settled', () => jobsSettled(server));
    assert.equal(notificationsFor('bob@example.com').length, before);
    await api(server, 'PATCH', `/api/chats/${chatId}/me`, { emailNotify: true }, bob.token);
  });
});

describe('email bridge: coming back online', function () {
  const loopback = new LoopbackDns(new FakeDns());
  const sink = new MailSink();
  let server: TestServer;

  before(async () => {
    await sink.start();
    // A long window that never closes by itself: the test closes it, so nothing here races a timer.
    server = await startBridgeServerWithDns({ SMTP_URL: sink.url, EMAIL_BATCH_WINDOW_MS: '600000' }, await loopback.start());
  });
  after(async () => {
    await server?.close();
    await sink.stop();
    await loopback.stop();
  });

  it('a member who comes back and reads before the window closes gets no email; one who stays away does', async () => {
    const a = await signInVia(server, sink, 'ann@example.com');
    const b = await signInVia(server, sink, 'ben@example.com');
    const c = await signInVia(server, sink, 'cat@example.com');
    const chat = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Back online', audience: { to: ['ben@example.com', 'cat@example.com'] } },
      a.token,
    );
    const chatId = chat.body.id;
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, b.token);
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, c.token);
    await sql(server, `UPDATE job SET run_at = now() WHERE done_at IS NULL`);
    await waitUntil('joins settled', () => jobsSettled(server));

    const sent = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'm1', body: 'Anyone around?' }, a.token);
    await waitUntil(
      'two notification jobs pending',
      async () => (await sql(server, `SELECT 1 FROM job WHERE queue = 'notify.member' AND done_at IS NULL`)).length === 2,
    );
    // Ben opens the chat page (a visible client) and reads it, as the page does.
    const ben = await visibleSocket(server, b.token);
    try {
      await waitUntil(
        'ben is online',
        async () => (await sql(server, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [b.identity.id])).length === 1,
      );
      assert.equal((await request(ben, 'read', { chatId, seq: sent.body.seq })).ok, true);
      await sql(server, `UPDATE job SET run_at = now() WHERE done_at IS NULL`); // the window closes
      await waitUntil('jobs settled', () => jobsSettled(server));
      const notes = sink.mail.filter((m) => m.subject === 'Re: Back online');
      assert.deepEqual(
        notes.map((m) => m.to[0]),
        ['cat@example.com'],
      );
    } finally {
      ben.close();
    }
  });
});
