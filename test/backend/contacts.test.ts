/**
 * Contacts and blocking, end to end against a real server, PostgreSQL and Socket.IO clients:
 * accepting a chat makes contacts (naming an address does not), presence follows the owner's
 * setting live over the socket (available, away after the delay, do-not-disturb, offline),
 * removing a contact and blocking an address take effect at once on every surface.
 */
import assert from 'node:assert/strict';
import type { ChatPresenceView, ContactsView, PresenceNotice, SessionView } from '../../protocol/index.ts';
import {
  api,
  type ClientSocket,
  connectSocket,
  lastMailId,
  nextEvent,
  request,
  signInAll,
  startTestServer,
  startTwoNodes,
  type TestServer,
  type TwoNodes,
} from '../support/server.ts';

const ANN = 'ann@example.com';
const BOB = 'bob@example.org';
const CAT = 'cat@example.net';

describe('contacts, presence and blocking', function () {
  this.timeout(60_000);
  let server: TestServer;
  let ann: SessionView, bob: SessionView, cat: SessionView;
  let chatId = '';
  const sockets: ClientSocket[] = [];
  const heardByBob: PresenceNotice[] = [];
  let bobSocket: ClientSocket;

  const connect = async (token: string) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };
  const contactsOf = async (s: SessionView) =>
    (await api<ContactsView>(server, 'GET', '/api/me/contacts', undefined, s.token)).body.contacts;
  const presenceIn = async (s: SessionView, id = chatId) =>
    (await api<ChatPresenceView>(server, 'GET', `/api/chats/${id}/presence`, undefined, s.token)).body;
  /** Ann's handle in the chat, as Bob sees it. */
  let annHandle = '';
  const annNotice = (state: string | null) => (p: PresenceNotice) => p.state === state && p.members.some((m) => m.identityId === annHandle);

  before(async () => {
    server = await startTestServer({ PRESENCE_AWAY_MS: '600', PRESENCE_HEARTBEAT_MS: '500' });
    [ann, bob, cat] = await signInAll(server, [ANN, BOB, CAT]);
    bobSocket = await connect(bob.token);
    bobSocket.on('presence', (p) => heardByBob.push(p));
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it('an email invitation alone makes nobody a contact; accepting the chat does, both ways', async () => {
    const created = await api(server, 'POST', '/api/chats', { subject: 'Plans', audience: { to: [BOB, CAT] } }, ann.token);
    assert.equal(created.status, 201);
    chatId = created.body.id;
    assert.deepEqual(await contactsOf(ann), []);
    assert.deepEqual(await contactsOf(bob), [], 'being in the audience is no acceptance');
    const opened = await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token);
    assert.equal(opened.status, 200);
    annHandle = opened.body.members.find((m: { address: string }) => m.address === ANN).identityId;
    assert.deepEqual(
      (await contactsOf(ann)).map((c) => c.address),
      [BOB],
    );
    const bobs = await contactsOf(bob);
    assert.deepEqual(
      bobs.map((c) => c.address),
      [ANN],
    );
    assert.deepEqual(bobs[0]!.presence, { state: 'offline', lastSeenAt: null }, 'shown: they share an accepted chat');
    assert.deepEqual(await contactsOf(cat), [], 'cat has not opened it');
    assert.equal((await api(server, 'GET', `/api/chats/${chatId}/presence`, undefined, cat.token)).status, 403, 'not joined: no presence');
    assert.equal((await request(bobSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
  });

  it('pushes available, away after the delay, do-not-disturb and offline to the people allowed to see them', async () => {
    const annSocket = await connect(ann.token);
    const available = nextEvent(bobSocket, 'presence', annNotice('available'));
    annSocket.emit('presence:visibility', { visible: true });
    const n = await available;
    assert.ok(n.contactId, 'named in the contact list too');
    assert.equal(n.lastSeenAt, null);
    assert.deepEqual((await presenceIn(bob)).members.find((m) => m.identityId === annHandle)?.presence, {
      state: 'available',
      lastSeenAt: null,
    });

    const hiddenAt = Date.now();
    const away = nextEvent(bobSocket, 'presence', annNotice('away'));
    annSocket.emit('presence:visibility', { visible: false });
    const a = await away;
    assert.ok(Date.now() - hiddenAt >= 500, 'not away before the delay');
    assert.ok(a.lastSeenAt && Math.abs(Date.parse(a.lastSeenAt) - hiddenAt) < 2_000, 'last seen when the page was hidden');

    const dnd = nextEvent(bobSocket, 'presence', annNotice('dnd'));
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true }, ann.token)).status, 200);
    await dnd;
    const offline = nextEvent(bobSocket, 'presence', annNotice('offline'));
    annSocket.close();
    await offline;
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: false }, ann.token)).status, 200);
  });

  it('NOBODY hides presence and last seen from every surface, and takes it back live', async () => {
    const hidden = nextEvent(bobSocket, 'presence', annNotice(null));
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, ann.token)).body.visibility, 'NOBODY');
    await hidden;
    assert.deepEqual((await presenceIn(bob)).members.map((m) => m.identityId).includes(annHandle), false);
    assert.equal((await contactsOf(bob))[0]!.presence, null);
    const before = heardByBob.length;
    const annSocket = await connect(ann.token);
    annSocket.emit('presence:visibility', { visible: true });
    // Ann's own devices hear it: the proof the change was published at all.
    await nextEvent(annSocket, 'presence', (p) => p.state === 'available');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(
      heardByBob.slice(before).filter((p) => p.members.some((m) => m.identityId === annHandle)),
      [],
    );
    annSocket.close();
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'CONTACTS' }, ann.token)).status, 200);
  });

  it('removing a contact ends it both ways; under CONTACTS the shared chat no longer shows presence', async () => {
    const [contact] = await contactsOf(bob);
    const gone = nextEvent(bobSocket, 'presence', annNotice(null));
    assert.equal((await api(server, 'DELETE', `/api/me/contacts/${contact!.id}`, undefined, bob.token)).status, 204);
    await gone;
    assert.deepEqual(await contactsOf(bob), []);
    assert.deepEqual(await contactsOf(ann), []);
    assert.equal(
      (await presenceIn(bob)).members.some((m) => m.identityId === annHandle),
      false,
    );
    assert.equal((await api(server, 'DELETE', `/api/me/contacts/${contact!.id}`, undefined, bob.token)).status, 404);
    // SHARED_CHATS shows it again through the accepted chat, without being contacts.
    const back = nextEvent(bobSocket, 'presence', annNotice('offline'));
    await api(server, 'PUT', '/api/me/presence', { visibility: 'SHARED_CHATS' }, ann.token);
    assert.equal((await back).contactId, null);
  });

  it('a blocked address cannot see presence, bring the blocker into chats or become a contact again', async () => {
    const blocked = nextEvent(bobSocket, 'presence', annNotice(null));
    const r = await api(server, 'POST', '/api/me/blocks', { address: 'Bob <BOB@example.org>' }, ann.token);
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.addresses, [BOB]);
    await blocked;
    assert.equal(
      (await presenceIn(bob)).members.some((m) => m.identityId === annHandle),
      false,
    );

    // Bob's chat leaves Ann out (the rest of its audience stands); adding or inviting her is refused.
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Hi again', audience: { to: [ANN, CAT] } }, bob.token);
    assert.equal(chat.status, 201);
    assert.deepEqual(chat.body.audience.map((a: { address: string }) => a.address).sort(), [BOB, CAT]);
    const add = await api(server, 'POST', `/api/chats/${chat.body.id}/audience`, { address: ANN }, bob.token);
    assert.equal(add.status, 403);
    assert.equal((await api(server, 'POST', `/api/chats/${chat.body.id}/invitations`, { address: ANN }, bob.token)).status, 403);
    // Replacing the draft's recipients does not bring her in either.
    const replaced = await api(server, 'PUT', `/api/chats/${chat.body.id}/audience`, { audience: { to: [ANN, CAT] } }, bob.token);
    assert.deepEqual(replaced.body.audience.map((a: { address: string }) => a.address).sort(), [BOB, CAT]);
    // A chat Ann starts with Bob is her choice; accepting it makes no contact while he is blocked.
    const hers = await api(server, 'POST', '/api/chats', { subject: 'Mine', audience: { to: [BOB] } }, ann.token);
    assert.equal((await api(server, 'POST', `/api/chats/${hers.body.id}/open`, undefined, bob.token)).status, 200);
    assert.deepEqual(await contactsOf(bob), []);
    assert.equal((await presenceIn(bob, hers.body.id)).members.length, 1, 'only himself');

    const unblocked = await api(server, 'DELETE', `/api/me/blocks/${encodeURIComponent(BOB)}`, undefined, ann.token);
    assert.deepEqual(unblocked.body.addresses, []);
    assert.equal(
      (await presenceIn(bob)).members.some((m) => m.identityId === annHandle),
      true,
      'shared chat counts again',
    );
  });

  it('blocking an address before its owner links it takes effect the moment they do', async () => {
    const again = await api(server, 'POST', '/api/chats', { subject: 'Again', audience: { to: [BOB] } }, ann.token);
    assert.equal((await api(server, 'POST', `/api/chats/${again.body.id}/open`, undefined, bob.token)).status, 200);
    assert.deepEqual(
      (await contactsOf(ann)).map((c) => c.address),
      [BOB],
      'contacts again after a new accepted chat',
    );
    assert.equal((await api(server, 'POST', '/api/me/blocks', { address: 'bob.home@example.org' }, ann.token)).status, 201);
    assert.equal((await contactsOf(ann)).length, 1, 'nobody signs in with that address yet');
    const mark = lastMailId(server);
    const started = await api(server, 'POST', '/api/me/addresses', { address: 'bob.home@example.org' }, bob.token);
    const mail = await server.catcher!.waitFor((m) => m.id > mark && m.to.includes('bob.home@example.org'));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1];
    assert.equal((await api(server, 'POST', '/api/me/addresses/verify', { linkId: started.body.linkId, code }, bob.token)).status, 200);
    assert.deepEqual(await contactsOf(ann), []);
    assert.deepEqual(await contactsOf(bob), []);
    const shown = (await presenceIn(bob, again.body.id)).members.map((m) => m.identityId);
    const handle = (s: SessionView) => server.services.chats.memberHandle(again.body.id, s.identity.id);
    assert.deepEqual(shown, [handle(bob)], 'his own, not hers');
  });

  it('a one-chat (email link) session cannot read or change contacts, blocks or the setting', async () => {
    for (const [method, path, body] of [
      ['GET', '/api/me/contacts', undefined],
      ['GET', '/api/me/blocks', undefined],
      ['PUT', '/api/me/presence', { visibility: 'SIGNED_IN' }],
    ] as const) {
      const r = await api(server, method, path, body, await linkSessionOfCat());
      assert.equal(r.status, 403, `${method} ${path}`);
    }
  });

  /** Cat gets a one-chat session the way an invitation email gives one. */
  let catLink = '';
  async function linkSessionOfCat(): Promise<string> {
    if (catLink) return catLink;
    const mark = lastMailId(server);
    assert.equal(
      (await api(server, 'POST', `/api/chats/${chatId}/invitations`, { address: 'cat.second@example.net' }, ann.token)).status,
      201,
    );
    const mail = await server.catcher!.waitFor((m) => m.id > mark && m.to.includes('cat.second@example.net'));
    const token = /#link=([0-9a-f]{40})/.exec(mail.text)![1];
    catLink = (await api(server, 'POST', '/api/links/redeem', { token })).body.session.token;
    return catLink;
  }
});

