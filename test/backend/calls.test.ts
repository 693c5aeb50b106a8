/**
 * Call signalling over real Socket.IO clients against a real server and PostgreSQL: who is
 * rung, who may signal whom, the TURN credentials each participant gets, and the history
 * lines. Media is not involved here (test/e2e/calls.test.ts runs it in Chromium).
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { CallJoined, CallRing, CallSignalNotice, CallView, SessionView } from '../../protocol/index.ts';
import { api, connectSocket, request, signInAll, startTestServer, type ClientSocket, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';

const TURN_SECRET = 'calls-test-shared-secret';

/** Every call event a socket hears, in order, so a test can also check what never arrived. */
function recorder(socket: ClientSocket) {
  const rings: CallRing[] = [];
  const updates: CallView[] = [];
  const signals: CallSignalNotice[] = [];
  socket.on('call:ring', (r) => rings.push(r));
  socket.on('call:updated', (c) => updates.push(c));
  socket.on('call:signal', (s) => signals.push(s));
  return { rings, updates, signals };
}

describe('calls: signalling, ringing and history', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView, dave: SessionView, eve: SessionView, outsider: SessionView;
  const sockets: ClientSocket[] = [];

  before(async () => {
    server = await startTestServer({
      TURN_URLS: 'stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp',
      TURN_SECRET,
      TURN_TTL_SECONDS: '600',
      CALL_RING_SECONDS: '5',
    });
    [alice, bob, carol, dave, eve, outsider] = await signInAll(server, [
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dave@example.com',
      'eve@example.com',
      'outsider@example.com',
    ]);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  after(async () => server.close());

  async function socketOf(who: SessionView): Promise<ClientSocket> {
    const s = await connectSocket(server.url, who.token);
    sockets.push(s);
    return s;
  }

  /** A chat by Alice; `joined` open it (become members), the rest stay addresses in the audience. */
  async function chatWith(audience: { to?: string[]; bcc?: string[] }, joined: SessionView[]): Promise<string> {
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Quarterly plan', audience }, alice.token);
    assert.equal(chat.status, 201);
    for (const who of joined)
      assert.equal((await api(server, 'POST', `/api/chats/${chat.body.id}/open`, undefined, who.token)).status, 200);
    return chat.body.id;
  }

  async function history(chatId: string): Promise<string[]> {
    const page = await api(server, 'GET', `/api/chats/${chatId}/messages?limit=100`, undefined, alice.token);
    return page.body.messages.filter((m: { kind: string }) => m.kind === 'CALL').map((m: { body: string }) => m.body);
  }

  it('rings the other members on all their devices, with who calls from which chat; not the caller, not an address that never joined', async () => {
    const chatId = await chatWith({ to: ['bob@example.com', 'dave@example.com'] }, [bob]);
    const [a, b1, b2, d] = await Promise.all([socketOf(alice), socketOf(bob), socketOf(bob), socketOf(dave)]);
    const ra = recorder(a),
      rb1 = recorder(b1),
      rb2 = recorder(b2),
      rd = recorder(d);
    const started: { ok: boolean } & CallJoined = await request(a, 'call:start', { chatId, media: 'video' });
    assert.equal(started.ok, true, JSON.stringify(started));
    assert.equal(started.call.state, 'ringing');
    await waitUntil('both of Bob’s devices ring', () => rb1.rings.length === 1 && rb2.rings.length === 1);
    assert.equal(rb1.rings[0]!.callerAddress, 'alice@example.com');
    assert.equal(rb1.rings[0]!.subject, 'Quarterly plan');
    assert.equal(rb1.rings[0]!.call.media, 'video');
    assert.equal(rb1.rings[0]!.call.id, started.call.id);
    // Alice's handle names the caller, never her identity id.
    assert.notEqual(rb1.rings[0]!.call.callerId, alice.identity.id);
    const accepted: { ok: boolean } & CallJoined = await request(b1, 'call:accept', { chatId, callId: started.call.id });
    assert.equal(accepted.ok, true);
    assert.equal(accepted.call.state, 'active');
    assert.equal(accepted.call.participants.length, 2);
    await waitUntil('Alice hears Bob joined', () => ra.updates.some((u) => u.participants.length === 2));
    // Dave is in the audience but never opened the chat: nothing to ring. Alice is not rung by her own call.
    assert.equal(rd.rings.length, 0);
    assert.equal(ra.rings.length, 0);
    assert.equal((await request(a, 'call:leave', { chatId, callId: started.call.id })).ok, true);
    await waitUntil('the call ended for Bob', () => rb1.updates.some((u) => u.state === 'ended'));
    const lines = await waitUntil('history lines', async () => {
      const l = await history(chatId);
      return l.some((x) => x.startsWith('Call ended')) ? l : null;
    });
    assert.ok(lines.includes('alice@example.com started a video call'), lines.join('\n'));
    assert.match(
      lines.find((x) => x.startsWith('Call ended'))!,
      /^Call ended after \d+ s; in the call: alice@example\.com, bob@example\.com$/,
    );
  });

  it('rings a Bcc member only once they have joined the chat', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'], bcc: ['carol@example.com', 'dave@example.com'] }, [bob, carol]);
    const [a, b, c, d] = await Promise.all([socketOf(alice), socketOf(bob), socketOf(carol), socketOf(dave)]);
    const rb = recorder(b),
      rc = recorder(c),
      rd = recorder(d);
    // Bob has the chat open: he hears everything about calls in it.
    assert.equal((await request(b, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    const heardByBob: unknown[] = [];
    b.onAny((event: string, ...args: unknown[]) => heardByBob.push([event, ...args]));
    const started = await request(a, 'call:start', { chatId, media: 'audio' });
    assert.equal(started.ok, true);
    await waitUntil('Carol (Bcc, joined) is rung', () => rc.rings.length === 1);
    await waitUntil('Bob is rung', () => rb.rings.length === 1);
    await request(a, 'call:leave', { chatId, callId: started.call.id });
    await waitUntil('the call ends for Carol', () => rc.updates.some((u) => u.state === 'ended'));
    await waitUntil('the call ends for Bob', () => rb.updates.some((u) => u.state === 'ended'));
    assert.equal(rd.rings.length, 0, 'Dave (Bcc, never joined) is not rung');
    assert.equal(rd.updates.length, 0);
    // Being rung reveals nothing: Bob never hears Carol's handle or address.
    const carolsHandle: string = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, carol.token)).body.me.identityId;
    const heard = JSON.stringify(heardByBob);
    assert.ok(heard.includes('Missed call from alice@example.com'), 'the scan sees what Bob heard');
    assert.ok(!heard.includes(carolsHandle) && !heard.includes('carol@'), heard);
  });

  it('hands each participant its own short-lived TURN credentials signed with the shared secret', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    const joined: CallJoined = await request(b, 'call:accept', { chatId, callId: started.call.id });
    for (const j of [started, joined]) {
      const turn = j.iceServers.find((s) => s.username)!;
      assert.deepEqual(turn.urls, ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp']);
      const expiry = Number(turn.username!.split(':')[0]);
      assert.ok(Math.abs(expiry - (Date.now() / 1000 + 600)) < 30, `expires in about 10 minutes: ${turn.username}`);
      assert.equal(turn.credential, createHmac('sha1', TURN_SECRET).update(turn.username!).digest('base64'));
      assert.equal(new Date(j.iceExpiresAt!).getTime(), expiry * 1000);
      assert.deepEqual(j.iceServers[0], { urls: ['stun:127.0.0.1:3478'] });
    }
    const users = [started, joined].map((j) => j.iceServers.find((s) => s.username)!.username);
    assert.notEqual(users[0], users[1], 'per member');
    assert.ok(!JSON.stringify([started, joined]).includes(TURN_SECRET));
  });

  it('relays offers, answers and candidates between participants only, named by handle', async () => {
    const chatId = await chatWith({ to: ['bob@example.com', 'carol@example.com'] }, [bob, carol]);
    const [a, b, c] = await Promise.all([socketOf(alice), socketOf(bob), socketOf(carol)]);
    const rb = recorder(b),
      rc = recorder(c);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    const callId = started.call.id;
    const bobJoined: CallJoined = await request(b, 'call:accept', { chatId, callId });
    const bobHandle = bobJoined.call.participants[1]!;
    const offer = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: offer })).ok, true);
    await waitUntil('Bob gets the offer', () => rb.signals.length === 1);
    assert.deepEqual(rb.signals[0], { chatId, callId, from: started.call.callerId, signal: offer });
    const candidate = {
      kind: 'ice',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    };
    assert.equal((await request(b, 'call:signal', { chatId, callId, to: started.call.callerId, signal: candidate })).ok, true);
    // Carol is a member but not in the call: she may neither send signals nor is she sent any.
    const fromCarol = await request(c, 'call:signal', { chatId, callId, to: bobHandle, signal: offer });
    assert.equal(fromCarol.error.code, 'FORBIDDEN');
    // To someone not in the call.
    const toNobody = await request(a, 'call:signal', { chatId, callId, to: 'not-a-participant', signal: offer });
    assert.equal(toNobody.error.code, 'NOT_FOUND');
    // Malformed signals are refused at the boundary.
    const bad = await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: { kind: 'offer', sdp: 'v=0\u0000' } });
    assert.equal(bad.error.code, 'BAD_INPUT');
    const huge = await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: { kind: 'answer', sdp: 'x'.repeat(20_001) } });
    assert.equal(huge.error.code, 'BAD_INPUT');
    assert.equal(rc.signals.length, 0);
    assert.equal(rb.signals.length, 1);
    // Another of Bob's devices, not the one in the call, may not speak for him.
    const b2 = await socketOf(bob);
    assert.equal((await request(b2, 'call:signal', { chatId, callId, to: started.call.callerId, signal: offer })).error.code, 'FORBIDDEN');
  });

  it('refuses an outsider on every call event, even with the call id, and never rings them', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const [a, b, o] = await Promise.all([socketOf(alice), socketOf(bob), socketOf(outsider)]);
    const ro = recorder(o);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'video' });
    const callId = started.call.id;
    await request(b, 'call:accept', { chatId, callId });
    const ref = { chatId, callId };
    for (const [event, payload] of [
      ['call:start', { chatId, media: 'audio' }],
      ['call:accept', ref],
      ['call:decline', ref],
      ['call:leave', ref],
      ['call:signal', { ...ref, to: started.call.callerId, signal: { kind: 'offer', sdp: 'v=0\r\n' } }],
    ] as const) {
      const r = await request(o, event, payload);
      assert.equal(r.ok ? 'ok' : r.error.code, 'NOT_IN_AUDIENCE', `${event}: ${JSON.stringify(r)}`);
    }
    // A call id from another chat, with a chat the outsider does belong to, finds nothing either.
    const own = (await api(server, 'POST', '/api/chats', { subject: 'mine' }, outsider.token)).body.id;
    assert.equal((await request(o, 'call:accept', { chatId: own, callId })).error.code, 'NOT_FOUND');
    assert.equal(ro.rings.length + ro.updates.length + ro.signals.length, 0);
    await request(a, 'call:leave', ref);
  });

  it('ends a removed member’s call, and they can no longer signal', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const ra = recorder(a);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    const callId = started.call.id;
    await request(b, 'call:accept', { chatId, callId });
    const removed = await api(server, 'PUT', `/api/chats/${chatId}/audience`, { audience: { to: [] } }, alice.token);
    assert.equal(removed.status, 200);
    await waitUntil('the call ends for Alice', () => ra.updates.some((u) => u.id === callId && u.state === 'ended'));
    const r = await request(b, 'call:signal', { chatId, callId, to: started.call.callerId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    assert.equal(r.error.code, 'NOT_IN_AUDIENCE');
    await waitUntil('the end is recorded', async () => (await history(chatId)).some((l) => /^Call ended .*bob@example\.com$/.test(l)));
  });

  it('ends the call going on in a chat when its owner ends the chat, for every participant, with its line', async () => {
    const chatId = await chatWith({ to: ['bob@example.com', 'carol@example.com'] }, [bob, carol]);
    const [a, b, c] = await Promise.all([socketOf(alice), socketOf(bob), socketOf(carol)]);
    const [ra, rb, rc] = [recorder(a), recorder(b), recorder(c)];
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'video' });
    const callId = started.call.id;
    await request(b, 'call:accept', { chatId, callId });
    // Carol is still being rung: her prompt must go too.
    await waitUntil('Carol is rung', () => rc.rings.some((r) => r.call.id === callId));
    const ended = await api(server, 'DELETE', `/api/chats/${chatId}`, undefined, alice.token);
    assert.equal(ended.status, 200);
    for (const [who, r] of [
      ['Alice', ra],
      ['Bob', rb],
      ['Carol', rc],
    ] as const) {
      await waitUntil(`the call ends for ${who}`, () => r.updates.some((u) => u.id === callId && u.state === 'ended'));
    }
    await waitUntil('the call line is recorded', async () =>
      (await history(chatId)).some((l) => /^Call ended after .*; in the call: alice@example\.com, bob@example\.com$/.test(l)),
    );
    // Nothing goes on in the ended chat: no signalling in the old call, no new one.
    const late = await request(b, 'call:signal', { chatId, callId, to: started.call.callerId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    assert.equal(late.error.code, 'NOT_FOUND');
    assert.equal((await request(a, 'call:start', { chatId, media: 'audio' })).error.code, 'CHAT_ENDED');
  });

  it('takes at most four participants', async () => {
    const chatId = await chatWith({ to: ['bob@example.com', 'carol@example.com', 'dave@example.com', 'eve@example.com'] }, [
      bob,
      carol,
      dave,
      eve,
    ]);
    const [a, b, c, d, e] = await Promise.all([alice, bob, carol, dave, eve].map(socketOf));
    const started: CallJoined = await request(a!, 'call:start', { chatId, media: 'audio' });
    const callId = started.call.id;
    for (const s of [b, c, d]) assert.equal((await request(s!, 'call:accept', { chatId, callId })).ok, true);
    const fifth = await request(e!, 'call:accept', { chatId, callId });
    assert.equal(fifth.error.code, 'TOO_LARGE');
    // Starting a call where one is going on joins it (and is refused the same way when full).
    assert.equal((await request(e!, 'call:start', { chatId, media: 'audio' })).error.code, 'TOO_LARGE');
    await request(d!, 'call:leave', { chatId, callId });
    const joined: CallJoined = await request(e!, 'call:start', { chatId, media: 'video' });
    assert.equal(joined.call.id, callId);
    assert.equal(joined.call.participants.length, 4);
  });

  it('records a missed call when nobody answers within the ringing time', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const rb = recorder(b);
    const t0 = Date.now();
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    assert.ok(Math.abs(new Date(started.call.ringUntil).getTime() - (t0 + 5_000)) < 2_000);
    await waitUntil('ringing stops', () => rb.updates.some((u) => u.state === 'ended'), 15_000);
    assert.ok(Date.now() - t0 >= 4_500, 'not before the ringing time');
    await waitUntil('the missed call is recorded', async () => (await history(chatId)).includes('Missed call from alice@example.com'));
  });

  it('records a missed call when everyone rung declines, and when the caller hangs up first', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const [a, b] = await Promise.all([socketOf(alice), socketOf(bob)]);
    const ra = recorder(a);
    const first: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    assert.equal((await request(b, 'call:decline', { chatId, callId: first.call.id })).ok, true);
    await waitUntil('declined call ends', () => ra.updates.some((u) => u.id === first.call.id && u.state === 'ended'));
    const second: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    assert.notEqual(second.call.id, first.call.id);
    await request(a, 'call:leave', { chatId, callId: second.call.id });
    await waitUntil(
      'two missed calls',
      async () => (await history(chatId)).filter((l) => l === 'Missed call from alice@example.com').length === 2,
    );
  });

  it('lets a dropped participant rejoin the call from a new connection', async () => {
    const chatId = await chatWith({ to: ['bob@example.com'] }, [bob]);
    const a = await socketOf(alice);
    const ra = recorder(a);
    const b = await socketOf(bob);
    const started: CallJoined = await request(a, 'call:start', { chatId, media: 'audio' });
    const callId = started.call.id;
    await request(b, 'call:accept', { chatId, callId });
    b.close();
    await waitUntil('Alice sees Bob drop', () => ra.updates.some((u) => u.participants.length === 1 && u.state === 'active'));
    const b2 = await socketOf(bob);
    const rb2 = recorder(b2);
    const back: CallJoined = await request(b2, 'call:accept', { chatId, callId });
    assert.equal(back.call.participants.length, 2);
    const bobHandle = back.call.participants[1]!;
    assert.equal((await request(a, 'call:signal', { chatId, callId, to: bobHandle, signal: { kind: 'offer', sdp: 'v=0\r\n' } })).ok, true);
    await waitUntil('the new connection gets signals', () => rb2.signals.length === 1);
  });
});

