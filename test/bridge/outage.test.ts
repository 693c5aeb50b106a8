import assert from 'node:assert/strict';
import { api, createTestDatabase, type TestDatabase, type TestServer } from '../support/server.ts';
import { FakeDns, MailSink, jobsSettled, signInVia, sql, startBridgeServer, waitUntil } from './support.ts';

/**
 * Outbound mail is a durable job in PostgreSQL. The outside SMTP server (a test-owned
 * smtp-server on loopback) goes down; messages are posted; the backend node that queued
 * the emails stops and two other nodes take over on the same database; SMTP comes back:
 * every email arrives, and arrives once.
 */
describe('email bridge: SMTP outage, restarts and several nodes', function () {
  const dns = new FakeDns();
  const sink = new MailSink();
  let database: TestDatabase;
  const servers: TestServer[] = [];

  before(async () => {
    database = await createTestDatabase();
    await sink.start();
  });
  after(async () => {
    for (const s of servers) await s.close().catch(() => {});
    await sink.stop();
    await database.drop();
  });

  it('retries while the mail server is down and delivers each email exactly once after it recovers', async () => {
    const first = await startBridgeServer({ SMTP_URL: sink.url }, dns, database);
    servers.push(first);
    const a = await signInVia(first, sink, 'ada@example.com');
    const b = await signInVia(first, sink, 'bo@example.com');
    const c = await signInVia(first, sink, 'cy@example.com');
    const chat = await api(
      first,
      'POST',
      '/api/chats',
      { subject: 'Outage', audience: { to: ['bo@example.com', 'cy@example.com'] } },
      a.token,
    );
    const chatId = chat.body.id;
    await api(first, 'POST', `/api/chats/${chatId}/open`, undefined, b.token);
    await api(first, 'POST', `/api/chats/${chatId}/open`, undefined, c.token);
    await waitUntil('joins settled', () => jobsSettled(first));

    const port = sink.port;
    await sink.stop();
    for (let i = 1; i <= 3; i++) {
      const r = await api(first, 'POST', `/api/chats/${chatId}/messages`, { clientId: `o${i}`, body: `During the outage #${i}` }, a.token);
      assert.equal(r.status, 201);
    }
    // Both emails were built and are failing against the dead server, with backoff.
    await waitUntil('mail jobs retried', async () => {
      const rows = await sql(first, `SELECT attempts FROM job WHERE queue = 'mail.send' AND done_at IS NULL`);
      return rows.length === 2 && rows.every((r) => r.attempts >= 2);
    });
    const errors = await sql(first, `SELECT last_error FROM job WHERE queue = 'mail.send' AND done_at IS NULL`);
    assert.ok(
      errors.every((e) => /ECONNREFUSED|connect/i.test(e.last_error)),
      JSON.stringify(errors),
    );

    // The node stops (jobs in flight finish first); two others share the database from now on.
    await first.close();
    servers.splice(0);
    servers.push(await startBridgeServer({ SMTP_URL: `smtp://127.0.0.1:${port}` }, dns, database));
    servers.push(await startBridgeServer({ SMTP_URL: `smtp://127.0.0.1:${port}` }, dns, database));

    const before = sink.mail.length;
    await sink.start(port);
    await waitUntil('every job done', () => jobsSettled(servers[0]!));
    const arrived = sink.mail.slice(before).filter((m) => m.subject === 'Re: Outage');
    assert.deepEqual(arrived.map((m) => m.to[0]).sort(), ['bo@example.com', 'cy@example.com']);
    for (const m of arrived) {
      for (let i = 1; i <= 3; i++) assert.ok(m.text.includes(`During the outage #${i}`));
    }
    assert.equal(new Set(arrived.map((m) => m.messageId)).size, 2);
  });

  it('emails queued during an outage for one member and chat go out as one email when mail flows again', async () => {
    const server = servers[0]!;
    const a = await signInVia(server, sink, 'ada3@example.com');
    const b = await signInVia(server, sink, 'bea@example.com');
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Burst', audience: { to: ['bea@example.com'] } }, a.token);
    const chatId = chat.body.id;
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, b.token);
    await waitUntil('joins settled', () => jobsSettled(server));
    const port = sink.port;
    await sink.stop();
    const mailJobs = async () =>
      (await sql(server, `SELECT count(*)::int AS n FROM job WHERE queue = 'mail.send' AND payload->>'to' = 'bea@example.com'`))[0]!.n;
    // Each message in its own batch window, each window's email built and failing against the dead server.
    for (let i = 1; i <= 3; i++) {
      await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `b${i}`, body: `Burst message #${i}` }, a.token);
      await waitUntil(`email #${i} queued`, async () => (await mailJobs()) >= i);
      await waitUntil(
        `email #${i} tried`,
        async () =>
          (
            await sql(
              server,
              `SELECT 1 FROM job WHERE queue = 'mail.send' AND payload->>'to' = 'bea@example.com' AND done_at IS NULL AND attempts >= 1 AND last_error IS NOT NULL`,
            )
          ).length > 0,
      );
    }
    const before = sink.mail.length;
    await sink.start(port);
    await waitUntil('every job done', () => jobsSettled(server));
    const arrived = sink.mail.slice(before).filter((m) => m.to.includes('bea@example.com'));
    assert.equal(arrived.length, 1, `one email, not a burst: ${arrived.map((m) => m.subject).join(', ')}`);
    for (let i = 1; i <= 3; i++) assert.ok(arrived[0]!.text.includes(`Burst message #${i}`));
    // Her emailed position covers all three.
    const [state] = await sql(server, `SELECT emailed_seq FROM delivery_state WHERE chat_id = $1 AND identity_id = $2`, [
      chatId,
      b.identity.id,
    ]);
    assert.equal(state!.emailed_seq, (await api(server, 'GET', `/api/chats/${chatId}`, undefined, a.token)).body.lastSeq);
  });

  it('a recipient the mail server refuses for good (5xx) fails at once instead of retrying for hours', async () => {
    const server = servers[0]!;
    const a = await signInVia(server, sink, 'ada2@example.com');
    const g = await signInVia(server, sink, 'gone@example.com');
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Gone', audience: { to: ['gone@example.com'] } }, a.token);
    await api(server, 'POST', `/api/chats/${chat.body.id}/open`, undefined, g.token);
    sink.refuse.add('gone@example.com');
    await api(server, 'POST', `/api/chats/${chat.body.id}/messages`, { clientId: 'g1', body: 'Hello?' }, a.token);
    const failed = await waitUntil(
      'mail job failed',
      async () =>
        (
          await sql(
            server,
            `SELECT attempts, last_error FROM job WHERE queue = 'mail.send' AND failed_at IS NOT NULL AND payload->>'to' = 'gone@example.com'`,
          )
        )[0],
    );
    assert.equal(failed.attempts, 1);
    assert.match(failed.last_error, /No such mailbox/);
  });
});
