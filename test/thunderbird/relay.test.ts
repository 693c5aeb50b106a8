/**
 * The relay: a view's RelayTransport talks over a (mock) runtime port to the background's
 * RelayHost, which runs the real shared SocketTransport against a real server. Only the port is
 * mocked; the socket, server, database and mail are real.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { ChatView, MessageView, PresenceNotice, SessionView } from '../../protocol/index.ts';
import { Backend } from '../../thunderbird-ext/src/background/backend.ts';
import { RelayHost } from '../../thunderbird-ext/src/background/relay-host.ts';
import { RELAY_PORT } from '../../thunderbird-ext/src/relay/protocol.ts';
import { RelayTransport } from '../../thunderbird-ext/src/relay/relay-transport.ts';
import { ApiClient } from '../../ui/src/api-client.ts';
import { SocketTransport } from '../../ui/src/socket-transport.ts';
import { TransportError } from '../../ui/src/transport.ts';
import { api, connectSocket, nextEvent, request, signIn, startTestServer, type ClientSocket, type TestServer } from '../support/server.ts';
import type { Port } from '../../thunderbird-ext/src/messenger.ts';
import { MessengerMock, portPair } from './support/messenger-mock.ts';

function until<T>(fn: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tick = () => {
      Promise.resolve(fn()).then((v) => {
        if (v) resolve(v);
        else setTimeout(tick, 20);
      }, reject);
    };
    tick();
  });
}

describe('Thunderbird relay: message pane -> background -> real socket', function () {
  let server: TestServer;
  let alice: SessionView;
  let bob: SessionView;
  let chat: ChatView;
  let mock: MessengerMock;
  let backend: Backend;
  let host: RelayHost;
  let aliceSocket: ClientSocket;
  const views: RelayTransport[] = [];

  function openView(): RelayTransport {
    const [view, bg] = portPair(RELAY_PORT, { tab: { id: 3, active: true } });
    assert.ok(host.accept(bg));
    const t = new RelayTransport(() => view);
    views.push(t);
    return t;
  }

  before(async () => {
    server = await startTestServer();
    alice = await signIn(server, 'alice@example.com');
    bob = await signIn(server, 'bob@example.com');
    chat = (
      await api<ChatView>(
        server,
        'POST',
        '/api/chats',
        { subject: 'Relay', audience: { from: ['alice@example.com'], to: ['bob@example.com'] } },
        alice.token,
      )
    ).body;
    await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'a-1', body: 'first' }, alice.token);

    mock = new MessengerMock();
    mock.storageData = { backendUrl: server.url, session: { token: bob.token, address: 'bob@example.com', expiresAt: bob.expiresAt } };
    backend = new Backend(mock.messenger, (url, getToken) => new SocketTransport({ url, getToken, visible: () => host.visible }));
    host = new RelayHost({
      transport: () => backend.transport,
      hello: () => ({ status: backend.transport.status, backendUrl: backend.backendUrl, address: backend.address }),
      fetchApi: (m, p, b) => backend.fetchApi(m, p, b),
      history: (id, q) => backend.api!.history(id, q),
      openOptions: async () => undefined,
      visibilityChanged: () => {
        const t = backend.transport;
        if (t instanceof SocketTransport) t.reportVisibility();
      },
    });
    backend.onChange(() => {
      host.attach(backend.transport);
      host.sessionChanged(backend.address, backend.backendUrl);
    });
    mock.events.storageChanged.addListener(() => void backend.reload());
    await backend.start();
    aliceSocket = await connectSocket(server.url, alice.token);
    await request(aliceSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 });
  });

  after(async () => {
    for (const v of views) v.close();
    aliceSocket?.close();
    backend?.transport.close();
    await server?.close();
  });

  it('the background socket makes the member present only while a relayed view is visible', async () => {
    const present = async () => {
      const c = new pg.Client({ connectionString: server.database.url });
      await c.connect();
      try {
        return (
          await c.query<{ n: number }>(`SELECT coalesce(sum(connections), 0)::int AS n FROM presence WHERE identity_id = $1`, [
            bob.identity.id,
          ])
        ).rows[0]!.n;
      } finally {
        await c.end();
      }
    };
    await until(() => backend.transport.status === 'online');
    // Connected, but nobody looks at a background page: not present.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await present(), 0);
    const [view, bg] = portPair(RELAY_PORT, { tab: { id: 4, active: true } });
    assert.ok(host.accept(bg));
    view.postMessage({ kind: 'visibility', visible: true });
    await until(async () => (await present()) === 1);
    view.postMessage({ kind: 'visibility', visible: false });
    await until(async () => (await present()) === 0);
    view.postMessage({ kind: 'visibility', visible: true });
    await until(async () => (await present()) === 1);
    // The pane closes: nothing visible is left.
    view.disconnect();
    await until(async () => (await present()) === 0);
    assert.equal(host.visible, false);
  });

  it('joins through the relay and gets the history', async () => {
    const view = openView();
    const hello = await view.hello();
    assert.equal(hello.address, 'bob@example.com');
    assert.equal(hello.backendUrl, server.url);
    const joined = await view.join(chat.id, 0);
    assert.equal(joined.chat.subject, 'Relay');
    assert.deepEqual(
      joined.missed.filter((m) => m.kind === 'TEXT').map((m) => m.body),
      ['first'],
    );
    assert.equal(view.status, 'online');
  });

  it('delivers live messages to the view and sends from it', async () => {
    const view = views[0]!;
    const got = new Promise<MessageView>((resolve) => view.on('message', (m) => m.body === 'from alice' && resolve(m)));
    await request(aliceSocket, 'message:send', { chatId: chat.id, clientId: 'a-2', body: 'from alice' });
    assert.equal((await got).authorAddress, 'alice@example.com');

    const seen = nextEvent<MessageView>(aliceSocket, 'message', (m) => m.body === 'from bob in thunderbird');
    const sent = await view.send(chat.id, 'tb-1', 'from bob in thunderbird');
    assert.equal(sent.authorAddress, 'bob@example.com');
    assert.equal((await seen).seq, sent.seq);
    // A retry with the same client id returns the first result (no duplicate).
    assert.equal((await view.send(chat.id, 'tb-1', 'from bob in thunderbird')).seq, sent.seq);
  });

  it('relays typing and history paging', async () => {
    const view = views[0]!;
    const typing = nextEvent<{ chatId: string; typing: boolean }>(aliceSocket, 'typing', (t) => t.typing);
    view.typing(chat.id, true);
    assert.equal((await typing).chatId, chat.id);
    const page = await view.history(chat.id, { before: 3, limit: 10 });
    assert.ok(page.messages.every((m) => m.seq < 3));
  });

  it("relays a chat member's presence to the view showing that chat, without the contact id", async () => {
    const view = views[0]!;
    const aliceHandle = server.services.chats.memberHandle(chat.id, alice.identity.id);
    const heard = new Promise<PresenceNotice>((resolve) =>
      view.on('presence', (p) => p.state === 'available' && p.members.some((m) => m.identityId === aliceHandle) && resolve(p)),
    );
    aliceSocket.emit('presence:visibility', { visible: true });
    const p = await heard;
    assert.deepEqual(p.members, [{ chatId: chat.id, identityId: aliceHandle }]);
    assert.equal(p.contactId, null, 'the contact list is not the pane’s business');
    aliceSocket.emit('presence:visibility', { visible: false });
  });

  it('keeps a chat subscribed while another view still shows it', async () => {
    const second = openView();
    await second.hello();
    await second.join(chat.id, 0);
    const first = views[0]!;
    await first.leave(chat.id);
    const got = new Promise<MessageView>((resolve) => second.on('message', (m) => m.body === 'still here?' && resolve(m)));
    let leaked = false;
    first.on('message', (m) => m.body === 'still here?' && (leaked = true));
    await request(aliceSocket, 'message:send', { chatId: chat.id, clientId: 'a-3', body: 'still here?' });
    await got;
    assert.equal(leaked, false, 'a view that left gets no more events of that chat');
  });

  it("brings a request to join Bob's chat to a view showing that chat (the popup), not to a view of another chat", async () => {
    const own = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: 'Bob owns this', audience: { from: ['bob@example.com'] } },
      bob.token,
    );
    assert.equal(own.status, 201);
    // Neither view watches the chat list: the popup shows one chat only.
    const popup = openView();
    await popup.hello();
    await popup.join(own.body.id, 0);
    const other = openView();
    await other.hello();
    await other.join(chat.id, 0);
    const otherEvents: string[] = [];
    other.on('access:requested', () => otherEvents.push('access:requested'));
    const afterRequest = new Promise<void>((resolve) =>
      other.on('message', (m) => {
        if (m.body !== 'after the request') return;
        otherEvents.push('message');
        resolve();
      }),
    );
    const requested = new Promise<{ chatId: string; address: string }>((resolve) => popup.on('access:requested', resolve));

    const eve = await signIn(server, 'eve@example.net');
    assert.equal((await api(server, 'POST', `/api/chats/${own.body.id}/access-requests`, { note: 'hi' }, eve.token)).status, 201);
    const r = await requested;
    assert.equal(r.chatId, own.body.id);
    assert.equal(r.address, 'eve@example.net');
    // The background gets both on one socket in this order; the other view saw the message alone.
    await request(aliceSocket, 'message:send', { chatId: chat.id, clientId: 'a-req', body: 'after the request' });
    await afterRequest;
    assert.deepEqual(otherEvents, ['message']);
    await popup.leave(own.body.id);
    await other.leave(chat.id);
  });

  it('relays REST for the shared ApiClient with the token added in the background, and only to /api', async () => {
    const view = views[1]!;
    const client = new ApiClient({ baseUrl: server.url, getToken: () => null, fetch: view.fetch });
    const me = await client.me();
    assert.ok(me.addresses.includes('bob@example.com'));
    const list = await client.listChats();
    assert.ok(list.some((c) => c.id === chat.id));
    await assert.rejects(view.fetch(`${server.url}/dev/mail.json`), (e: TransportError) => e.code === 'BAD_INPUT');
  });

  it('reconnects a view that shows a chat when the background goes away (suspended), and the chat resumes', async () => {
    // Each runtime.connect() reaches the (woken) background anew; the first port dies with it.
    const ports: Port[] = [];
    const view = new RelayTransport(
      () => {
        const [v, bg] = portPair(RELAY_PORT, { tab: { id: 4, active: true } });
        assert.ok(host.accept(bg));
        ports.push(bg);
        return v;
      },
      { reconnectDelayMs: 50, keepAliveMs: 0, isVisible: () => true },
    );
    views.push(view);
    await view.hello();
    await view.join(chat.id, 0);
    const statuses: string[] = [];
    view.on('status', (s) => statuses.push(s));
    ports[0]!.disconnect();
    await until(() => ports.length === 2 && view.status === 'online');
    assert.deepEqual(statuses.slice(0, 1), ['offline']);
    // The panel re-joins on 'online'; events of that chat reach the view over the new port.
    await view.join(chat.id, 0);
    const got = new Promise<MessageView>((resolve) => view.on('message', (m) => m.body === 'after the restart' && resolve(m)));
    await request(aliceSocket, 'message:send', { chatId: chat.id, clientId: 'a-restart', body: 'after the restart' });
    assert.equal((await got).authorAddress, 'alice@example.com');
  });

  it('opens a new port lazily for a view without live events (the options page)', async () => {
    const ports: Port[] = [];
    const view = new RelayTransport(
      () => {
        const [v, bg] = portPair(RELAY_PORT);
        assert.ok(host.accept(bg));
        ports.push(bg);
        return v;
      },
      { reconnectDelayMs: 50, keepAliveMs: 0, isVisible: () => true },
    );
    views.push(view);
    await view.hello();
    ports[0]!.disconnect();
    await until(() => view.status === 'offline');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(ports.length, 1, 'nothing to wait for: the background may sleep');
    const client = new ApiClient({ baseUrl: server.url, getToken: () => null, fetch: view.fetch });
    assert.ok((await client.me()).addresses.includes('bob@example.com'));
    assert.equal(ports.length, 2);
  });

  it('keeps the background awake only while a chat is joined and on screen', async () => {
    let visible = true;
    let pings = 0;
    const view = new RelayTransport(
      () => {
        const [v, bg] = portPair(RELAY_PORT);
        assert.ok(host.accept(bg));
        bg.onMessage.addListener((m: { op?: string }) => void (m.op === 'keepAlive' && pings++));
        return v;
      },
      { keepAliveMs: 40, isVisible: () => visible },
    );
    views.push(view);
    await view.hello();
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(pings, 0, 'no chat joined: the background may sleep');
    await view.join(chat.id, 0);
    await until(() => pings >= 2);
    visible = false;
    await new Promise((r) => setTimeout(r, 60));
    const hidden = pings;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(pings, hidden, 'a hidden view does not keep it awake');
    view.close();
  });

  it('tells the views when the user signs out, and refuses chat calls afterwards', async () => {
    const view = views[1]!;
    const session = new Promise<string | null>((resolve) => view.onSession((s) => resolve(s.address)));
    await mock.messenger.storage.local.remove('session');
    assert.equal(await session, null);
    await until(() => view.status === 'unauthorized');
    await assert.rejects(view.join(chat.id, 0), (e: TransportError) => e.code === 'UNAUTHENTICATED');
  });
});
