import assert from 'node:assert/strict';
import { api, connectSocket, request, signInAll, startTestServer, type ClientSocket, type TestServer } from '../support/server.ts';
import type { SessionView } from '../../protocol/index.ts';

type Role = 'anonymous' | 'nonMember' | 'member' | 'owner';
const ROLES: Role[] = ['anonymous', 'nonMember', 'member', 'owner'];

interface Fixture {
  chatId: string;
  ownerSeq: number;
  requestId: string;
}

interface RouteCase {
  name: string;
  method: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture) => unknown;
  expect: Record<Role, number>;
}

/**
 * Every REST route, tried by each kind of caller against a fresh chat. The expected status
 * for each cell is the product's permission rule, written out.
 */
const ROUTES: RouteCase[] = [
  { name: 'who am I', method: 'GET', path: () => '/api/me', expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 } },
  { name: 'my chats', method: 'GET', path: () => '/api/chats', expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 } },
  {
    name: 'create chat',
    method: 'POST',
    path: () => '/api/chats',
    body: () => ({ subject: 's' }),
    expect: { anonymous: 401, nonMember: 201, member: 201, owner: 201 },
  },
  {
    name: 'view chat',
    method: 'GET',
    path: (f) => `/api/chats/${f.chatId}`,
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'open chat',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/open`,
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'end chat',
    method: 'DELETE',
    path: (f) => `/api/chats/${f.chatId}`,
    expect: { anonymous: 401, nonMember: 403, member: 403, owner: 200 },
  },
  {
    name: 'replace audience',
    method: 'PUT',
    path: (f) => `/api/chats/${f.chatId}/audience`,
    body: () => ({ audience: { to: ['member@example.com'] } }),
    expect: { anonymous: 401, nonMember: 403, member: 403, owner: 200 },
  },
  {
    name: 'add to audience',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/audience`,
    body: () => ({ address: 'new@example.com' }),
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'my settings',
    method: 'PATCH',
    path: (f) => `/api/chats/${f.chatId}/me`,
    body: () => ({ emailNotify: false }),
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'history',
    method: 'GET',
    path: (f) => `/api/chats/${f.chatId}/messages`,
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'send',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/messages`,
    body: () => ({ clientId: 'authz', body: 'hi' }),
    expect: { anonymous: 401, nonMember: 403, member: 201, owner: 201 },
  },
  {
    name: "delete the owner's message",
    method: 'DELETE',
    path: (f) => `/api/chats/${f.chatId}/messages/${f.ownerSeq}`,
    expect: { anonymous: 401, nonMember: 403, member: 403, owner: 200 },
  },
  {
    name: 'mark read',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/read`,
    body: () => ({ seq: 1 }),
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'request access',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/access-requests`,
    body: () => ({ note: 'please' }),
    expect: { anonymous: 401, nonMember: 201, member: 409, owner: 409 },
  },
  {
    name: 'list access requests',
    method: 'GET',
    path: (f) => `/api/chats/${f.chatId}/access-requests`,
    expect: { anonymous: 401, nonMember: 403, member: 403, owner: 200 },
  },
  {
    name: 'my access request',
    method: 'GET',
    path: (f) => `/api/chats/${f.chatId}/access-requests/mine`,
    expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 },
  },
  {
    name: 'decide access request',
    method: 'POST',
    path: (f) => `/api/chats/${f.chatId}/access-requests/${f.requestId}`,
    body: () => ({ decision: 'APPROVE' }),
    expect: { anonymous: 401, nonMember: 403, member: 403, owner: 200 },
  },
  {
    name: "chat members' presence",
    method: 'GET',
    path: (f) => `/api/chats/${f.chatId}/presence`,
    expect: { anonymous: 401, nonMember: 403, member: 200, owner: 200 },
  },
  {
    name: 'my presence setting',
    method: 'GET',
    path: () => '/api/me/presence',
    expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 },
  },
  {
    name: 'change my presence setting',
    method: 'PUT',
    path: () => '/api/me/presence',
    body: () => ({ visibility: 'SHARED_CHATS' }),
    expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 },
  },
  {
    name: 'my contacts',
    method: 'GET',
    path: () => '/api/me/contacts',
    expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 },
  },
  {
    name: 'remove a contact that is not mine',
    method: 'DELETE',
    path: () => '/api/me/contacts/AAAAAAAAAAAAAAAAAAAAAA',
    expect: { anonymous: 401, nonMember: 404, member: 404, owner: 404 },
  },
  { name: 'my blocks', method: 'GET', path: () => '/api/me/blocks', expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 } },
  {
    name: 'block an address',
    method: 'POST',
    path: () => '/api/me/blocks',
    body: () => ({ address: 'spam@example.net' }),
    expect: { anonymous: 401, nonMember: 201, member: 201, owner: 201 },
  },
  {
    name: 'unblock an address',
    method: 'DELETE',
    path: () => '/api/me/blocks/spam%40example.net',
    expect: { anonymous: 401, nonMember: 200, member: 200, owner: 200 },
  },
  { name: 'sign out', method: 'POST', path: () => '/api/auth/logout', expect: { anonymous: 401, nonMember: 204, member: 204, owner: 204 } },
];

const NO_CALL = '00000000-0000-4000-8000-000000000000';

type SocketCase = { event: string; payload: (f: Fixture) => unknown; expect: Record<Exclude<Role, 'anonymous'>, string> };

/** Every socket event for each signed-in role (anonymous sockets never get past the handshake). */
const SOCKET_EVENTS: SocketCase[] = [
  {
    event: 'chat:join',
    payload: (f) => ({ chatId: f.chatId, lastSeq: 0 }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'ok', owner: 'ok' },
  },
  {
    event: 'message:send',
    payload: (f) => ({ chatId: f.chatId, clientId: 'sock', body: 'hi' }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'ok', owner: 'ok' },
  },
  {
    event: 'message:delete',
    payload: (f) => ({ chatId: f.chatId, seq: f.ownerSeq }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'FORBIDDEN', owner: 'ok' },
  },
  {
    event: 'typing',
    payload: (f) => ({ chatId: f.chatId, typing: true }),
    expect: { nonMember: 'FORBIDDEN', member: 'FORBIDDEN', owner: 'FORBIDDEN' },
  },
  { event: 'read', payload: (f) => ({ chatId: f.chatId, seq: 1 }), expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'ok', owner: 'ok' } },
  { event: 'chat:leave', payload: (f) => ({ chatId: f.chatId }), expect: { nonMember: 'ok', member: 'ok', owner: 'ok' } },
  { event: 'chats:watch', payload: () => ({}), expect: { nonMember: 'ok', member: 'ok', owner: 'ok' } },
  // Calls: membership is checked before the call is looked up, so an outsider learns nothing of a call id.
  {
    event: 'call:start',
    payload: (f) => ({ chatId: f.chatId, media: 'audio' }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'ok', owner: 'ok' },
  },
  ...(['call:accept', 'call:decline', 'call:leave'] as const).map((event) => ({
    event,
    payload: (f: Fixture) => ({ chatId: f.chatId, callId: NO_CALL }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'NOT_FOUND', owner: 'NOT_FOUND' },
  })),
  {
    event: 'call:signal',
    payload: (f) => ({ chatId: f.chatId, callId: NO_CALL, to: 'someone', signal: { kind: 'offer', sdp: 'v=0\r\n' } }),
    expect: { nonMember: 'NOT_IN_AUDIENCE', member: 'NOT_FOUND', owner: 'NOT_FOUND' },
  },
];

describe('authorization table: every route and event, every kind of caller', function () {
  let server: TestServer;
  let owner: SessionView, member: SessionView, outsider: SessionView, requester: SessionView;

  before(async () => {
    server = await startTestServer();
    [owner, member, outsider, requester] = await signInAll(server, [
      'owner@example.com',
      'member@example.com',
      'outsider@example.com',
      'requester@example.com',
    ]);
  });
  after(async () => server.close());

  /** A fresh chat per cell: owner + joined member, one owner message, one pending access request. */
  async function fixture(): Promise<Fixture> {
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'authz', audience: { to: ['member@example.com'] } }, owner.token))
      .body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, member.token);
    const msg = (await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'owner-msg', body: 'x' }, owner.token)).body;
    const req = (await api(server, 'POST', `/api/chats/${chat.id}/access-requests`, {}, requester.token)).body;
    return { chatId: chat.id, ownerSeq: msg.seq, requestId: req.id };
  }

  /** Sign-out revokes the token, so that row uses a throwaway session of the same person. */
  async function tokenFor(role: Role, route: RouteCase): Promise<string | undefined> {
    const who = { anonymous: undefined, nonMember: outsider, member, owner }[role];
    if (!who) return undefined;
    if (route.name !== 'sign out') return who.token;
    return (await server.services.sessions.create(who.identity.id)).token;
  }

  for (const route of ROUTES) {
    for (const role of ROLES) {
      it(`${route.method} ${route.name} as ${role} -> ${route.expect[role]}`, async () => {
        const f = await fixture();
        const r = await api(server, route.method, route.path(f), route.body?.(f), await tokenFor(role, route));
        assert.equal(r.status, route.expect[role], JSON.stringify(r.body));
        if (r.status >= 400) assert.equal(typeof r.body.error.code, 'string');
      });
    }
  }

  it('an anonymous socket is refused at the handshake', async () => {
    await assert.rejects(connectSocket(server.url, undefined), /Sign in/);
    await assert.rejects(connectSocket(server.url, 'not-a-real-token'), /session has ended/);
  });

  it('a socket from a foreign web origin is refused at the handshake', async () => {
    await assert.rejects(connectSocket(server.url, owner.token, { origin: 'https://evil.example' }));
    const fromThunderbird = await connectSocket(server.url, owner.token, { origin: 'moz-extension://1234-abcd' });
    fromThunderbird.close();
    const fromSelf = await connectSocket(server.url, owner.token, { origin: new URL(server.url).origin });
    fromSelf.close();
  });

  for (const ev of SOCKET_EVENTS) {
    for (const role of ['nonMember', 'member', 'owner'] as const) {
      it(`socket ${ev.event} as ${role} -> ${ev.expect[role]}`, async () => {
        const f = await fixture();
        const who = { nonMember: outsider, member, owner }[role];
        const socket: ClientSocket = await connectSocket(server.url, who.token);
        try {
          const r = await request(socket, ev.event, ev.payload(f));
          assert.equal(r.ok ? 'ok' : r.error.code, ev.expect[role], JSON.stringify(r));
        } finally {
          socket.close();
        }
      });
    }
  }

  it('typing is relayed only after a join that passed the membership check', async () => {
    const f = await fixture();
    const socket = await connectSocket(server.url, member.token);
    try {
      assert.equal((await request(socket, 'chat:join', { chatId: f.chatId, lastSeq: 0 })).ok, true);
      assert.equal((await request(socket, 'typing', { chatId: f.chatId, typing: true })).ok, true);
    } finally {
      socket.close();
    }
  });

  it('a one-chat session (invitation link) reaches only its chat', async () => {
    const f = await fixture();
    const other = await fixture();
    const scoped = await server.services.sessions.create(member.identity.id, { chatId: f.chatId });
    assert.equal((await api(server, 'GET', `/api/chats/${f.chatId}`, undefined, scoped.token)).status, 200);
    assert.equal((await api(server, 'GET', `/api/chats/${other.chatId}`, undefined, scoped.token)).status, 403);
    assert.equal((await api(server, 'POST', '/api/chats', { subject: 'x' }, scoped.token)).status, 403);
    const list = (await api(server, 'GET', '/api/chats', undefined, scoped.token)).body.chats;
    assert.deepEqual(
      list.map((c: { id: string }) => c.id),
      [f.chatId],
    );
  });

  it('signing out closes that session’s live sockets', async () => {
    const s = await server.services.sessions.create(member.identity.id);
    const socket = await connectSocket(server.url, s.token);
    const closed = new Promise((resolve) => socket.once('disconnect', resolve));
    await api(server, 'POST', '/api/auth/logout', undefined, s.token);
    await closed;
  });
});
