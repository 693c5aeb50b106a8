/**
 * Client capabilities against a real server, PostgreSQL and Socket.IO clients: the event is
 * validated at the boundary, the latest report per person is kept (across reconnects), and a
 * member's report is shown only where the presence rule shows their presence (Bcc, settings).
 */
import assert from 'node:assert/strict';
import type { ChatCapabilitiesView, ClientCapabilities, SessionView } from '../../protocol/index.ts';
import { api, type ClientSocket, connectSocket, request, signInAll, startTestServer, type TestServer } from '../support/server.ts';

const ANN = 'ann@example.com';
const BOB = 'bob@example.org';
const CAT = 'cat@example.net';
const DAN = 'dan@example.com';
const EVE = 'eve@example.org';

const WEB: ClientCapabilities = {
  kind: 'web',
  camera: true,
  microphone: true,
  plays: ['webm-vp8', 'webm-vp9'],
  records: ['webm-vp8'],
  notifications: true,
};
const THUNDERBIRD: ClientCapabilities = {
  kind: 'thunderbird',
  camera: false,
  microphone: false,
  plays: ['webm-vp8'],
  records: [],
  notifications: false,
};

describe('client capabilities', function () {
  this.timeout(60_000);
  let server: TestServer;
  let ann: SessionView, bob: SessionView, cat: SessionView, dan: SessionView, eve: SessionView;
  let chatId = '';
  const sockets: ClientSocket[] = [];
  /** Member handles in the chat by address, as the owner sees them. */
  const handle: Record<string, string> = {};

  const connect = async (token: string) => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    return s;
  };
  const report = async (s: SessionView, caps: unknown) => request(await connect(s.token), 'capabilities', caps);
  const seenBy = async (s: SessionView) => {
    const r = await api<ChatCapabilitiesView>(server, 'GET', `/api/chats/${chatId}/capabilities`, undefined, s.token);
    assert.equal(r.status, 200);
    return Object.fromEntries(
      r.body.members.map((m) => [Object.keys(handle).find((a) => handle[a] === m.identityId) ?? m.identityId, m.client]),
    );
  };
  const withoutTime = (c: (ClientCapabilities & { reportedAt: string }) | null | undefined) => {
    if (!c) return c;
    const { reportedAt, ...rest } = c;
    assert.ok(Date.now() - Date.parse(reportedAt) < 60_000, 'reported just now');
    return rest;
  };

  before(async () => {
    server = await startTestServer({});
    [ann, bob, cat, dan, eve] = await signInAll(server, [ANN, BOB, CAT, DAN, EVE]);
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Video', audience: { from: [ANN], to: [BOB, DAN], bcc: [CAT] } },
      ann.token,
    );
    assert.equal(created.status, 201);
    chatId = created.body.id;
    for (const s of [bob, cat, dan]) assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, s.token)).status, 200);
    const view = await api(server, 'GET', `/api/chats/${chatId}`, undefined, ann.token);
    for (const m of view.body.members as { address: string; identityId: string }[]) handle[m.address] = m.identityId;
    assert.equal(Object.keys(handle).length, 4);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  it('refuses malformed reports with BAD_INPUT and keeps nothing of them', async () => {
    const bad: unknown[] = [
      { ...WEB, plays: ['webm-av1'] },
      { ...WEB, plays: ['webm-vp8', 'webm-vp8', 'webm-vp9', 'mp4-h264'] },
      { ...WEB, kind: 'email' },
      { ...WEB, camera: 'yes' },
      { ...WEB, identityId: handle[ANN] },
      { kind: 'web' },
      'web',
    ];
    for (const payload of bad) {
      const ack = await report(bob, payload);
      assert.equal(ack.ok, false, JSON.stringify(payload));
      assert.equal(ack.error.code, 'BAD_INPUT', JSON.stringify(payload));
    }
    assert.equal((await seenBy(ann))[BOB], null, 'still no client on record');
  });

  it("shows each member's latest report, and null for a member who never connected a client (email only)", async () => {
    assert.equal((await report(bob, THUNDERBIRD)).ok, true);
    assert.equal((await report(bob, WEB)).ok, true);
    assert.equal((await report(ann, WEB)).ok, true);
    const annSees = await seenBy(ann);
    assert.deepEqual(withoutTime(annSees[BOB]), WEB, 'the latest report wins');
    assert.equal(annSees[DAN], null, 'dan opened the chat but never connected a client');
    assert.deepEqual(withoutTime((await seenBy(dan))[BOB]), WEB, 'kept in PostgreSQL: read without any socket of the reader');
  });

  it("a Bcc member's client is seen by the owner only; the Bcc member sees only the owner's", async () => {
    assert.equal((await report(cat, THUNDERBIRD)).ok, true);
    assert.deepEqual(withoutTime((await seenBy(ann))[CAT]), THUNDERBIRD);
    for (const other of [bob, dan]) assert.ok(!(CAT in (await seenBy(other))), 'hidden member not listed');
    const catSees = await seenBy(cat);
    assert.deepEqual(Object.keys(catSees).sort(), [ANN, CAT].sort(), 'a Bcc member sees the owner and themselves');
  });

  it('follows the presence setting: NOBODY hides the report from everyone else, and back', async () => {
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, bob.token)).status, 200);
    for (const other of [ann, dan]) assert.ok(!(BOB in (await seenBy(other))), 'not listed while bob shows nobody');
    assert.deepEqual(withoutTime((await seenBy(bob))[BOB]), WEB, 'bob still sees his own');
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'SHARED_CHATS' }, bob.token)).status, 200);
    assert.deepEqual(withoutTime((await seenBy(ann))[BOB]), WEB);
  });

  it('a block hides it too, and a non-member reads nothing', async () => {
    assert.equal((await api(server, 'POST', '/api/me/blocks', { address: DAN }, bob.token)).status, 201);
    assert.ok(!(BOB in (await seenBy(dan))), 'bob blocked dan');
    assert.deepEqual(withoutTime((await seenBy(ann))[BOB]), WEB, 'others unaffected');
    const outsider = await api(server, 'GET', `/api/chats/${chatId}/capabilities`, undefined, eve.token);
    assert.equal(outsider.status, 403);
    assert.doesNotMatch(JSON.stringify(outsider.body), /thunderbird|webm/);
  });
});
