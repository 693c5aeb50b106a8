/**
 * Calls across two server nodes (one database, Redis shared as in production): members of one
 * chat connected to different nodes ring, join, signal, hang up and are removed from one call.
 * Real Socket.IO clients, real PostgreSQL and Redis; media is not involved here.
 */
import assert from 'node:assert/strict';
import type { CallJoined, CallRing, CallSignalNotice, CallView, SessionView } from '../../protocol/index.ts';
import { api, connectSocket, request, signInAll, startTwoNodes, type ClientSocket, type TwoNodes } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

function recorder(socket: ClientSocket) {
  const rings: CallRing[] = [];
  const updates: CallView[] = [];
  const signals: CallSignalNotice[] = [];
  socket.on('call:ring', (r) => rings.push(r));
  socket.on('call:updated', (c) => updates.push(c));
  socket.on('call:signal', (s) => signals.push(s));
  return { rings, updates, signals };
}

describe('calls across two nodes', function () {
  let nodes: TwoNodes;
  let alice: SessionView, bob: SessionView, carol: SessionView;
  const sockets: ClientSocket[] = [];

  before(async () => {
    nodes = await startTwoNodes({ CALL_RING_SECONDS: '5' });
    [alice, bob, carol] = await signInAll(nodes.one, ['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => nodes?.close());

  async function socketOf(who: SessionView, node: 'one' | 'two'): Promise<ClientSocket> {
    const s = await connectSocket(nodes[node].url, who.token);
    sockets.push(s);
    return s;
  }

  async function chatWith(joined: SessionView[]): Promise<string> {
    const chat = await api(
      nodes.one,
      'POST',
      '/api/chats',
      { subject: 'Two nodes', audience: { to: ['bob@example.com', 'carol@example.com'] } },
      alice.token,
    );
    assert.equal(chat.status, 201);
    for (const who of joined)
      assert.equal((await api(nodes.two, 'POST', `/api/chats/${chat.body.id}/open`, undefined, who.token)).status, 200);
    return chat.body.id;
  }

  async function history(chatId: string): Promise<string[]> {
    const page = await api(nodes.two, 'GET', `/api/chats/${chatId}/messages?limit=100`, undefined, alice.token);
    return page.body.messages.filter((m: { kind: string }) => m.kind === 'CALL').map((m: { body: string }) => m.body);
  }

  it('a member on node two is rung by a call from node one, joins it, and offers, answers and candidates flow both ways', async () => {
    const chatId = await chatWith([bob, carol]);
    const a = await socketOf(alice, 'one');
    const b = await socketOf(bob, 'two');
    const ra = recorder(a),
      rb = recorder(b);
    const started: { ok: boolean } & CallJoined = await request(a, 'call:start', { chatId, media: 'video' });
    assert.equal(started.ok, true, JSON.stringify(started));
    const callId = started.call.id;
    await waitUntil('Bob is rung on node two', () => rb.rings.length === 1);
    assert.equal(rb.rings[0]!.call.id, callId);
    assert.equal(rb.rings[0]!.callerAddress, 'alice@example.com');
    // Carol opens the chat on node two: she is told of the call going on there.
    const c = await socketOf(carol, 'two');
    const joinedChat = await request(c, 'chat:join', { chatId, lastSeq: 0 });
    assert.equal(joinedChat.ok, true, JSON.stringify(joinedChat));
    assert.equal(joinedChat.call?.id, callId);

    const accepted: { ok: boolean } & CallJoined = await request(b, 'call:accept', { chatId, callId });
    assert.equal(accepted.ok, true, JSON.stringify(accepted));
    assert.equal(accepted.call.state, 'active');
    const [aliceHandle, bobHandle] = accepted.call.participants;
    await waitUntil('Alice on node one hears Bob joined', () => ra.updates.some((u) => u.participants.length === 2));

    const offer = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    const answer = { kind: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };
    const candidate = {
      kind: 'ice',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    };
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: offer })).ok, true);
    assert.equal((await request(b, 'call:signal', { chatId, callId, to: aliceHandle, signal: answer })).ok, true);
    assert.equal((await request(b, 'call:signal', { chatId, callId, to: aliceHandle, signal: candidate })).ok, true);
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: candidate })).ok, true);
    await waitUntil('signals crossed the nodes', () => ra.signals.length === 2 && rb.signals.length === 2);
    assert.deepEqual(
      rb.signals.map((s) => [s.from, s.signal.kind]),
      [
        [aliceHandle, 'offer'],
        [aliceHandle, 'ice'],
      ],
    );
    assert.deepEqual(
      ra.signals.map((s) => [s.from, s.signal.kind]),
      [
        [bobHandle, 'answer'],
        [bobHandle, 'ice'],
      ],
    );
    // Bob's device on node one is not the one that joined: it may not speak for him.
    const b1 = await socketOf(bob, 'one');
    assert.equal((await request(b1, 'call:signal', { chatId, callId, to: aliceHandle, signal: offer })).error.code, 'FORBIDDEN');

    // Bob hangs up on node two: the call ends for Alice on node one, with one history line.
    assert.equal((await request(b, 'call:leave', { chatId, callId })).ok, true);
    await waitUntil('the call ended for Alice', () => ra.updates.some((u) => u.id === callId && u.state === 'ended'));
    const lines = await waitUntil('the end is recorded', async () => {
      const l = await history(chatId);
      return l.some((x) => x.startsWith('Call ended')) ? l : null;
    });
    assert.equal(lines.filter((x) => x.startsWith('Call ended')).length, 1, lines.join('\n'));
    assert.match(
      lines.find((x) => x.startsWith('Call ended'))!,
      /in the call: alice@example\.com, bob@example\.com$/,
    );
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: offer })).error.code, 'NOT_FOUND');
  });

  it('a member removed through node two leaves the call node one started, and a drop on one node is seen on the other', async () => {
    const chatId = await chatWith([bob, carol]);
    const a = await socketOf(alice, 'one');
    const b = await socketOf(bob, 'two');
    const c = await socketOf(carol, 'two');
    const ra = recorder(a);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    const callId = started.call.id;
    assert.equal((await request(b, 'call:accept', { chatId, callId })).ok, true);
    assert.equal((await request(c, 'call:accept', { chatId, callId })).ok, true);
    await waitUntil('three in the call', () => ra.updates.some((u) => u.participants.length === 3));

    // Alice takes Carol out of the audience through node two's HTTP: Carol's place in the call goes.
    const removed = await api(nodes.two, 'PUT', `/api/chats/${chatId}/audience`, { audience: { to: ['bob@example.com'] } }, alice.token);
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    await waitUntil('Alice sees Carol leave', () => ra.updates.some((u) => u.id === callId && u.participants.length === 2));
    const fromCarol = await request(c, 'call:signal', {
      chatId,
      callId,
      to: started.call.callerId,
      signal: { kind: 'offer', sdp: 'v=0\r\n' },
    });
    assert.equal(fromCarol.error.code, 'NOT_IN_AUDIENCE');

    // Bob's connection to node two drops: Alice on node one sees it, and he comes back through node one.
    b.close();
    await waitUntil('Alice sees Bob drop', () => ra.updates.some((u) => u.participants.length === 1 && u.state === 'active'));
    const back = await socketOf(bob, 'one');
    const rBack = recorder(back);
    const rejoined: CallJoined = await request(back, 'call:accept', { chatId, callId });
    assert.equal(rejoined.call.participants.length, 2);
    const bobHandle = rejoined.call.participants[1]!;
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: { kind: 'offer', sdp: 'v=0\r\n' } })).ok, true);
    await waitUntil('the new connection gets signals', () => rBack.signals.length === 1);
    assert.equal((await request(a, 'call:leave', { chatId, callId })).ok, true);
    await waitUntil('ended for Bob', () => rBack.updates.some((u) => u.id === callId && u.state === 'ended'));
  });

  it('two members pressing Call on different nodes at the same moment end up in one call', async () => {
    const chatId = await chatWith([bob]);
    const a = await socketOf(alice, 'one');
    const b = await socketOf(bob, 'two');
    const [fromA, fromB]: [CallJoined, CallJoined] = await Promise.all([
      request(a, 'call:start', { chatId, media: 'audio' }),
      request(b, 'call:start', { chatId, media: 'audio' }),
    ]);
    assert.equal(fromA.call.id, fromB.call.id);
    // The one who came second joined the first one's call.
    assert.equal(Math.max(fromA.call.participants.length, fromB.call.participants.length), 2);
    await request(a, 'call:leave', { chatId, callId: fromA.call.id });
    const lines = await waitUntil('the end is recorded', async () => {
      const l = await history(chatId);
      return l.some((x) => x.startsWith('Call ended')) ? l : null;
    });
    assert.equal(lines.filter((x) => / started an? (audio|video) call$/.test(x)).length, 1, lines.join('\n'));
  });
});
