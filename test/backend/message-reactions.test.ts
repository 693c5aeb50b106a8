import assert from 'node:assert/strict';
import { api, nextEvent, request, signInAll, suiteSockets, startTestServer, type TestServer } from '../support/server.ts';
import type { MessageView, ReactionNotice, ReactionView, SessionView } from '../../protocol/index.ts';

/**
 * Emoji reactions against a real server, PostgreSQL and Socket.IO clients: the rules, live
 * events, the refresh a rejoin brings, and the Bcc rule (a hidden member's reactions reach only
 * the owner and that member, in events, views and counts).
 */
describe('message reactions: rules, live, resync, Bcc privacy', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView, hank: SessionView, dave: SessionView;
  const sockets = suiteSockets(() => server.url);
  const open = (token: string) => sockets.open(token);

  before(async () => {
    server = await startTestServer();
    [alice, bob, carol, hank, dave] = await signInAll(server, [
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'hank@example.com',
      'dave@example.com',
    ]);
  });
  after(async () => {
    sockets.closeAll();
    await server?.close();
  });

  /** alice owns it; bob (To) and carol (Cc) are visible members; hank is Bcc; dave is outside. */
  async function newChat(retention: 'ARCHIVED' | 'EPHEMERAL' = 'ARCHIVED'): Promise<string> {
    const audience = { to: ['bob@example.com'], cc: ['carol@example.com'], bcc: ['hank@example.com'] };
    const chat = (await api(server, 'POST', '/api/chats', { subject: 'reactions', retention, audience }, alice.token)).body;
    for (const who of [bob, carol, hank])
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, who.token)).status, 200);
    return chat.id as string;
  }

  async function send(who: SessionView, chatId: string, body: string): Promise<MessageView> {
    const r = await api<MessageView>(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `c-${Math.random()}`, body }, who.token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }

  const react = (who: SessionView, chatId: string, seq: number, emoji: string, on = true) =>
    api(server, 'POST', `/api/chats/${chatId}/messages/${seq}/reactions`, { emoji, on }, who.token);
  const handleOf = async (who: SessionView, chatId: string) =>
    (await api(server, 'GET', `/api/chats/${chatId}`, undefined, who.token)).body.me.identityId as string;
  const reactionsSeenBy = async (who: SessionView, chatId: string, seq: number): Promise<ReactionView[]> =>
    (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, who.token)).body.messages.find(
      (m: MessageView) => m.seq === seq,
    ).reactions;

  it('a reaction reaches the members live, with who reacted by per-chat handle, and history shows it', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'lunch?');
    const carolSocket = await open(carol.token);
    assert.equal((await request(carolSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    const bobSocket = await open(bob.token);
    assert.equal((await request(bobSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);

    const live = nextEvent<ReactionNotice>(carolSocket, 'reaction');
    const ack = await request(bobSocket, 'message:react', { chatId, seq: m.seq, emoji: '🎉', on: true });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    const bobHandle = await handleOf(bob, chatId);
    assert.deepEqual(ack.reactions, [{ emoji: '🎉', members: [bobHandle] }]);
    assert.deepEqual(await live, { chatId, seq: m.seq, emoji: '🎉', identityId: bobHandle, on: true });

    // Any single emoji, with a skin tone, counts; the same one twice changes nothing.
    assert.equal((await react(carol, chatId, m.seq, '👍🏽')).status, 200);
    assert.equal((await react(carol, chatId, m.seq, '🎉')).status, 200);
    const again = await react(carol, chatId, m.seq, '🎉');
    const carolHandle = await handleOf(carol, chatId);
    assert.deepEqual(again.body.reactions, [
      { emoji: '🎉', members: [bobHandle, carolHandle] },
      { emoji: '👍🏽', members: [carolHandle] },
    ]);
    assert.deepEqual(await reactionsSeenBy(alice, chatId, m.seq), again.body.reactions);

    const off = nextEvent<ReactionNotice>(bobSocket, 'reaction', (r) => !r.on);
    assert.equal((await react(carol, chatId, m.seq, '🎉', false)).status, 200);
    assert.deepEqual(await off, { chatId, seq: m.seq, emoji: '🎉', identityId: carolHandle, on: false });
    assert.deepEqual(await reactionsSeenBy(bob, chatId, m.seq), [
      { emoji: '🎉', members: [bobHandle] },
      { emoji: '👍🏽', members: [carolHandle] },
    ]);
    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body.messages as MessageView[];
    assert.equal(page.at(-1)!.seq, m.seq, 'reactions take no place in the log');
  });

  it("a Bcc member's reaction is seen only by the owner and that member: not live, not in history, not in counts", async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'who is here?');
    const bobSocket = await open(bob.token);
    const aliceSocket = await open(alice.token);
    for (const s of [bobSocket, aliceSocket]) assert.equal((await request(s, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    const heardByBob: ReactionNotice[] = [];
    bobSocket.on('reaction', (r) => heardByBob.push(r));

    const hankHandle = await handleOf(hank, chatId);
    const ownerHears = nextEvent<ReactionNotice>(aliceSocket, 'reaction', (r) => r.identityId === hankHandle);
    const hanks = await react(hank, chatId, m.seq, '👀');
    assert.equal(hanks.status, 200);
    assert.deepEqual(hanks.body.reactions, [{ emoji: '👀', members: [hankHandle] }], 'hank sees his own');
    await ownerHears;
    // A visible member's reaction afterwards is the fence: bob hears it, and nothing of hank's before it.
    const carolHandle = await handleOf(carol, chatId);
    const fence = nextEvent<ReactionNotice>(bobSocket, 'reaction', (r) => r.identityId === carolHandle);
    await react(carol, chatId, m.seq, '👀');
    await fence;
    assert.deepEqual(
      heardByBob.map((r) => r.identityId),
      [carolHandle],
    );

    assert.deepEqual(await reactionsSeenBy(bob, chatId, m.seq), [{ emoji: '👀', members: [carolHandle] }], 'one, not two');
    assert.deepEqual(await reactionsSeenBy(alice, chatId, m.seq), [{ emoji: '👀', members: [hankHandle, carolHandle] }]);
    const rejoin = await request(bobSocket, 'chat:join', { chatId, lastSeq: m.seq, reactionsFrom: 1 });
    assert.deepEqual(rejoin.reactions, [{ seq: m.seq, reactions: [{ emoji: '👀', members: [carolHandle] }] }]);
    assert.ok(!JSON.stringify(rejoin).includes(hankHandle), 'the join answer never names hank');
  });

  it('a member back from offline gets the reactions of the messages they show refreshed on rejoin', async () => {
    const chatId = await newChat();
    const m1 = await send(bob, chatId, 'one');
    const m2 = await send(bob, chatId, 'two');
    const carolSocket = await open(carol.token);
    const joined = await request(carolSocket, 'chat:join', { chatId, lastSeq: 0 });
    const seen = joined.chat.lastSeq as number;
    await react(alice, chatId, m2.seq, '😂');
    carolSocket.close();

    await react(alice, chatId, m2.seq, '😂', false);
    await react(bob, chatId, m1.seq, '❤️');
    const back = await open(carol.token);
    const rejoined = await request(back, 'chat:join', { chatId, lastSeq: seen, reactionsFrom: 1 });
    assert.equal(rejoined.ok, true);
    assert.deepEqual(rejoined.missed, [], 'no new messages, only changed reactions');
    assert.deepEqual(rejoined.reactions, [{ seq: m1.seq, reactions: [{ emoji: '❤️', members: [await handleOf(bob, chatId)] }] }]);
  });

  it('refuses what is not one emoji, outsiders, deleted messages, ended and ephemeral chats, and floods of emoji', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'react to me');
    const code = async (r: Promise<{ body: { error?: { code: string } } }>) => (await r).body.error?.code;

    for (const bad of ['a', '👍👍', ':)', '', '👍 ', '<b>']) assert.equal(await code(react(carol, chatId, m.seq, bad)), 'BAD_INPUT', bad);
    assert.equal(await code(react(dave, chatId, m.seq, '👍')), 'NOT_IN_AUDIENCE');
    const outsider = await open(dave.token);
    assert.equal((await request(outsider, 'message:react', { chatId, seq: m.seq, emoji: '👍', on: true })).error.code, 'NOT_IN_AUDIENCE');
    assert.equal(await code(react(carol, chatId, 9999, '👍')), 'NOT_FOUND');

    const flags = ['🇫🇷', '🇩🇪', '🇮🇹', '🇪🇸', '🇵🇹', '🇳🇱', '🇧🇪', '🇦🇹', '🇨🇭', '🇸🇪', '🇳🇴', '🇩🇰', '🇫🇮', '🇮🇪', '🇵🇱', '🇨🇿', '🇬🇷', '🇭🇺', '🇷🇴', '🇧🇬'];
    for (const f of flags) assert.equal((await react(carol, chatId, m.seq, f)).status, 200, f);
    assert.equal(await code(react(carol, chatId, m.seq, '🇯🇵')), 'QUOTA_EXCEEDED');

    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${m.seq}`, undefined, bob.token)).status, 200);
    assert.deepEqual(await reactionsSeenBy(alice, chatId, m.seq), [], 'deleting a message drops its reactions');
    assert.equal(await code(react(carol, chatId, m.seq, '👍')), 'NOT_FOUND');

    const m2 = await send(bob, chatId, 'last words');
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}`, undefined, alice.token)).status, 200);
    assert.equal(await code(react(carol, chatId, m2.seq, '👍')), 'CHAT_ENDED');

    const eph = await newChat('EPHEMERAL');
    const e = await send(bob, eph, 'fleeting');
    assert.equal(await code(react(carol, eph, e.seq, '👍')), 'FORBIDDEN');
  });
});
