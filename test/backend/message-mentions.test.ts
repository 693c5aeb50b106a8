import assert from 'node:assert/strict';
import { api, nextEvent, request, signInAll, suiteSockets, startTestServer, type TestServer } from '../support/server.ts';
import type { ChatActivity, ChatView, MessageView, SessionView } from '../../protocol/index.ts';

/**
 * @mentions against a real server, PostgreSQL, Redis-free single node and Socket.IO clients:
 * stored by member handle, `mentionsMe` true only for the mentioned member (live, in their lists
 * and in history), in both kinds of chat, and a Bcc member can never be mentioned (it would show them).
 */
describe('message mentions: structure, mentionsMe per recipient, Bcc privacy', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView, hank: SessionView;
  const sockets = suiteSockets(() => server.url);
  const open = (token: string) => sockets.open(token);

  before(async () => {
    server = await startTestServer();
    [alice, bob, carol, hank] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com', 'hank@example.com']);
  });
  after(async () => {
    sockets.closeAll();
    await server?.close();
  });

  /** alice owns it; bob (To) and carol (Cc) are visible; hank is Bcc. */
  async function newChat(retention: 'ARCHIVED' | 'EPHEMERAL' = 'ARCHIVED'): Promise<string> {
    const audience = { to: ['bob@example.com'], cc: ['carol@example.com'], bcc: ['hank@example.com'] };
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'mentions', retention, audience }, alice.token)).body;
    for (const who of [bob, carol, hank])
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, who.token)).status, 200);
    return chat.id as string;
  }
  const view = async (who: SessionView, chatId: string) =>
    (await api<ChatView>(server, 'GET', `/api/chats/${chatId}`, undefined, who.token)).body;
  const handleOf = async (address: string, chatId: string, seenBy = alice) =>
    (await view(seenBy, chatId)).members.find((m) => m.address === address)!.identityId;

  for (const retention of ['ARCHIVED', 'EPHEMERAL'] as const) {
    it(`only the mentioned member gets mentionsMe, live, in their chat list and in history (${retention.toLowerCase()} chat)`, async () => {
      const chatId = await newChat(retention);
      const carolHandle = await handleOf('carol@example.com', chatId, bob);
      const [bobSocket, carolSocket, aliceSocket] = [await open(bob.token), await open(carol.token), await open(alice.token)];
      for (const s of [bobSocket, carolSocket, aliceSocket]) assert.equal((await request(s, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
      const carolList = await open(carol.token);
      const aliceList = await open(alice.token);
      for (const s of [carolList, aliceList]) assert.equal((await request(s, 'chats:watch', {})).ok, true);

      const toCarol = nextEvent<MessageView>(carolSocket, 'message', (m) => m.kind === 'TEXT');
      const toAlice = nextEvent<MessageView>(aliceSocket, 'message', (m) => m.kind === 'TEXT');
      const carolActivity = nextEvent<ChatActivity>(carolList, 'chats:activity', (a) => a.chatId === chatId);
      const aliceActivity = nextEvent<ChatActivity>(aliceList, 'chats:activity', (a) => a.chatId === chatId);
      const ack = await request(bobSocket, 'message:send', {
        chatId,
        clientId: 'm1',
        body: '@carol can you check?',
        mentions: [carolHandle],
      });
      assert.equal(ack.ok, true, JSON.stringify(ack));
      assert.deepEqual(ack.message.mentions, [carolHandle]);
      assert.equal(ack.message.mentionsMe, false);

      const [forCarol, forAlice] = [await toCarol, await toAlice];
      assert.equal(forCarol.mentionsMe, true);
      assert.equal(forAlice.mentionsMe, false);
      assert.deepEqual(forCarol.mentions, [carolHandle]);
      assert.deepEqual({ ...forCarol, mentionsMe: false }, forAlice, 'otherwise the same message');
      assert.equal((await carolActivity).mentionsMe, true);
      assert.equal((await aliceActivity).mentionsMe, undefined);

      const page = async (who: SessionView) =>
        (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, who.token)).body.messages.find(
          (m: MessageView) => m.kind === 'TEXT',
        );
      assert.equal((await page(carol)).mentionsMe, true);
      assert.equal((await page(alice)).mentionsMe, false);
      assert.deepEqual((await page(alice)).mentions, [carolHandle]);
      const carolsChats = (await api(server, 'GET', '/api/chats', undefined, carol.token)).body.chats;
      assert.equal(carolsChats.find((c: { id: string }) => c.id === chatId).lastMessage.mentionsMe, true);
    });
  }

  it('refuses to mention a Bcc member, even for the owner who sees them, exactly as an unknown handle', async () => {
    const chatId = await newChat();
    const hankHandle = await handleOf('hank@example.com', chatId, alice);
    assert.ok(hankHandle, 'the owner sees hank');
    const send = (mentions: unknown) =>
      api(
        server,
        'POST',
        `/api/chats/${chatId}/messages`,
        { clientId: `c${Math.random()}`.slice(0, 20), body: 'hi', mentions },
        alice.token,
      );
    const hidden = await send([hankHandle]);
    const unknown = await send(['AAAAAAAAAAAAAAAAAAAAAA']);
    assert.equal(hidden.status, 400);
    assert.equal(hidden.body.error.code, 'BAD_INPUT');
    assert.deepEqual(hidden.body, unknown.body, 'the answer does not tell a hidden member from nobody');
    assert.equal((await send(['not a handle'])).body.error.code, 'BAD_INPUT');
    assert.equal((await send(Array.from({ length: 51 }, () => 'AAAAAAAAAAAAAAAAAAAAAA'))).body.error.code, 'BAD_INPUT');
    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, alice.token)).body.messages as MessageView[];
    assert.ok(!page.some((m) => m.kind === 'TEXT'), 'nothing was posted');

    // Mentioning visible members twice counts them once; the retried send answers with its mentions.
    const carolHandle = await handleOf('carol@example.com', chatId);
    const body = { clientId: 'twice', body: '@carol @carol', mentions: [carolHandle, carolHandle] };
    const first = await api(server, 'POST', `/api/chats/${chatId}/messages`, body, bob.token);
    const retry = await api(server, 'POST', `/api/chats/${chatId}/messages`, body, bob.token);
    assert.deepEqual(first.body.mentions, [carolHandle]);
    assert.deepEqual(retry.body, first.body);
  });
});
