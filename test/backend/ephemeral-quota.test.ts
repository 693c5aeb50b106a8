import assert from 'node:assert/strict';
import { api, connectSocket, request, signInAll, startTestServer, type TestServer } from '../support/server.ts';
import type { SessionView } from '../../protocol/index.ts';

describe('ephemeral memory is bounded per person (the global cap: ephemeral-store.test.ts), with a clear error', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: SessionView, bob: SessionView;

  before(async () => {
    // 8 KB per person, 16 KB in all: a handful of 1,000-character messages.
    server = await startTestServer({ EPHEMERAL_USER_KB: '8', EPHEMERAL_TOTAL_MB: '1' });
    [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
  });
  after(async () => server.close());

  const ephemeralChat = async (token: string, subject: string) => {
    const r = await api(server, 'POST', '/api/chats', { subject, retention: 'EPHEMERAL' }, token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };

  it('one person filling chats after chats is refused with QUOTA_EXCEEDED; others still post', async () => {
    const chats = await Promise.all([1, 2, 3].map((i) => ephemeralChat(alice.token, `flood ${i}`)));
    const socket = await connectSocket(server.url, alice.token);
    const body = 'x'.repeat(1000);
    let accepted = 0;
    let refusal: { code: string; message: string } | undefined;
    try {
      for (let i = 0; i < 60 && !refusal; i++) {
        const r = await request(socket, 'message:send', { chatId: chats[i % 3], clientId: `f${i}`, body });
        if (r.ok) accepted++;
        else refusal = r.error;
      }
    } finally {
      socket.close();
    }
    assert.equal(refusal?.code, 'QUOTA_EXCEEDED');
    assert.match(refusal!.message, /too many unarchived messages/);
    assert.ok(accepted >= 6 && accepted <= 8, `about 8 KB accepted across chats, got ${accepted} messages`);
    const rest = await api(server, 'POST', `/api/chats/${chats[0]}/messages`, { clientId: 'rest', body }, alice.token);
    assert.equal(rest.status, 429);
    assert.equal(rest.body.error.code, 'QUOTA_EXCEEDED');
    assert.equal(rest.body.error.details.scope, 'user');
    const bobs = await ephemeralChat(bob.token, 'mine');
    const fine = await api(server, 'POST', `/api/chats/${bobs}/messages`, { clientId: 'b1', body }, bob.token);
    assert.equal(fine.status, 201, JSON.stringify(fine.body));
  });

  it('ending a chat frees what its messages held', async () => {
    const chat = (await api(server, 'GET', '/api/chats', undefined, alice.token)).body.chats.find(
      (c: { subject: string }) => c.subject === 'flood 1',
    );
    assert.equal((await api(server, 'DELETE', `/api/chats/${chat.id}`, undefined, alice.token)).status, 200);
    const other = (await api(server, 'GET', '/api/chats', undefined, alice.token)).body.chats.find(
      (c: { subject: string }) => c.subject === 'flood 2',
    );
    const again = await api(server, 'POST', `/api/chats/${other.id}/messages`, { clientId: 'after-end', body: 'room again' }, alice.token);
    assert.equal(again.status, 201, JSON.stringify(again.body));
  });
});
