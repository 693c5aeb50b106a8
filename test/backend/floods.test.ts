import assert from 'node:assert/strict';
import { SocketTransport } from '../../ui/src/socket-transport.ts';
import type { ConnectionStatus } from '../../ui/src/transport.ts';
import { api, connectSocket, request, signInAll, startTestServer, untyped, type ClientSocket, type TestServer } from '../support/server.ts';
import type { SessionView } from '../../protocol/index.ts';
import { waitUntil } from '../support/wait.ts';

/** Emits any event name with any payload, as a hostile client would. */
const raw = untyped;

const closedWith = (s: ClientSocket) =>
  new Promise<string | undefined>((resolve) => {
    let reason: string | undefined;
    s.on('server:closing', (r) => (reason = r.reason));
    s.once('disconnect', () => resolve(reason));
  });

const refusal = (url: string, token: string) =>
  connectSocket(url, token).then(
    (s) => {
      s.close();
      return undefined;
    },
    (err: Error & { data?: { code?: string } }) => ({ code: err.data?.code, message: err.message }),
  );

describe('floods: budgets at the transport, connection caps', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView;
  let chatId: string;

  before(async () => {
    server = await startTestServer({
      SOCKET_EVENTS_PER_10S: '50',
      SOCKET_KB_PER_10S: '256',
      SOCKETS_PER_IDENTITY: '3',
      SOCKETS_PER_IP: '6',
    });
    [alice, bob, carol] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com']);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'x', audience: { to: ['bob@example.com'] } }, alice.token)).body.id;
  });
  after(async () => server.close());

  it('unknown event names count against the event budget: a flood of them is cut off', async () => {
    const s = await connectSocket(server.url, alice.token);
    const closed = closedWith(s);
    for (let i = 0; i < 400; i++) raw(s).emit(`no:such:event:${i % 7}`, { n: i });
    assert.equal(await closed, 'too many events');
    const fine = await connectSocket(server.url, alice.token);
    assert.equal((await request(fine, 'message:send', { chatId, clientId: 'after-unknown', body: 'still fine' })).ok, true);
    fine.close();
  });

  it('bytes are budgeted per connection whatever the event: 60 KB frames are cut after a few', async () => {
    const s = await connectSocket(server.url, alice.token);
    const closed = closedWith(s);
    const junk = 'j'.repeat(60_000);
    for (let i = 0; i < 40; i++) raw(s).emit('no:such:event', junk);
    assert.equal(await closed, 'too much data');
  });

  it('a known-event flood is cut while it is read, not after the server answered it all', async () => {
    const s = await connectSocket(server.url, alice.token);
    const closed = closedWith(s);
    let answered = 0;
    const junk = 'r'.repeat(50_000);
    // Well-formed names, oversized junk payloads: each would be parsed and answered with BAD_INPUT.
    for (let i = 0; i < 40; i++) raw(s).emit('read', { chatId, seq: 1, junk }, () => answered++);
    assert.equal(await closed, 'too much data');
    assert.ok(answered <= 6, `only what fits the 256 KB budget was handled (${answered} of 40)`);
  });

  it('caps open sockets per identity and per IP with TOO_MANY_CONNECTIONS; a closed socket frees its slot', async () => {
    const mine = await Promise.all([1, 2, 3].map(() => connectSocket(server.url, bob.token)));
    const fourth = await refusal(server.url, bob.token);
    assert.equal(fourth?.code, 'TOO_MANY_CONNECTIONS');
    assert.match(fourth!.message, /Too many open connections for this account \(at most 3\)/);
    mine[0]!.close();
    let again: ClientSocket | undefined;
    for (let i = 0; i < 50 && !again; i++) {
      again = await connectSocket(server.url, bob.token).catch(() => undefined);
      if (!again) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(again, 'the closed socket freed its slot');
    // 3 of Bob's + 3 of Carol's fill the 6 allowed from 127.0.0.1.
    const carols = await Promise.all([1, 2, 3].map(() => connectSocket(server.url, carol.token)));
    const byIp = await refusal(server.url, alice.token);
    assert.equal(byIp?.code, 'TOO_MANY_CONNECTIONS');
    assert.match(byIp!.message, /from this address \(at most 6\)/);
    for (const s of [...mine.slice(1), again, ...carols]) s.close();
  });

  it('the shared client shows the refusal and waits before retrying, instead of a tight loop', async () => {
    const held = await Promise.all([1, 2, 3].map(() => connectSocket(server.url, carol.token)));
    let handshakes = 0;
    const count = () => handshakes++;
    server.httpServer.on('upgrade', count);
    const t = new SocketTransport({ url: server.url, getToken: () => carol.token, refusedRetryMs: 1_500 });
    try {
      const seen: ConnectionStatus[] = [];
      t.on('status', (s) => seen.push(s));
      const status = (): ConnectionStatus => t.status;
      await waitUntil('the transport is refused', () => status() === 'refused', 10_000, 20);
      const before = handshakes;
      await new Promise((r) => setTimeout(r, 1_000));
      assert.equal(status(), 'refused');
      assert.equal(handshakes, before, 'no new attempt while waiting');
      held[0]!.close();
      await waitUntil('the transport is online again', () => status() === 'online', 10_000, 20);
      assert.deepEqual(seen, ['refused', 'online']);
    } finally {
      t.close();
      server.httpServer.off('upgrade', count);
      for (const s of held) s.close();
    }
  });
});
