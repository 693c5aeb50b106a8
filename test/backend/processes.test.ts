import assert from 'node:assert/strict';
import pg from 'pg';
import { api, connectSocket, createTestDatabase, nextEvent, request, type TestDatabase } from '../support/server.ts';
import { runFailingStart, startServerProcess, type ServerProcess } from '../support/process.ts';
import type { MessageView } from '../../protocol/index.ts';
import { waitUntil } from '../support/wait.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Signs in against a server process through the dev mailbox page, as a person would read their mail. */
async function signInVia(server: { url: string }, address: string): Promise<{ token: string; identityId: string }> {
  const start = await api(server, 'POST', '/api/auth/start', { address });
  assert.equal(start.status, 202, JSON.stringify(start.body));
  let code: string | undefined;
  for (let i = 0; i < 100 && !code; i++) {
    const mail = (await api(server, 'GET', `/dev/mail.json?to=${encodeURIComponent(address)}`)).body.mail;
    code = mail.map((m: { subject: string }) => /^(\d{6}) is your/.exec(m.subject)?.[1]).find(Boolean);
    if (!code) await new Promise((r) => setTimeout(r, 50));
  }
  const v = await api(server, 'POST', '/api/auth/verify', { verificationId: start.body.verificationId, code });
  assert.equal(v.status, 200);
  return { token: v.body.token, identityId: v.body.identity.id };
}

