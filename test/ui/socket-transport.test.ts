/**
 * The shared Socket.IO transport against the real server: status events, acknowledged
 * requests, `{ok:false}` acks as TransportError, live events, and sign-out.
 * Runs in Node (socket.io-client works there too); the browser path is covered by test/e2e.
 */
import assert from 'node:assert/strict';
import { detectCapabilities } from '../../ui/src/capabilities.ts';
import { SocketTransport } from '../../ui/src/socket-transport.ts';
import { TransportError, type ConnectionStatus, type TransportEvents } from '../../ui/src/transport.ts';
import type { ChatCapabilitiesView } from '../../protocol/index.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { rejection } from '../support/assertions.ts';
import { TcpProxy } from '../support/tcp-proxy.ts';

function next<E extends keyof TransportEvents>(
  t: SocketTransport,
  event: E,
  match: (p: Parameters<TransportEvents[E]>[0]) => boolean = () => true,
) {
  return new Promise<Parameters<TransportEvents[E]>[0]>((resolve) => {
    const off = t.on(event, ((p: Parameters<TransportEvents[E]>[0]) => {
      if (!match(p)) return;
      off();
      resolve(p);
    }) as TransportEvents[E]);
  });
}

async function online(t: SocketTransport): Promise<void> {
  if (t.status !== 'online') await next(t, 'status', (s) => s === 'online');
}

describe('SocketTransport (shared socket client)', function () {
  this.timeout(60_000);
  let server: TestServer;
  const open: SocketTransport[] = [];
  const transport = (token: string) => {
    const t = new SocketTransport({ url: server.url, getToken: () => token });
    open.push(t);
    return t;
  };

  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    for (const t of open) t.close();
    await server?.close();
  });

  it('goes online, joins, sends idempotently and relays messages and typing live', async () => {
    const alice = await signIn(server, 'ann@example.com');
    const bob = await signIn(server, 'ben@example.com');
    const chat = (
      await api(server, 'POST', '/api/chats', { subject: 'T', audience: { to: ['ben@example.com'] }, source: 'STANDALONE' }, alice.token)
    ).body;
    const a = transport(alice.token);
    const b = transport(bob.token);
    const seen: ConnectionStatus[] = [a.status];
    a.on('status', (s) => seen.push(s));
    await Promise.all([online(a), online(b)]);
    assert.deepEqual(seen, ['connecting', 'online']);

    const joinedA = await a.join(chat.id, 0);
    assert.equal(joinedA.chat.id, chat.id);
    const joinedB = await b.join(chat.id, 0);
    assert.ok(joinedB.missed.some((m) => m.kind === 'SYSTEM' && /ben@example.com joined/.test(m.body)));

    const arriving = next(b, 'message', (m) => m.body === 'hi ben');
    const sent = await a.send(chat.id, 'c-1', 'hi ben');
    const again = await a.send(chat.id, 'c-1', 'hi ben');
    assert.equal(again.seq, sent.seq, 'a retried client id returns the first result');
    assert.equal((await arriving).seq, sent.seq);

    const typing = next(b, 'typing', (t) => t.chatId === chat.id);
    a.typing(chat.id, true);
    assert.equal((await typing).typing, true);

    assert.equal(await b.markRead(chat.id, sent.seq), sent.seq);
    assert.ok((await b.watchChats()).some((c) => c.id === chat.id));

    const del = await a.deleteMessage(chat.id, sent.seq);
    assert.equal(del.targetSeq, sent.seq);
    const caughtUp = await b.join(chat.id, sent.seq);
    assert.ok(caughtUp.missed.some((m) => m.kind === 'DELETION' && m.targetSeq === sent.seq));
  });

  it('rejects with the server error code when an ack says ok:false', async () => {
    const s = await signIn(server, 'cal@example.com');
    const t = transport(s.token);
    const missing = await rejection(t.join('7b0c2f7e-8a51-4d7e-9d4e-2f1d2c3b4a59', 0), TransportError);
    assert.equal(missing.code, 'NOT_FOUND');
    const bad = await rejection(t.join('not-a-chat', 0), TransportError);
    assert.equal(bad.code, 'BAD_INPUT');
  });

  it("reports 'unauthorized' for a bad token and after signing out", async () => {
    const bogus = transport('x'.repeat(43));
    await next(bogus, 'status', (s) => s === 'unauthorized');
    assert.equal((await rejection(bogus.watchChats(), TransportError)).code, 'UNAUTHENTICATED');

    const s = await signIn(server, 'dot@example.com');
    const t = transport(s.token);
    await online(t);
    const signedOut = next(t, 'status', (st) => st === 'unauthorized');
    assert.equal((await api(server, 'POST', '/api/auth/logout', undefined, s.token)).status, 204);
    await signedOut;
  });

  it('notices a silently dropped connection within seconds: the unanswered send forces a fresh connection', async () => {
    const s = await signIn(server, 'eve@example.com');
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'Drop', source: 'STANDALONE' }, s.token)).body;
    const port = Number(new URL(server.url).port);
    const proxy = new TcpProxy('127.0.0.1', port);
    await proxy.start();
    try {
      const t = new SocketTransport({ url: proxy.url, getToken: () => s.token });
      open.push(t);
      await online(t);
      await t.join(chat.id, 0);
      // The route dies without a FIN or RST: nothing tells the client.
      proxy.blackhole();
      const droppedAt = Date.now();
      const first = await rejection(t.send(chat.id, 'drop-1', 'through a dead route'), TransportError);
      assert.equal(first.code, 'TIMEOUT');
      await online(t);
      const sent = await t.send(chat.id, 'drop-1', 'through a dead route');
      const elapsed = Date.now() - droppedAt;
      assert.equal(sent.body, 'through a dead route');
      assert.ok(elapsed < 8_000, `delivered ${elapsed} ms after the drop`);
    } finally {
      await proxy.stop();
    }
  });

  it('reports what the client can do on every connect, when told which front end it is', async () => {
    const cy = await signIn(server, 'cy@example.com');
    const chatId = (await api(server, 'POST', '/api/chats', { subject: 'Caps', audience: { to: ['dee@example.com'] } }, cy.token)).body.id;
    const mine = async () =>
      (await api<ChatCapabilitiesView>(server, 'GET', `/api/chats/${chatId}/capabilities`, undefined, cy.token)).body.members[0]?.client;
    assert.equal(await mine(), null, 'nothing reported yet');
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(server.url).port));
    await proxy.start();
    try {
      const t = new SocketTransport({ url: proxy.url, getToken: () => cy.token, capabilities: () => detectCapabilities('outlook') });
      open.push(t);
      // Node has no camera, player or recorder: the report says so rather than failing.
      const first = await waitUntil('the report', mine);
      assert.deepEqual(
        { ...first, reportedAt: undefined },
        { kind: 'outlook', camera: false, microphone: false, plays: [], records: [], notifications: false, reportedAt: undefined },
      );
      // The connection is cut and comes back: the new connection reports again.
      proxy.refuse();
      await next(t, 'status', (st) => st === 'offline');
      proxy.restore();
      await online(t);
      await waitUntil('reported again after reconnecting', async () => (await mine())!.reportedAt !== first.reportedAt);
    } finally {
      await proxy.stop();
    }
  });
});
