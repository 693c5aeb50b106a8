import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { dkimSign } from 'mailauth';
import pg from 'pg';
import type { MessageView } from '../../protocol/index.ts';
import { createReplyAddress } from '../../backend/src/email-bridge/links.ts';
import { api, type TestServer } from '../support/server.ts';
import {
  FakeDns,
  LoopbackDns,
  MailSink,
  publishDomain,
  sendMail,
  sendRawSmtp,
  signInVia,
  startBridgeServerWithDns,
  type DkimKey,
} from './support.ts';

/**
 * Inbound mail against forgery and stalls (issue 8). Everything is real: SMTP in over
 * loopback, mailauth resolving SPF/DKIM/DMARC through the server's own DNS resolver
 * (INBOUND_DNS_SERVERS) against a DNS server the test runs, PostgreSQL, the server's
 * event loop in this very process (so a stall shows as a late heartbeat here).
 */
describe('inbound mail: no forged From, no stalled server', function () {
  this.timeout(120_000);
  const records = new FakeDns();
  const loopback = new LoopbackDns(records);
  const sink = new MailSink();
  let server: TestServer;
  let pool: pg.Pool;
  let exampleKey: DkimKey; // example.com: the victim's domain, DMARC p=reject, SPF not for loopback
  let strictKey: DkimKey; // strict.example.net: DMARC adkim=s
  let strictSubKey: DkimKey; // a key of its subdomain mail.strict.example.net
  let alice: { token: string; id: string };
  let bob: { token: string; id: string };
  let carol: { token: string; id: string };
  let chatId: string;
  let bobReply: string;
  let carolReply: string;

  before(async () => {
    exampleKey = publishDomain(records, 'example.com', { spfIp: '192.0.2.1' });
    // The attacker's own domain: SPF passes for this machine, no DMARC record.
    records.addTxt('evil.example.org', 'v=spf1 ip4:127.0.0.1 -all');
    strictKey = publishDomain(records, 'strict.example.net', { spfIp: '192.0.2.1', dmarc: 'v=DMARC1; p=reject; adkim=s; aspf=s' });
    // The subdomain publishes a DKIM key, and nothing else.
    const scratch = new FakeDns();
    strictSubKey = publishDomain(scratch, 'mail.strict.example.net');
    const subKeyRecord = (await scratch.resolver('mail._domainkey.mail.strict.example.net', 'TXT')).flat().join('');
    records.addTxt('mail._domainkey.mail.strict.example.net', subKeyRecord);

    await sink.start();
    server = await startBridgeServerWithDns({ SMTP_URL: sink.url }, await loopback.start());
    pool = new pg.Pool({ connectionString: server.database.url, max: 2 });
    const signIn = async (address: string) => {
      const s = await signInVia(server, sink, address);
      return { token: s.token, id: s.identity.id };
    };
    alice = await signIn('alice@example.com');
    bob = await signIn('bob@example.com');
    carol = await signIn('carol@strict.example.net');
    const chat = await api(
      server,
      'POST',
      '/api/chats',
      {
        subject: 'Wire transfer',
        audience: { from: ['alice@example.com'], to: ['bob@example.com', 'carol@strict.example.net'] },
      },
      alice.token,
    );
    assert.equal(chat.status, 201, JSON.stringify(chat.body));
    chatId = chat.body.id;
    for (const member of [bob, carol]) {
      assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, member.token)).status, 200);
    }
    const reply = (identityId: string) =>
      createReplyAddress(pool, { chatId, identityId, domain: 'reply.inbox-chat.example', ttlMs: 30 * 86_400_000 });
    bobReply = await reply(bob.id);
    carolReply = await reply(carol.id);
  });

  after(async () => {
    await pool?.end();
    await server?.close();
    await sink.stop();
    await loopback.stop();
  });

  const lastMessage = async (): Promise<MessageView> => {
    const after = (await lastSeq()) - 1;
    const page = await api<{ messages: MessageView[] }>(
      server,
      'GET',
      `/api/chats/${chatId}/messages?after=${after}&limit=1`,
      undefined,
      alice.token,
    );
    return page.body.messages[0]!;
  };
  const lastSeq = async (): Promise<number> => (await api(server, 'GET', `/api/chats/${chatId}`, undefined, alice.token)).body.lastSeq;

  /** The raw message's SMTP answer, and that nothing was posted. */
  async function refusedRaw(o: { from: string; to: string; data: string | Buffer }): Promise<{ code: number; text: string }> {
    const before = await lastSeq();
    const answer = await sendRawSmtp({ port: server.inbound!.port, from: o.from, to: o.to, data: Buffer.from(o.data) });
    assert.equal(await lastSeq(), before, `nothing may be posted (answer: ${answer.text})`);
    return answer;
  }

  /** Largest gap between 20 ms heartbeats of this process's event loop (the server's too) while `work` runs. */
  async function eventLoopLag<T>(work: () => Promise<T>): Promise<{ result: T; lagMs: number; elapsedMs: number }> {
    let last = performance.now();
    let lagMs = 0;
    const beat = setInterval(() => {
      const now = performance.now();
      lagMs = Math.max(lagMs, now - last - 20);
      last = now;
    }, 20);
    const start = performance.now();
    try {
      const result = await work();
      return { result, lagMs, elapsedMs: performance.now() - start };
    } finally {
      clearInterval(beat);
    }
  }

  it("a reply signed by the member's domain posts, checked through the real DNS resolver", async () => {
    const before = await lastSeq();
    const res = await sendMail({
      port: server.inbound!.port,
      from: 'Bob <bob@example.com>',
      to: bobReply,
      dkim: exampleKey,
      text: 'Looks right to me.',
    });
    assert.match(res.response, /^250/);
    assert.equal(await lastSeq(), before + 1);
    const posted = await lastMessage();
    assert.equal(posted.body, 'Looks right to me.');
    assert.equal(posted.authorAddress, 'bob@example.com');
    // The verdict came from DNS answers over the wire, not an in-process stand-in.
    assert.ok(loopback.queries.includes('TXT _dmarc.example.com'), loopback.queries.join(', '));
    assert.ok(loopback.queries.includes('TXT mail._domainkey.example.com'), loopback.queries.join(', '));
  });

  it('an mbox-style "From " first line cannot smuggle the attacker\'s domain past the victim\'s DMARC p=reject', async () => {
    // mailparser skips a first line starting with "From " (an mbox separator) and reads Bob;
    // mailauth read it as a From field, saw two authors, skipped DMARC, and the old policy
    // then took "no DMARC" and accepted SPF aligned with evil.example.org.
    const forged = [
      'From : Mallory <mallory@evil.example.org>',
      'From: Bob <bob@example.com>',
      `To: ${bobReply}`,
      'Subject: Re: Wire transfer',
      `Message-ID: <${randomBytes(8).toString('hex')}@evil.example.org>`,
      '',
      'Approve the wire transfer to account 4711.',
      '',
    ].join('\r\n');
    const smuggled = await refusedRaw({ from: 'mallory@evil.example.org', to: bobReply, data: forged });
    assert.equal(smuggled.code, 550, smuggled.text);
    assert.match(smuggled.text, /mbox "From " line/);

    const mbox = await refusedRaw({
      from: 'mallory@evil.example.org',
      to: bobReply,
      data: `From mallory@evil.example.org Sat Nov 28 10:00:00 2026\r\n${forged.split('\r\n').slice(1).join('\r\n')}`,
    });
    assert.equal(mbox.code, 550, mbox.text);
    assert.match(mbox.text, /mbox "From " line/);
  });

  it('a reply needs exactly one From address: two From fields, or two addresses in one, are refused', async () => {
    const body = (from: string) =>
      [...from.split('\n'), `To: ${bobReply}`, 'Subject: Re: Wire transfer', '', 'Approve it.', ''].join('\r\n');
    const twoFields = await refusedRaw({
      from: 'mallory@evil.example.org',
      to: bobReply,
      data: body('From: Bob <bob@example.com>\nFrom: Mallory <mallory@evil.example.org>'),
    });
    assert.equal(twoFields.code, 550, twoFields.text);
    assert.match(twoFields.text, /exactly one From address/);
    const twoAddresses = await refusedRaw({
      from: 'mallory@evil.example.org',
      to: bobReply,
      data: body('From: Bob <bob@example.com>, Mallory <mallory@evil.example.org>'),
    });
    assert.equal(twoAddresses.code, 550, twoAddresses.text);
    assert.match(twoAddresses.text, /exactly one From address/);
  });

  it('a reply token posts only as its own member, even for another member whose mail authenticates', async () => {
    const before = await lastSeq();
    const err = await sendMail({
      port: server.inbound!.port,
      from: 'Alice <alice@example.com>',
      to: bobReply,
      dkim: exampleKey,
      text: "Posting as Bob with Bob's token.",
    }).then(
      () => assert.fail('accepted'),
      (e: { responseCode: number; response: string }) => e,
    );
    assert.equal(err.responseCode, 550);
    assert.match(err.response, /belongs to another person/);
    assert.equal(await lastSeq(), before);
  });

  it('DMARC strict alignment (adkim=s): a signature by a subdomain does not vouch for the domain', async () => {
    const before = await lastSeq();
    const err = await sendMail({
      port: server.inbound!.port,
      from: 'Carol <carol@strict.example.net>',
      to: carolReply,
      dkim: strictSubKey,
      text: 'Signed by mail.strict.example.net only.',
    }).then(
      () => assert.fail('accepted: relaxed alignment was applied to adkim=s'),
      (e: { responseCode: number; response: string }) => e,
    );
    assert.equal(err.responseCode, 550);
    assert.match(err.response, /DMARC/);
    assert.equal(await lastSeq(), before);
    // The domain's own signature passes, so the refusal above is the alignment, nothing else.
    const ok = await sendMail({
      port: server.inbound!.port,
      from: 'Carol <carol@strict.example.net>',
      to: carolReply,
      dkim: strictKey,
      text: 'Signed by strict.example.net itself.',
    });
    assert.match(ok.response, /^250/);
    assert.equal((await lastMessage()).body, 'Signed by strict.example.net itself.');
  });

  it('a 250 KB header full of bare CRs is refused with a clear 5xx while the event loop keeps beating', async () => {
    const data = Buffer.from(
      [
        'From: Bob <bob@example.com>',
        `To: ${bobReply}`,
        `X-Filler: a${'\r'.repeat(250 * 1024)}b`,
        'Subject: Re: Wire transfer',
        '',
        'hi',
        '',
      ].join('\r\n'),
      'latin1',
    );
    const { result, lagMs, elapsedMs } = await eventLoopLag(() => refusedRaw({ from: 'bob@example.com', to: bobReply, data }));
    assert.equal(result.code, 550, result.text);
    assert.match(result.text, /carriage return/);
    assert.ok(lagMs < 1000, `the event loop stalled for ${Math.round(lagMs)} ms`);
    assert.ok(elapsedMs < 10_000, `the answer took ${Math.round(elapsedMs)} ms`);
  });

  for (const [name, body] of [
    // email-reply-parser was quadratic in both (seconds per 16 KB, minutes at this size); the
    // line rules that replaced it (reply-text.ts) are linear, so these are now read in time.
    ['one 200 KB line of "On "', 'On '.repeat((200 * 1024) / 3)],
    ['120 K empty lines', '\r\n'.repeat(120 * 1024)],
  ] as const) {
    it(`reply trimming of a worst-case reply (${name}) never blocks the event loop`, async () => {
      // Built and DKIM-signed before the clock starts: only the server's work is measured.
      const message = [
        'From: Bob <bob@example.com>',
        `To: ${bobReply}`,
        'Subject: Re: Wire transfer',
        `Message-ID: <${randomBytes(8).toString('hex')}@example.com>`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        'Hi',
        body,
        '',
      ].join('\r\n');
      const { signatures } = await dkimSign(message, {
        signingDomain: 'example.com',
        selector: exampleKey.keySelector,
        privateKey: exampleKey.privateKey,
      });
      const data = Buffer.from(signatures + message);
      const before = await lastSeq();
      const { result, lagMs } = await eventLoopLag(() =>
        sendRawSmtp({ port: server.inbound!.port, from: 'bob@example.com', to: bobReply, data }),
      );
      assert.ok(lagMs < 1000, `the event loop stalled for ${Math.round(lagMs)} ms`);
      assert.doesNotMatch(result.text, /could not read your reply in the time we allow/);
      // Judged on its merits: posted as just "Hi", or refused for what it is, never half-read.
      if (result.code === 250) assert.equal((await lastMessage()).body, 'Hi');
      else assert.equal(await lastSeq(), before, result.text);
    });
  }

  it('control characters in an emailed reply are dropped; tabs and line breaks stay', async () => {
    const res = await sendMail({
      port: server.inbound!.port,
      from: 'Bob <bob@example.com>',
      to: bobReply,
      dkim: exampleKey,
      text: 'Bell\u0007 and\u0000 nul\u001b[2J, C1\u0085 too.\nTotal:\t42',
    });
    assert.match(res.response, /^250/);
    assert.equal((await lastMessage()).body, 'Bell and nul[2J, C1 too.\nTotal:\t42');
  });
});