describe('calls: a missed call reaches offline members by email', function () {
  let server: TestServer;
  after(async () => server?.close());

  it('emails the missed call to a member with no client open and to an address that never joined, not to the caller', async () => {
    server = await startTestServer({
      CALL_RING_SECONDS: '5',
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '0',
      JOBS_POLL_MS: '50',
    });
    const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
    const chat = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Budget call', audience: { to: ['bob@example.com', 'erin@example.net'] } },
      alice.token,
    );
    assert.equal((await api(server, 'POST', `/api/chats/${chat.body.id}/open`, undefined, bob.token)).status, 200);
    const chatId: string = chat.body.id;
    const a = await connectSocket(server.url, alice.token);
    try {
      a.emit('presence:visibility', { visible: true });
      const started: CallJoined = await request(a, 'call:start', { chatId, media: 'video' });
      assert.equal((await request(a, 'call:leave', { chatId, callId: started.call.id })).ok, true);
      // Bob is a member with nothing open; Erin is only an address in the audience (email only).
      for (const to of ['bob@example.com', 'erin@example.net']) {
        const mail = await server.catcher!.waitFor((m) => m.to.includes(to) && /Missed call from alice@example\.com/.test(m.text), 15_000);
        assert.match(mail.text, /alice@example\.com started a video call/);
        assert.match(mail.subject, /Budget call/);
      }
      assert.ok(!server.catcher!.list().some((m) => m.to.includes('alice@example.com') && /Missed call/.test(m.text)), 'not the caller');
    } finally {
      a.close();
    }
  });
});