describe('presence across two server processes (notices through Redis)', function () {
  this.timeout(60_000);
  let nodes: TwoNodes | undefined;
  const sockets: ClientSocket[] = [];
  before(async () => {
    nodes = await startTwoNodes({ PRESENCE_AWAY_MS: '60000' });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await nodes?.close();
  });

  it('a member going visible on one node reaches the other member on the other node, and nobody else', async () => {
    const { one, two } = nodes!;
    const [ann, bob, eve] = await signInAll(one, [ANN, BOB, 'eve@example.com']);
    const chat = await api(one, 'POST', '/api/chats', { subject: 'Nodes', audience: { to: [BOB] } }, ann.token);
    assert.equal((await api(two, 'POST', `/api/chats/${chat.body.id}/open`, undefined, bob.token)).status, 200);
    const bobOnTwo = await connectSocket(two.url, bob.token);
    const eveOnTwo = await connectSocket(two.url, eve.token);
    const annOnOne = await connectSocket(one.url, ann.token);
    sockets.push(bobOnTwo, eveOnTwo, annOnOne);
    const heardByEve: PresenceNotice[] = [];
    eveOnTwo.on('presence', (p) => heardByEve.push(p));
    const annHandle = one.services.chats.memberHandle(chat.body.id, ann.identity.id);
    const seen = nextEvent(
      bobOnTwo,
      'presence',
      (p: PresenceNotice) => p.state === 'available' && p.members.some((m) => m.identityId === annHandle),
    );
    annOnOne.emit('presence:visibility', { visible: true });
    await seen;
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(heardByEve, []);
  });
});