describe('server processes: several nodes, clean shutdown, clear start-up failures', function () {
  let database: TestDatabase;
  const running: ServerProcess[] = [];
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null) await p.terminate();
    await database.drop();
  });

  const node = async (extra: Record<string, string> = {}) => {
    const p = await startServerProcess({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: `test-${database.name}`,
      DEV_MAILBOX: 'true',
      SOCKET_EVENTS_PER_10S: '100000',
      ...extra,
    });
    running.push(p);
    return p;
  };

  it('with REDIS_URL, a message sent through one process reaches a client of another', async () => {
    const [a, b] = await Promise.all([node(), node()]);
    const alice = await signInVia(a, 'alice@example.com');
    const bob = await signInVia(b, 'bob@example.com');
    const chat = (await api(a, 'POST', '/api/chats', { subject: 'two nodes', audience: { to: ['bob@example.com'] } }, alice.token)).body;
    const bobSocket = await connectSocket(b.url, bob.token);
    const aliceSocket = await connectSocket(a.url, alice.token);
    try {
      assert.equal((await request(bobSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);
      assert.equal((await request(aliceSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);
      const arrives = nextEvent<MessageView>(bobSocket, 'message', (m) => m.body === 'across processes');
      const ack = await request(aliceSocket, 'message:send', { chatId: chat.id, clientId: 'x1', body: 'across processes' });
      assert.equal(ack.ok, true);
      assert.equal((await arrives).seq, ack.message.seq);
    } finally {
      bobSocket.close();
      aliceSocket.close();
      await a.terminate();
      await b.terminate();
    }
  });

  it('an ephemeral chat has one order across processes: unique seqs, live order by seq, the whole log on either node, nothing in PostgreSQL', async () => {
    const [a, b] = await Promise.all([node(), node()]);
    const alice = await signInVia(a, 'erin@example.com');
    const bob = await signInVia(b, 'frank@example.com');
    const created = await api(
      a,
      'POST',
      '/api/chats',
      { subject: 'off the record', retention: 'EPHEMERAL', audience: { to: ['frank@example.com'] } },
      alice.token,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const chatId = created.body.id;
    const aliceSocket = await connectSocket(a.url, alice.token);
    const bobSocket = await connectSocket(b.url, bob.token);
    try {
      assert.equal((await request(aliceSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
      assert.equal((await request(bobSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
      const live = { alice: [] as MessageView[], bob: [] as MessageView[] };
      aliceSocket.on('message', (m) => m.chatId === chatId && m.kind === 'TEXT' && live.alice.push(m));
      bobSocket.on('message', (m) => m.chatId === chatId && m.kind === 'TEXT' && live.bob.push(m));
      // Both processes append at the same time.
      const sends = [];
      for (let i = 0; i < 40; i++) {
        sends.push(request(aliceSocket, 'message:send', { chatId, clientId: `a${i}`, body: `from a ${i}` }));
        sends.push(request(bobSocket, 'message:send', { chatId, clientId: `b${i}`, body: `from b ${i}` }));
      }
      const acks = await Promise.all(sends);
      assert.ok(
        acks.every((r) => r.ok),
        JSON.stringify(acks.find((r) => !r.ok)),
      );
      const seqs = acks.map((r) => r.message.seq as number);
      assert.equal(new Set(seqs).size, 80, 'no two messages share a seq');
      // A retry through the other process gets the first result.
      const retry = await request(bobSocket, 'message:send', { chatId, clientId: 'a0', body: 'again' });
      assert.equal(retry.ok, false, 'another author cannot reuse the id');
      const aliceRetry = await request(aliceSocket, 'message:send', { chatId, clientId: 'a0', body: 'again' });
      assert.equal(aliceRetry.message.seq, acks[0].message.seq);
      assert.equal(aliceRetry.message.body, 'from a 0');
      // Every client sees all 80, live, in seq order.
      for (let i = 0; i < 200 && (live.alice.length < 80 || live.bob.length < 80); i++) await new Promise((r) => setTimeout(r, 25));
      for (const got of [live.alice, live.bob]) {
        assert.deepEqual(
          got.map((m) => m.seq).sort((x, y) => x - y),
          [...seqs].sort((x, y) => x - y),
          'each message once, by its one seq',
        );
        // What one process numbered reaches every client in seq order. Between processes, delivery
        // order is Redis pub/sub's (as for archived chats); clients place messages by seq and resync on a gap.
        for (const origin of ['a', 'b']) {
          const order = got.filter((m) => m.clientId.startsWith(origin)).map((m) => m.seq);
          assert.deepEqual(
            order,
            [...order].sort((x, y) => x - y),
            `live order of ${origin}'s messages is seq order`,
          );
        }
      }
      // Re-joining on the other process (and paging history there) shows the whole log.
      const rejoin = await connectSocket(a.url, bob.token);
      try {
        const joined = await request(rejoin, 'chat:join', { chatId, lastSeq: 0 });
        const texts = joined.missed.filter((m: MessageView) => m.kind === 'TEXT');
        assert.equal(texts.length, 80);
        assert.equal(joined.chat.lastSeq, Math.max(...seqs));
      } finally {
        rejoin.close();
      }
      const page = await api(b, 'GET', `/api/chats/${chatId}/messages?after=0&limit=100`, undefined, alice.token);
      assert.equal(page.body.messages.filter((m: MessageView) => m.kind === 'TEXT').length, 80);
      const c = new pg.Client({ connectionString: database.url });
      await c.connect();
      const stored = (await c.query('SELECT count(*)::int AS n FROM message WHERE chat_id = $1', [chatId])).rows[0].n;
      await c.end();
      assert.equal(stored, 0, 'an ephemeral chat writes no message rows');
    } finally {
      aliceSocket.close();
      bobSocket.close();
      await a.terminate();
      await b.terminate();
    }
  });

  it('SIGTERM finishes in-flight sends: every acknowledged message is committed, and the process exits 0', async () => {
    const p = await node();
    const alice = await signInVia(p, 'carol@example.com');
    const chat = (await api(p, 'POST', '/api/chats', { subject: 'shutdown' }, alice.token)).body;
    const socket = await connectSocket(p.url, alice.token);
    const acked: number[] = [];
    const refused: string[] = [];
    const sends = Array.from({ length: 300 }, (_, i) =>
      socket
        .timeout(15_000)
        .emitWithAck('message:send', { chatId: chat.id, clientId: `t${i}`, body: `m${i}` })
        .then((r) => (r.ok ? acked.push(r.message.seq) : refused.push(r.error.code)))
        .catch(() => refused.push('no-ack')),
    );
    // Terminate as soon as the first send is acknowledged, while the rest are in flight.
    await waitUntil('the first send is answered', () => acked.length > 0 || refused.length > 0, 15_000, 1);
    const code = await p.terminate();
    await Promise.all(sends);
    socket.close();
    assert.equal(code, 0, p.output());
    assert.match(p.output(), /shutting down/);
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    const rows = (await c.query('SELECT seq FROM message WHERE chat_id = $1 AND kind = $2 ORDER BY seq', [chat.id, 'TEXT'])).rows;
    await c.end();
    const committed = new Set(rows.map((r) => r.seq));
    for (const seq of acked) assert.ok(committed.has(seq), `acked seq ${seq} must be committed`);
    assert.ok(acked.length > 0, 'some sends were acknowledged before shutdown');
    // Sends that reached the server after SIGTERM are refused as UNAVAILABLE (the client retries them
    // with the same id); ones still on the wire when the sockets closed get no ack and are retried too.
    assert.ok(
      refused.every((r) => r === 'UNAVAILABLE' || r === 'no-ack'),
      `refusals are clear: ${refused.join(',')}`,
    );
  });

  it('refuses to start with a clear message when the database is unreachable', async () => {
    const r = await runFailingStart({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    assert.equal(r.code, 1);
    assert.match(r.output, /Cannot reach the database \(postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere\)/);
  });

  it('refuses to start with a clear message when configuration is invalid', async () => {
    const r = await runFailingStart({ DATABASE_URL: database.url, PORT: 'eighty' });
    assert.equal(r.code, 2);
    assert.match(r.output, /Invalid configuration:\n\s+PORT/);
  });
});