describe('calls: one call per chat, and a budget of new calls per member', function () {
  let server: TestServer;
  after(async () => server?.close());

  it('two members starting at the same moment end up in one call; new calls are limited per member and hour, joining is not', async () => {
    server = await startTestServer({ CALLS_PER_HOUR: '2' });
    const [alice, bob, carol] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com']);
    const chat = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Race', audience: { to: ['bob@example.com', 'carol@example.com'] } },
      alice.token,
    );
    const chatId: string = chat.body.id;
    for (const who of [bob, carol]) await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, who.token);
    const [a, b, c] = await Promise.all([alice, bob, carol].map((who) => connectSocket(server.url, who.token)));
    try {
      const [fromBob, fromCarol] = (await Promise.all([
        request(b!, 'call:start', { chatId, media: 'audio' }),
        request(c!, 'call:start', { chatId, media: 'audio' }),
      ])) as [CallJoined, CallJoined];
      assert.equal(fromBob.call.id, fromCarol.call.id);
      assert.equal(fromCarol.call.participants.length, 2);
      const raced = fromBob.call.id;
      await request(b!, 'call:leave', { chatId, callId: raced });
      await request(c!, 'call:leave', { chatId, callId: raced });
      // Alice's budget: two new calls, then RATE_LIMITED; joining someone else's call still works.
      for (let i = 0; i < 2; i++) {
        const mine: CallJoined = await request(a!, 'call:start', { chatId, media: 'audio' });
        assert.notEqual(mine.call.id, raced);
        await request(a!, 'call:leave', { chatId, callId: mine.call.id });
      }
      const over = await request(a!, 'call:start', { chatId, media: 'video' });
      assert.equal(over.error.code, 'RATE_LIMITED');
      assert.match(over.error.message, /Too many calls started/);
      const bobs: CallJoined = await request(b!, 'call:start', { chatId, media: 'audio' });
      assert.equal((await request(a!, 'call:accept', { chatId, callId: bobs.call.id })).ok, true);
      assert.equal(
        (await request(a!, 'call:start', { chatId, media: 'audio' })).call.id,
        bobs.call.id,
        'starting where a call is going on joins it',
      );
    } finally {
      for (const s2 of [a, b, c]) s2!.close();
    }
  });
});
