/**
 * Client capabilities against a real server, PostgreSQL and Socket.IO clients: the event is
 * validated at the boundary, the latest report per person is kept (across reconnects), and a
 * member's report is shown only where the presence rule shows their presence (Bcc, settings).
 */
import assert from 'node:assert/strict';
import type { CapabilitiesNotice, ChatCapabilitiesView, ClientCapabilities, SessionView } from '../../protocol/index.ts';
import {
  api,
  type ClientSocket,
  connectSocket,
  nextEvent,
  request,
  signInAll,
  startTestServer,
  startTwoNodes,
  type TestServer,
  type TwoNodes,
} from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

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

/**
 * Reports pushed live: two nodes (rooms shared through Redis), the sender on one and the members
 * on the other, real Socket.IO clients. A report is news only when it differs from the last one.
 */
describe('client capabilities pushed live (two nodes)', function () {
  this.timeout(60_000);
  let nodes: TwoNodes;
  let ann: SessionView, bob: SessionView, cat: SessionView, dan: SessionView;
  let chatId = '';
  const handle: Record<string, string> = {};
  const sockets: ClientSocket[] = [];
  const heard: { who: string; notice: CapabilitiesNotice }[] = [];
  let annSocket: ClientSocket, catSocket: ClientSocket, danSocket: ClientSocket;

  const listen = async (who: string, token: string) => {
    const s = await connectSocket(nodes.one.url, token);
    s.on('capabilities:changed', (notice) => heard.push({ who, notice }));
    sockets.push(s);
    return s;
  };
  /** Reports from a new connection to the other node, as a client does on each connect. */
  const reportFrom = async (s: SessionView, caps: ClientCapabilities) => {
    const socket = await connectSocket(nodes.two.url, s.token);
    sockets.push(socket);
    assert.equal((await request(socket, 'capabilities', caps)).ok, true);
  };
  const about = (address: string) => (n: CapabilitiesNotice) => n.members.some((m) => m.identityId === handle[address]);

  before(async () => {
    nodes = await startTwoNodes();
    [ann, bob, cat, dan] = await signInAll(nodes.one, [ANN, BOB, CAT, DAN]);
    const created = await api(nodes.one, 'POST', '/api/chats', { subject: 'Live', audience: { to: [BOB, DAN], bcc: [CAT] } }, ann.token);
    chatId = created.body.id;
    for (const s of [bob, cat, dan])
      assert.equal((await api(nodes.one, 'POST', `/api/chats/${chatId}/open`, undefined, s.token)).status, 200);
    const view = await api(nodes.one, 'GET', `/api/chats/${chatId}`, undefined, ann.token);
    for (const m of view.body.members as { address: string; identityId: string }[]) handle[m.address] = m.identityId;
    annSocket = await listen(ANN, ann.token);
    catSocket = await listen(CAT, cat.token);
    danSocket = await listen(DAN, dan.token);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await nodes?.close();
  });

  it("a member's first report and every changed one reach the members who may see it, across nodes; a repeat is not news", async () => {
    const annHears = nextEvent<CapabilitiesNotice>(annSocket, 'capabilities:changed', about(BOB));
    const danHears = nextEvent<CapabilitiesNotice>(danSocket, 'capabilities:changed', about(BOB));
    await reportFrom(bob, THUNDERBIRD);
    const first = await annHears;
    assert.deepEqual(first.members, [{ chatId, identityId: handle[BOB] }], 'named by member handle in the chat');
    assert.equal(first.client.kind, 'thunderbird');
    assert.deepEqual(first.client.plays, ['webm-vp8']);
    assert.ok(Date.now() - Date.parse(first.client.reportedAt) < 60_000);
    assert.deepEqual((await danHears).client.plays, ['webm-vp8']);

    // The same report again (a reconnect) is no news; the next different one is the next notice.
    await reportFrom(bob, THUNDERBIRD);
    const next = nextEvent<CapabilitiesNotice>(annSocket, 'capabilities:changed', about(BOB));
    await reportFrom(bob, WEB);
    assert.equal((await next).client.kind, 'web');
    const annHeardOfBob = heard.filter((h) => h.who === ANN && about(BOB)(h.notice));
    assert.deepEqual(
      annHeardOfBob.map((h) => h.notice.client.kind),
      ['thunderbird', 'web'],
      'exactly two notices: the repeat sent nothing',
    );
  });

  it('the presence rule decides who hears: a Bcc member is heard of by the owner only, and hears only of the owner', async () => {
    const annHears = nextEvent<CapabilitiesNotice>(annSocket, 'capabilities:changed', about(CAT));
    await reportFrom(cat, WEB);
    assert.equal((await annHears).client.kind, 'web');
    const catHears = nextEvent<CapabilitiesNotice>(catSocket, 'capabilities:changed', about(ANN));
    await reportFrom(ann, THUNDERBIRD);
    assert.equal((await catHears).client.kind, 'thunderbird');
    // Bob changes device once more: the owner hears it, the Bcc member never does.
    const annAgain = nextEvent<CapabilitiesNotice>(annSocket, 'capabilities:changed', about(BOB));
    await reportFrom(bob, THUNDERBIRD);
    await annAgain;
    // Dan hears of Bob (and Ann) here too, which orders his notices after Cat's report.
    await waitUntil('dan heard of bob', () => heard.filter((h) => h.who === DAN && about(BOB)(h.notice)).length >= 3);
    assert.deepEqual(
      heard.filter((h) => h.who === DAN && about(CAT)(h.notice)),
      [],
      'a visible member never hears of the Bcc member',
    );
    assert.deepEqual(
      heard.filter((h) => h.who === CAT && !about(ANN)(h.notice) && !about(CAT)(h.notice)),
      [],
      'the Bcc member hears of nobody but the owner (and of her own devices)',
    );
  });

  it('a member who shows presence to nobody is no longer pushed to anyone', async () => {
    assert.equal((await api(nodes.one, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, bob.token)).status, 200);
    const before = heard.length;
    await reportFrom(bob, WEB);
    // Ann's own change afterwards reaches Dan: by then Bob's notice, had there been one, would have come first.
    const danHearsAnn = nextEvent<CapabilitiesNotice>(danSocket, 'capabilities:changed', about(ANN));
    await reportFrom(ann, WEB);
    await danHearsAnn;
    const annToo = heard.slice(before).filter((h) => about(BOB)(h.notice));
    assert.deepEqual(annToo, [], 'nobody heard of Bob');
  });
});
