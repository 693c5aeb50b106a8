import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { api, connectSocket, request, signInAll, startTestServer, untyped, type TestServer } from '../support/server.ts';
import type { SessionView } from '../../protocol/index.ts';

describe('bad input: clear errors, nothing lost, server stays up', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView;
  let chatId: string;

  before(async () => {
    server = await startTestServer({ MAX_MESSAGE_CHARS: '100', MAX_BODY_BYTES: '4096', SOCKET_EVENTS_PER_10S: '50' });
    [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'x', audience: { to: ['bob@example.com'] } }, alice.token)).body.id;
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token);
  });
  after(async () => server.close());

  const alive = async () => assert.equal((await api(server, 'GET', '/healthz')).status, 200);

  it('malformed JSON gets 400 BAD_INPUT', async () => {
    const r = await api(server, 'POST', '/api/chats', '{"subject": "x",', alice.token);
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'BAD_INPUT');
    assert.match(r.body.error.message, /not valid JSON/);
  });

  it('an oversized body gets 413 TOO_LARGE', async () => {
    const r = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'big', body: 'x'.repeat(10_000) }, alice.token);
    assert.equal(r.status, 413);
    assert.equal(r.body.error.code, 'TOO_LARGE');
  });

  it('a message over the documented size says the limit', async () => {
    const r = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'long', body: 'y'.repeat(101) }, alice.token);
    assert.equal(r.status, 413);
    assert.match(r.body.error.message, /at most 100 characters/);
    const empty = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'empty', body: '   \n ' }, alice.token);
    assert.equal(empty.status, 400);
  });

  it('wrong types and unknown fields name the field', async () => {
    const r = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 42, body: ['x'] }, alice.token);
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /clientId/);
    const extra = await api(server, 'POST', '/api/chats', { subject: 'x', admin: true }, alice.token);
    assert.equal(extra.status, 400);
    const badAddress = await api(server, 'POST', '/api/auth/start', { address: 'not an address' });
    assert.equal(badAddress.status, 400);
    assert.match(badAddress.body.error.message, /address/);
  });

  it('errors say what to fix in words people use, not schema paths', async () => {
    const r = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'x', audience: { to: ['bob@example.com', 'not-an-address'] } },
      alice.token,
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.error.message, 'not-an-address is not an email address');
    assert.deepEqual(r.body.error.details.fields, [{ path: 'audience.to.1', problem: 'not an email address' }]);
    const subject = await api(server, 'POST', '/api/chats', { subject: 's'.repeat(600) }, alice.token);
    assert.equal(subject.status, 400);
    assert.equal(subject.body.error.message, 'The subject is 600 characters long; the limit is 500');
    // A pasted document is not echoed back in the error.
    const pasted = await api(server, 'POST', '/api/auth/start', { address: 'x'.repeat(300) });
    assert.equal(pasted.status, 400);
    assert.ok(!pasted.body.error.message.includes('x'.repeat(121)), pasted.body.error.message);
  });

  it('unknown and malformed chat ids get 404 / 400, not 500', async () => {
    assert.equal((await api(server, 'GET', `/api/chats/${randomUUID()}`, undefined, alice.token)).status, 404);
    assert.equal((await api(server, 'POST', `/api/chats/${randomUUID()}/open`, undefined, alice.token)).status, 404);
    assert.equal((await api(server, 'GET', '/api/chats/not-a-uuid', undefined, alice.token)).status, 400);
    assert.equal((await api(server, 'GET', `/api/chats/${chatId}/messages?limit=abc`, undefined, alice.token)).status, 400);
    assert.equal((await api(server, 'GET', `/api/chats/${chatId}/messages?limit=100000`, undefined, alice.token)).status, 400);
    assert.equal((await api(server, 'GET', '/api/nope', undefined, alice.token)).status, 404);
    await alive();
  });

  it('socket events with garbage payloads get error acks, and the socket keeps working', async () => {
    const s = await connectSocket(server.url, bob.token);
    try {
      for (const payload of [null, 42, 'x', [], { chatId: 'nope' }, { chatId, clientId: '', body: 'x' }, { chatId, lastSeq: -1 }]) {
        const r = await request(s, 'chat:join', payload);
        assert.equal(r.ok, false);
        assert.equal(r.error.code, 'BAD_INPUT');
      }
      const unknown = await request(s, 'chat:join', { chatId: randomUUID(), lastSeq: 0 });
      assert.equal(unknown.error.code, 'NOT_FOUND');
      const big = await request(s, 'message:send', { chatId, clientId: 'b1', body: 'z'.repeat(1000) });
      assert.equal(big.error.code, 'TOO_LARGE');
      const ok = await request(s, 'message:send', { chatId, clientId: 'after-garbage', body: 'still here' });
      assert.equal(ok.ok, true);
      // An event without an ack callback, and an unknown event, are ignored without harm.
      const raw = untyped(s);
      raw.emit('message:send', { chatId, clientId: 'no-ack', body: 'fire and forget' });
      raw.emit('does:not:exist');
    } finally {
      s.close();
    }
    await alive();
  });

  it('a flood of events is refused, then the flooding socket is cut off; others are unaffected', async () => {
    const flooder = await connectSocket(server.url, bob.token);
    const bystander = await connectSocket(server.url, alice.token);
    const cut = new Promise<void>((resolve) => flooder.once('disconnect', () => resolve()));
    const acks: Promise<{ ok: boolean; error?: { code: string } }>[] = [];
    for (let i = 0; i < 200; i++)
      acks.push(request(flooder, 'read', { chatId, seq: 1 }).catch((e) => ({ ok: false, error: { code: String(e) } })));
    await cut;
    const results = await Promise.all(acks);
    assert.ok(
      results.some((r) => r.ok === false && r.error?.code === 'RATE_LIMITED'),
      'over budget is refused first',
    );
    const fine = await request(bystander, 'message:send', { chatId, clientId: 'bystander', body: 'unaffected' });
    assert.equal(fine.ok, true);
    bystander.close();
    await alive();
  });

  it('a socket payload over the size cap closes that socket only', async () => {
    const s = await connectSocket(server.url, bob.token);
    const closed = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
    untyped(s).emit('message:send', {
      chatId,
      clientId: 'huge',
      body: 'h'.repeat(20_000),
    });
    await closed;
    await alive();
  });

  it('requests over the HTTP rate limit get 429 with Retry-After', async () => {
    const limited = await startTestServer({ HTTP_REQUESTS_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${limited.url}/api/me`);
        statuses.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
      assert.ok(statuses.slice(5).every((s) => s === 429));
      assert.match(retryAfter ?? '', /^\d+$/);
    } finally {
      await limited.close();
    }
  });
});
