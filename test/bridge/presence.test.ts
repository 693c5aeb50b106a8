import assert from 'node:assert/strict';
import { api, connectSocket, createTestDatabase, request, type TestDatabase, type TestServer } from '../support/server.ts';
import { DatabaseProxy, FakeDns, MailSink, jobsSettled, signInVia, sql, startBridgeServer, visibleSocket, waitUntil } from './support.ts';

/**
 * Who gets emailed, with the realistic timings of support.ts (offline delay 1.5 s, presence
 * heartbeat 300 ms, batch window 300 ms): presence follows visible clients and the node's true
 * counts, and the email goes out when a message is not read within the delay of being away.
 * Every case has its own chat and people.
 */
describe('email bridge: presence and the offline email', function () {
  this.timeout(60_000);
  const dns = new FakeDns();
  const sink = new MailSink();
  let server: TestServer;
  let n = 0;

  before(async () => {
    await sink.start();
    server = await startBridgeServer({ SMTP_URL: sink.url }, dns);
  });
  after(async () => {
    await server?.close();
    await sink.stop();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const mailTo = (address: string, subject: string) => sink.mail.filter((m) => m.to.includes(address) && m.subject === `Re: ${subject}`);

  /** A fresh chat from a fresh owner to a fresh member who opened it once. */
  async function pair(node: TestServer) {
    n++;
    const subject = `Presence ${n}`;
    const owner = await signInVia(node, sink, `owner${n}@example.com`);
    const member = await signInVia(node, sink, `member${n}@example.com`);
    const chatId = (await api(node, 'POST', '/api/chats', { subject, audience: { to: [`member${n}@example.com`] } }, owner.token)).body.id;
    await api(node, 'POST', `/api/chats/${chatId}/open`, undefined, member.token);
    return { owner, member, address: `member${n}@example.com`, chatId, subject };
  }
  const presentRows = (node: { database: TestDatabase }, identityId: string) =>
    sql(node, `SELECT 1 FROM presence WHERE identity_id = $1 AND connections > 0`, [identityId]).then((r) => r.length);

  it('a member who left live chat is emailed once the offline delay has passed, while the node keeps running', async () => {
    const p = await pair(server);
    const socket = await visibleSocket(server, p.member.token);
    await waitUntil('present', async () => (await presentRows(server, p.member.identity.id)) === 1);
    socket.close();
    await waitUntil('away', async () => (await presentRows(server, p.member.identity.id)) === 0);
    // Several heartbeats later (the old heartbeat kept "away since" moving, so this never came).
    await sleep(2_000);
    await api(server, 'POST', `/api/chats/${p.chatId}/messages`, { clientId: 'h1', body: 'Are you still there?' }, p.owner.token);
    const mail = await waitUntil('email to the member who left', () => mailTo(p.address, p.subject)[0], 10_000);
    assert.ok(mail.text.includes('Are you still there?'));
  });

  it('an open socket whose page is hidden is not "has seen it": the member is emailed', async () => {
    const p = await pair(server);
    // A tab in the background: connected, in the chat's room (so "delivered"), but hidden.
    const socket = await connectSocket(server.url, p.member.token);
    try {
      assert.equal((await request(socket, 'presence:visibility', { visible: false })).ok, true);
      assert.equal((await request(socket, 'chat:join', { chatId: p.chatId, lastSeq: 0 })).ok, true);
      await api(server, 'POST', `/api/chats/${p.chatId}/messages`, { clientId: 't1', body: 'Behind another tab' }, p.owner.token);
      const mail = await waitUntil('email to the hidden tab', () => mailTo(p.address, p.subject)[0], 10_000);
      assert.ok(mail.text.includes('Behind another tab'));
    } finally {
      socket.close();
    }
  });

  it('a visible member is not emailed while looking; leaving without reading sends it after the delay', async () => {
    const p = await pair(server);
    const socket = await visibleSocket(server, p.member.token);
    await waitUntil('present', async () => (await presentRows(server, p.member.identity.id)) === 1);
    await api(server, 'POST', `/api/chats/${p.chatId}/messages`, { clientId: 'v1', body: 'Look at this later' }, p.owner.token);
    // Batch window and offline delay pass twice over while the page is visible: no email.
    await sleep(4_000);
    assert.equal(mailTo(p.address, p.subject).length, 0, 'no email while a visible client is open');
    const left = Date.now();
    socket.close();
    const mail = await waitUntil('email after leaving unread', () => mailTo(p.address, p.subject)[0], 15_000);
    assert.ok(Date.now() - left >= 1_500, 'not before the offline delay');
    assert.ok(mail.text.includes('Look at this later'));
  });

  it('a page going hidden counts as away, and what was read before is never emailed', async () => {
    const p = await pair(server);
    const socket = await visibleSocket(server, p.member.token);
    try {
      await request(socket, 'chat:join', { chatId: p.chatId, lastSeq: 0 });
      await waitUntil('present', async () => (await presentRows(server, p.member.identity.id)) === 1);
      const sent = await api(server, 'POST', `/api/chats/${p.chatId}/messages`, { clientId: 'r1', body: 'Seen live' }, p.owner.token);
      assert.equal((await request(socket, 'read', { chatId: p.chatId, seq: sent.body.seq })).ok, true);
      assert.equal((await request(socket, 'presence:visibility', { visible: false })).ok, true);
      await waitUntil('away', async () => (await presentRows(server, p.member.identity.id)) === 0);
      await api(server, 'POST', `/api/chats/${p.chatId}/messages`, { clientId: 'r2', body: 'Sent while hidden' }, p.owner.token);
      const mail = await waitUntil('email after going hidden', () => mailTo(p.address, p.subject)[0], 10_000);
      assert.ok(mail.text.includes('Sent while hidden'));
      await waitUntil('settled', () => jobsSettled(server));
      assert.equal(mailTo(p.address, p.subject).length, 1);
    } finally {
      socket.close();
    }
  });

  it('a client flapping its visibility ends in the state it reported last; bad input is refused', async () => {
    const p = await pair(server);
    const socket = await connectSocket(server.url, p.member.token);
    try {
      for (let round = 0; round < 2; round++) {
        const last = round === 0; // first round ends visible, the second hidden
        const acks = [];
        for (let i = 0; i < 40; i++) acks.push(request(socket, 'presence:visibility', { visible: i % 2 === (last ? 1 : 0) }));
        assert.ok((await Promise.all(acks)).every((r) => r.ok));
        // Well past the writes and a couple of heartbeats: the row says what the client said last.
        await sleep(1_000);
        assert.equal(await presentRows(server, p.member.identity.id), last ? 1 : 0);
      }
      const bad = await request(socket, 'presence:visibility', { visible: 'yes' });
      assert.equal(bad.ok, false);
      assert.equal(bad.error.code, 'BAD_INPUT');
    } finally {
      socket.close();
    }
  });

  it('a member who disconnects while PostgreSQL is out of reach is emailed once it is back', async () => {
    const database = await createTestDatabase();
    const proxy = new DatabaseProxy({ host: '127.0.0.1', port: Number(new URL(database.url).port || 5432) });
    await proxy.start();
    const node = await startBridgeServer({ SMTP_URL: sink.url }, dns, proxy.via(database));
    const direct = { database };
    try {
      const p = await pair(node);
      const socket = await visibleSocket(node, p.member.token);
      await waitUntil('present', async () => (await presentRows(direct, p.member.identity.id)) === 1);
      proxy.cut();
      const left = Date.now();
      socket.close();
      // Heartbeats fail for a while; the disconnect's own write has failed too.
      await sleep(1_500);
      assert.equal(await presentRows(direct, p.member.identity.id), 1, 'the lost write left the member present');
      proxy.restore();
      await waitUntil('heartbeat wrote the true count', async () => (await presentRows(direct, p.member.identity.id)) === 0, 10_000);
      const [row] = await sql(direct, `SELECT extract(epoch from seen_at) * 1000 AS at FROM presence WHERE identity_id = $1`, [
        p.member.identity.id,
      ]);
      assert.ok(Math.abs(Number(row!.at) - left) < 1_000, 'away since the disconnect, not since PostgreSQL came back');
      const posted = await waitUntil('message accepted', async () => {
        const r = await api(
          node,
          'POST',
          `/api/chats/${p.chatId}/messages`,
          { clientId: 'pg1', body: 'After the database outage' },
          p.owner.token,
        );
        return r.status === 201 ? r : null;
      });
      assert.equal(posted.status, 201);
      const mail = await waitUntil('email after the outage', () => mailTo(p.address, p.subject)[0], 15_000);
      assert.ok(mail.text.includes('After the database outage'));
    } finally {
      await node.close();
      await proxy.stop();
      await database.drop();
    }
  });
});