describe('presence in a one-chat (email link) session', function () {
  this.timeout(60_000);
  let server: TestServer;
  const sockets: ClientSocket[] = [];
  before(async () => {
    server = await startTestServer({ PRESENCE_AWAY_MS: '60000' });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it('hears only of its own chat: no other chat and no contact id', async () => {
    const [ann, bob] = await signInAll(server, [ANN, BOB]);
    const first = await api(server, 'POST', '/api/chats', { subject: 'First', audience: { to: [BOB] } }, ann.token);
    assert.equal((await api(server, 'POST', `/api/chats/${first.body.id}/open`, undefined, bob.token)).status, 200);
    const second = await api(server, 'POST', '/api/chats', { subject: 'Second' }, ann.token);
    // Bob's invitation to the second chat signs him in for that chat only.
    const mark = lastMailId(server);
    assert.equal((await api(server, 'POST', `/api/chats/${second.body.id}/invitations`, { address: BOB }, ann.token)).status, 201);
    const mail = await server.catcher!.waitFor((m) => m.id > mark && m.to.includes(BOB));
    const linkToken = /#link=([0-9a-f]{40})/.exec(mail.text)![1];
    const redeemed = await api(server, 'POST', '/api/links/redeem', { token: linkToken });
    assert.equal(redeemed.body.session.chatId, second.body.id);

    const full = await connectSocket(server.url, bob.token);
    const scoped = await connectSocket(server.url, redeemed.body.session.token);
    const annSocket = await connectSocket(server.url, ann.token);
    sockets.push(full, scoped, annSocket);
    const annIn = (chatId: string) => server.services.chats.memberHandle(chatId, ann.identity.id);
    const available = (p: PresenceNotice) => p.state === 'available' && p.lastSeenAt === null;
    const toFull = nextEvent(full, 'presence', available);
    const toScoped = nextEvent(scoped, 'presence', available);
    annSocket.emit('presence:visibility', { visible: true });
    const [f, s] = await Promise.all([toFull, toScoped]);
    assert.deepEqual(f.members.map((m) => m.identityId).sort(), [annIn(first.body.id), annIn(second.body.id)].sort());
    assert.ok(f.contactId);
    assert.deepEqual(s.members, [{ chatId: second.body.id, identityId: annIn(second.body.id) }]);
    assert.equal(s.contactId, null);
  });
});
