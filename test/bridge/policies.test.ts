import assert from 'node:assert/strict';
import { api, connectSocket, createTestDatabase, type TestDatabase, type TestServer } from '../support/server.ts';
import { FakeDns, MailSink, jobsSettled, publishDomain, sendMail, signInVia, sql, startBridgeServer, waitUntil } from './support.ts';

/** Documented policies: held inbound mail, do-not-disturb re-sends, presence on any node. */
describe('email bridge: policies', function () {
  const dns = new FakeDns();
  const sink = new MailSink();
  let database: TestDatabase;
  let node1: TestServer;
  let node2: TestServer;
  let amy: { token: string; identity: { id: string } };
  let bo: { token: string; identity: { id: string } };
  let chatId: string;

  before(async () => {
    publishDomain(dns, 'example.com');
    await sink.start();
    database = await createTestDatabase();
    // Two nodes on one database; unauthenticated replies are held, not refused.
    node1 = await startBridgeServer({ SMTP_URL: sink.url, INBOUND_AUTH_FAILURE: 'hold', EMAIL_BATCH_WINDOW_MS: '600000' }, dns, database);
    node2 = await startBridgeServer({ SMTP_URL: sink.url, INBOUND_AUTH_FAILURE: 'hold', EMAIL_BATCH_WINDOW_MS: '600000' }, dns, database);
    amy = await signInVia(node1, sink, 'amy@example.com');
    bo = await signInVia(node1, sink, 'bo@example.com');
    chatId = (await api(node1, 'POST', '/api/chats', { subject: 'Policies', audience: { to: ['bo@example.com'] } }, amy.token)).body.id;
    await api(node1, 'POST', `/api/chats/${chatId}/open`, undefined, bo.token);
  });
  after(async () => {
    await node1?.close();
    await node2?.close();
    await sink.stop();
    await database?.drop();
  });

  const closeWindows = () => sql(node1, `UPDATE job SET run_at = now() WHERE done_at IS NULL AND queue = 'notify.member'`);
  const notes = () => sink.mail.filter((m) => m.subject === 'Re: Policies');

  it('a member connected to another node counts as online: no email', async () => {
    const socket = await connectSocket(node2.url, bo.token);
    try {
      await waitUntil('presence recorded', async () => (await sql(node1, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [bo.identity.id])).length === 1);
      await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p1', body: 'Bo is on node 2' }, amy.token);
      await closeWindows();
      await waitUntil('settled', () => jobsSettled(node1));
      assert.equal(notes().length, 0);
    } finally {
      socket.close();
    }
    await waitUntil('bo offline', async () => (await sql(node1, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [bo.identity.id])).length === 0);
  });

  it('with INBOUND_AUTH_FAILURE=hold, a reply failing DMARC is kept in held_mail and not posted', async () => {
    await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p2', body: 'Bo is away now' }, amy.token);
    await closeWindows();
    const note = await waitUntil('notification', () => notes()[0]);
    const before = (await api(node1, 'GET', `/api/chats/${chatId}`, undefined, amy.token)).body.lastSeq;
    const r = await sendMail({ port: node2.bridge.inbound!.port, from: 'bo@example.com', envelopeFrom: 'x@elsewhere.example.net', to: note.replyTo, text: 'unsigned' });
    assert.match(r.response, /^250 .*Held/);
    const held = await sql(node1, `SELECT header_from, reason FROM held_mail`);
    assert.equal(held.length, 1);
    assert.equal(held[0].header_from, 'bo@example.com');
    assert.match(held[0].reason, /DMARC/);
    assert.equal((await api(node1, 'GET', `/api/chats/${chatId}`, undefined, amy.token)).body.lastSeq, before);
  });

  it('do not disturb (re-send): held for the interval, then re-sent until read', async () => {
    await waitUntil('settled', () => jobsSettled(node1));
    const on = await api(node1, 'PUT', '/api/me/availability', { dnd: true, mode: 'RESEND', resendMinutes: 5 }, bo.token);
    assert.equal(on.body.mode, 'RESEND');
    const before = notes().length;
    await api(node1, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'p3', body: 'Ping during quiet hours' }, amy.token);
    await closeWindows();
    await waitUntil('held for later', async () => (await sql(node1, `SELECT 1 FROM job WHERE queue = 'notify.member' AND done_at IS NULL AND run_at > now() + interval '1 minute'`)).length === 1);
    assert.equal(notes().length, before, 'held');
    // The interval passes.
    await sql(node1, `UPDATE availability SET dnd_since = now() - interval '6 minutes'`);
    await closeWindows();
    const first = await waitUntil('held email', () => notes()[before]);
    assert.ok(first.text.includes('Ping during quiet hours'));
    await sql(node1, `UPDATE job SET run_at = now() WHERE done_at IS NULL AND queue = 'notify.remind'`);
    const again = await waitUntil('re-sent', () => notes()[before + 1]);
    assert.match(again.text, /^Reminder:/);
    assert.ok(again.text.includes('Ping during quiet hours'));
    // Read: the reminders stop.
    const lastSeq = (await api(node1, 'GET', `/api/chats/${chatId}`, undefined, bo.token)).body.lastSeq;
    await api(node1, 'POST', `/api/chats/${chatId}/read`, { seq: lastSeq }, bo.token);
    await sql(node1, `UPDATE job SET run_at = now() WHERE done_at IS NULL AND queue = 'notify.remind'`);
    await waitUntil('settled', () => jobsSettled(node1));
    assert.equal(notes().length, before + 2);
  });
});
