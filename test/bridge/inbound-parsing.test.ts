import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../backend/src/config/index.ts';
import { createLogger } from '../../backend/src/log.ts';
import { checkSender } from '../../backend/src/smtp/authenticate.ts';
import { ReplyReader } from '../../backend/src/smtp/reader.ts';
import { screenRawMessage, MAX_HEADER_BYTES } from '../../backend/src/smtp/screen.ts';
import { FakeDns, publishDomain } from './support.ts';

/**
 * The pieces of the inbound path on their own: the screen in front of the parsers, the
 * worker-thread reader, the sender check's own insistence on one From, and the DNS setting.
 * The end-to-end behaviour over SMTP is in inbound-security.test.ts.
 */
describe('inbound mail: screen, reader and sender check', function () {
  const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/replies');
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.eml'));

  it('every reply fixture from real mail clients passes the screen and reads to its expected text in the worker', async function () {
    this.timeout(60_000);
    // The real deadline: it must hold for real mail on a busy machine too.
    const reader = new ReplyReader(createLogger('silent'));
    try {
      reader.warmUp();
      for (const f of fixtures) {
        const raw = readFileSync(path.join(FIXTURES, f));
        assert.equal(screenRawMessage(raw)?.message ?? null, null, f);
        const expected = readFileSync(path.join(FIXTURES, f.replace(/\.eml$/, '.expected.txt')), 'utf8').replace(/\n$/, '');
        assert.equal((await reader.read(raw)).text, expected, f);
      }
    } finally {
      await reader.close();
    }
  });

  it('the reader refuses an email past its deadline, replaces that thread, and queues emails beyond its concurrency', async function () {
    this.timeout(60_000);
    const reader = new ReplyReader(createLogger('silent'), { deadlineMs: 400, concurrency: 1, maxQueued: 2 });
    try {
      const mail = (text: string) => Buffer.from(`From: Bob <bob@example.com>\r\nSubject: hi\r\n\r\n${text}\r\n`);
      // 8 MB of alternating quote lines (the listener caps mail at INBOUND_MAX_KB, the reader does
      // not): reply extraction is linear, and this much takes about a second on a quiet machine
      // (measured), well beyond 0.4 s.
      const slow = reader.read(mail('a\r\n> b\r\n'.repeat(1_000_000)));
      const queued = [reader.read(mail('first')), reader.read(mail('second'))];
      await assert.rejects(reader.read(mail('one too many')), (e: { reason?: string }) => e.reason === 'busy');
      await assert.rejects(slow, (e: { reason?: string }) => e.reason === 'unreadable');
      assert.deepEqual(
        (await Promise.all(queued)).map((r) => r.text),
        ['first', 'second'],
      );
    } finally {
      await reader.close();
    }
  });

  it('an answer that arrives after the deadline is refused, even when a stalled event loop delivers it before the timer', async function () {
    this.timeout(30_000);
    const reader = new ReplyReader(createLogger('silent'), { deadlineMs: 300, concurrency: 1, maxQueued: 2 });
    try {
      const mail = (text: string) => Buffer.from(`From: Bob <bob@example.com>\r\nSubject: hi\r\n\r\n${text}\r\n`);
      assert.equal((await reader.read(mail('warm'))).text, 'warm');
      const late = reader.read(mail('quick'));
      // Stall the event loop right after the email is posted (this microtask runs after read()'s
      // own, which posts it), before the worker's quick answer can be taken: the answer and the due
      // deadline timer are then both waiting, and whichever runs first must refuse the email.
      await Promise.resolve().then(() => {
        const until = performance.now() + 1000;
        while (performance.now() < until);
      });
      await assert.rejects(late, (e: { reason?: string }) => e.reason === 'unreadable');
    } finally {
      await reader.close();
    }
  });

  const ok = 'From: Bob <bob@example.com>\r\nTo: x@example.net\r\nSubject: hi\r\n\r\nbody\r\n';
  const reason = (raw: string | Buffer) => screenRawMessage(Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1'))?.reason ?? null;

  it('the screen lets well-formed mail through, bare LF line ends and folded fields included', () => {
    assert.equal(reason(ok), null);
    assert.equal(reason(ok.replace(/\r\n/g, '\n')), null);
    assert.equal(reason('From: Bob\r\n <bob@example.com>\r\nSubject: a\r\n\tlong subject\r\n\r\nbody'), null);
    assert.equal(reason(Buffer.from('From: Bøb <bob@example.com>\r\nSubject: héllo\r\n\r\nbody')), null, 'UTF-8 in the header (SMTPUTF8)');
    assert.equal(reason('From: Bob <bob@example.com>'), null, 'a header without a body');
  });

  it('the screen refuses what the parsers would read differently or slowly, each with its own reason', () => {
    assert.equal(reason(ok.replace('body', 'bo\rdy')), 'bareCarriageReturn', 'a bare CR in the body');
    assert.equal(reason(`From mallory@evil.example.org Sat Nov 28 10:00:00 2026\r\n${ok}`), 'mboxFromLine');
    assert.equal(reason(`From : mallory@evil.example.org\r\n${ok}`), 'mboxFromLine');
    assert.equal(reason(`X-Note : spaced\r\n${ok}`), 'malformedHeader', 'a space before the colon');
    assert.equal(reason(`\u00a0From: mallory@evil.example.org\r\n${ok}`), 'malformedHeader', 'a line starting with NBSP');
    assert.equal(reason(`X-Nul: a\u0000b\r\n${ok}`), 'malformedHeader');
    assert.equal(reason(ok.replace('From: Bob <bob@example.com>\r\n', '')), 'fromCount');
    assert.equal(reason(`From: m@evil.example.org\r\n${ok}`), 'fromCount');
    assert.equal(reason(`X-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n${ok}`), 'headerTooLarge');
    assert.equal(reason(`${'X-Many: a\r\n'.repeat(1001)}${ok}`), 'headerTooLarge');
  });

  it('the sender check vouches only for the From that names the member: two From fields fail even when SPF passes for one', async () => {
    const dns = new FakeDns();
    publishDomain(dns, 'example.com', { spfIp: '192.0.2.1' });
    dns.addTxt('evil.example.org', 'v=spf1 ip4:127.0.0.1 -all');
    const raw = Buffer.from(
      'From: Mallory <mallory@evil.example.org>\r\nFrom: Bob <bob@example.com>\r\nSubject: hi\r\n\r\nApprove it.\r\n',
    );
    const verdict = await checkSender(raw, {
      ip: '127.0.0.1',
      helo: 'mx.evil.example.org',
      mailFrom: 'mallory@evil.example.org',
      mta: 'reply.inbox-chat.example',
      resolver: dns.resolver,
      authorFrom: 'bob@example.com',
    });
    assert.equal(verdict.outcome, 'fail', verdict.reason);
    assert.match(verdict.reason, /not for the From address/);
  });

  it('INBOUND_DNS_SERVERS takes IP addresses with optional ports and refuses anything else at start', () => {
    const servers = (v: string) => loadConfig({ INBOUND_DNS_SERVERS: v }).bridge.inboundDnsServers;
    assert.deepEqual(servers('127.0.0.1:5353, [::1]:53,192.0.2.53'), ['127.0.0.1:5353', '[::1]:53', '192.0.2.53']);
    assert.throws(() => servers('dns.example.net'), /INBOUND_DNS_SERVERS/);
    assert.throws(() => servers('127.0.0.1:70000'), /INBOUND_DNS_SERVERS/);
  });
});
