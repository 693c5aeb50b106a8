import assert from 'node:assert/strict';
import { api, createTestDatabase, request, type TestDatabase, type TestServer } from '../support/server.ts';
import {
  FakeDns,
  MailSink,
  jobsSettled,
  publishDomain,
  sendMail,
  signInVia,
  sql,
  startBridgeServer,
  visibleSocket,
  waitUntil,
} from './support.ts';

/**
 * Documented policies: held inbound mail, do-not-disturb re-sends, presence on any node.
 * Each case has its own chat and member, so they pass or fail alone and in any order.
 */
describe('email bridge: policies', function () {
  const dns = new FakeDns();
  const sink = new MailSink();
  let database: TestDatabase;
  let node1: TestServer;
  let node2: TestServer;
  let amy: { token: string; identity: { id: string } };

  before(async () => {
    publishDomain(dns, 'example.com');
    await sink.start();
    database = await createTestDatabase();
    // Two nodes on one database; unauthenticated replies are held, not refused.
    node1 = await startBridgeServer({ SMTP_URL: sink.url, INBOUND_AUTH_FAILURE: 'hold', EMAIL_BATCH_WINDOW_MS: '600000' }, dns, database);
    node2 = await startBridgeServer({ SMTP_URL: sink.url, INBOUND_AUTH_FAILURE: 'hold', EMAIL_BATCH_WINDOW_MS: '600000' }, dns, database);
    amy = await signInVia(node1, sink, 'amy@example.com');
  });
  after(async () => {
    await node1?.close();
    await node2?.close();
    await sink.stop();
    await database?.drop();
  });

  /** A chat of its own from amy to a member of its own, who opened it once. */
  async function chatWith(name: string) {
    const address = `${name}@example.com`;
    const member = await signInVia(node1, sink, address);
    const subject = `Policies ${name}`;
    const chatId = (await api(node1, 'POST', '/api/chats', { subject, audience: { to: [address] } }, amy.token)).body.id;
    await api(node1, 'POST', `/api/chats/${chatId}/open`, undefined, member.token);
    const notes = () => sink.mail.filter((m) => m.subject === `Re: ${subject}` && m.to.includes(address));
    return { member, address, chatId, notes };
  }
  const closeWindows = (identityId: string) =>
    sql(node1, `UPDATE job SET run_at = now() WHERE done_at IS NULL AND queue = 'notify.member' AND payload->>'identityId' = $1`, [
      identityId,
    ]);

  it('a member with a visible client on another node is present: not emailed while there, nor after reading it', async () => {
    const { member, chatId, notes } = await chatWith('bo');
    const socket = await visibleSocket(node2, member.token);
    try {
      await waitUntil(
        'presence recorded',
        async () =>
          (await sql(node1, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [member.identity.id])).length === 1,
      );
      const sent = await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p1', body: 'Bo is on node 2' }, amy.token);
      await closeWindows(member.identity.id);
      // The job ran on either node, saw bo present and looks again later instead of emailing.
      await waitUntil(
        'deferred while present',
        async () =>
          (
            await sql(
              node1,
              `SELECT 1 FROM job WHERE queue = 'notify.member' AND payload->>'identityId' = $1 AND done_at IS NULL
                              AND locked_until IS NULL AND run_at > now() AND run_at < now() + interval '1 minute'`,
              [member.identity.id],
            )
          ).length === 1,
      );
      assert.equal(notes().length, 0);
      assert.equal((await request(socket, 'read', { chatId, seq: sent.body.seq })).ok, true);
    } finally {
      socket.close();
    }
    await waitUntil(
      'bo away',
      async () =>
        (await sql(node1, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [member.identity.id])).length === 0,
    );
    await closeWindows(member.identity.id);
    await waitUntil('settled', () => jobsSettled(node1));
    assert.equal(notes().length, 0, 'read before leaving: nothing to email');
  });

  it('with INBOUND_AUTH_FAILURE=hold, a reply failing DMARC is kept in held_mail and not posted', async () => {
    const { member, address, chatId, notes } = await chatWith('cy');
    await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p2', body: 'Cy is away now' }, amy.token);
    await closeWindows(member.identity.id);
    const note = await waitUntil('notification', () => notes()[0]);
    const before = (await api(node1, 'GET', `/api/chats/${chatId}`, undefined, amy.token)).body.lastSeq;
    const r = await sendMail({
      port: node2.inbound!.port,
      from: address,
      envelopeFrom: 'x@elsewhere.example.net',
      to: note.replyTo,
      text: 'unsigned',
    });
    assert.match(r.response, /^250 .*Held/);
    const held = await sql(node1, `SELECT header_from, reason FROM held_mail WHERE header_from = $1`, [address]);
    assert.equal(held.length, 1);
    assert.match(held[0]!.reason, /DMARC/);
    assert.equal((await api(node1, 'GET', `/api/chats/${chatId}`, undefined, amy.token)).body.lastSeq, before);
  });

  it('do not disturb (re-send): held for the interval, then re-sent until read', async () => {
    const { member, chatId, notes } = await chatWith('di');
    const on = await api(node1, 'PUT', '/api/me/availability', { dnd: true, mode: 'RESEND', resendMinutes: 5 }, member.token);
    assert.equal(on.body.mode, 'RESEND');
    await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p3', body: 'Ping during quiet hours' }, amy.token);
    await closeWindows(member.identity.id);
    await waitUntil(
      'held for later',
      async () =>
        (
          await sql(
            node1,
            `SELECT 1 FROM job WHERE queue = 'notify.member' AND done_at IS NULL AND payload->>'identityId' = $1 AND run_at > now() + interval '1 minute'`,
            [member.identity.id],
          )
        ).length === 1,
    );
    assert.equal(notes().length, 0, 'held');
    // The interval passes.
    await sql(node1, `UPDATE availability SET dnd_since = now() - interval '6 minutes' WHERE identity_id = $1`, [member.identity.id]);
    await closeWindows(member.identity.id);
    const first = await waitUntil('held email', () => notes()[0]);
    assert.ok(first.text.includes('Ping during quiet hours'));
    const remindNow = () =>
      sql(node1, `UPDATE job SET run_at = now() WHERE done_at IS NULL AND queue = 'notify.remind' AND payload->>'identityId' = $1`, [
        member.identity.id,
      ]);
    await remindNow();
    const again = await waitUntil('re-sent', () => notes()[1]);
    assert.match(again.text, /^Reminder:/);
    assert.ok(again.text.includes('Ping during quiet hours'));
    // Read: the reminders stop.
    const lastSeq = (await api(node1, 'GET', `/api/chats/${chatId}`, undefined, member.token)).body.lastSeq;
    await api(node1, 'POST', `/api/chats/${chatId}/read`, { seq: lastSeq }, member.token);
    await remindNow();
    await waitUntil('settled', () => jobsSettled(node1));
    assert.equal(notes().length, 2);
  });
});
