import assert from 'node:assert/strict';
import { api, nextEvent, request, signInAll, suiteSockets, startTestServer, type TestServer } from '../support/server.ts';
import type { MessageView, SessionView } from '../../protocol/index.ts';

/**
 * Editing one's own message, against a real server, PostgreSQL and Socket.IO clients: the
 * server's rules, the live EDIT event, resync after a reconnect, the audit trail and who reads it.
 */
describe('message edits: rules, live update, resync, audit trail', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, carol: SessionView, dave: SessionView;
  const sockets = suiteSockets(() => server.url);
  const open = (token: string) => sockets.open(token);

  before(async () => {
    // Members with no page open are emailed soon after a message (short, realistic delays).
    server = await startTestServer({ MAX_MESSAGE_CHARS: '200', EMAIL_OFFLINE_DELAY_MS: '1500', EMAIL_BATCH_WINDOW_MS: '300' });
    [alice, bob, carol, dave] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com']);
  });
  after(async () => {
    sockets.closeAll();
    await server?.close();
  });

  /** alice owns it; bob and carol are members; dave is not in the audience. */
  async function newChat(retention: 'ARCHIVED' | 'EPHEMERAL' = 'ARCHIVED'): Promise<string> {
    const chat = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 'edits', retention, audience: { to: ['bob@example.com', 'carol@example.com'] } },
        alice.token,
      )
    ).body;
    for (const who of [bob, carol])
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, who.token)).status, 200);
    return chat.id as string;
  }

  async function send(who: SessionView, chatId: string, body: string): Promise<MessageView> {
    const r = await api<MessageView>(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `c-${Math.random()}`, body }, who.token);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  }

  const editRest = (who: SessionView, chatId: string, seq: number, body: unknown) =>
    api(server, 'PATCH', `/api/chats/${chatId}/messages/${seq}`, { body }, who.token);

  it("an author's edit reaches every member live, and history shows the new text marked edited", async () => {
    const chatId = await newChat();
    const original = await send(bob, chatId, 'see you at 10');
    const bobSocket = await open(bob.token);
    const carolSocket = await open(carol.token);
    for (const s of [bobSocket, carolSocket]) assert.equal((await request(s, 'chat:join', { chatId, lastSeq: 0 })).ok, true);

    const live = nextEvent<MessageView>(carolSocket, 'message', (m) => m.kind === 'EDIT');
    const ack = await request(bobSocket, 'message:edit', { chatId, seq: original.seq, body: '  see you at 11 ' });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.message.kind, 'EDIT');
    assert.equal(ack.message.targetSeq, original.seq);
    assert.equal(ack.message.body, 'see you at 11', 'trimmed like a send');
    assert.equal(ack.message.authorId, original.authorId, 'named by the same per-chat handle');

    const event = await live;
    assert.deepEqual(event, ack.message, 'carol hears the same EDIT event');

    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, carol.token)).body;
    const shown = page.messages.find((m: MessageView) => m.seq === original.seq);
    assert.equal(shown.body, 'see you at 11');
    assert.ok(shown.editedAt && Date.parse(shown.editedAt) >= Date.parse(original.createdAt), 'marked edited');
    assert.equal(page.messages.find((m: MessageView) => m.seq === event.seq).kind, 'EDIT', 'the edit holds its place in the log');

    const chats = (await api(server, 'GET', '/api/chats', undefined, alice.token)).body.chats;
    assert.equal(
      chats.find((c: { id: string }) => c.id === chatId).lastMessage.body,
      'see you at 11',
      'My chats previews the current text',
    );
    assert.equal(chats.find((c: { id: string }) => c.id === chatId).unread, 1, 'an edit is not a new unread message');
  });

  it('keeps every earlier text for the author and the owner; other members see only that it was edited', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'first');
    assert.equal((await editRest(bob, chatId, m.seq, 'second')).status, 200);
    // A realistic gap between two edits, so the revisions' times differ.
    await new Promise((r) => setTimeout(r, 25));
    assert.equal((await editRest(bob, chatId, m.seq, 'third')).status, 200);

    const path = `/api/chats/${chatId}/messages/${m.seq}/revisions`;
    const byAuthor = await api(server, 'GET', path, undefined, bob.token);
    assert.equal(byAuthor.status, 200);
    assert.deepEqual(
      byAuthor.body.revisions.map((r: { revision: number; body: string }) => [r.revision, r.body]),
      [
        [1, 'first'],
        [2, 'second'],
      ],
    );
    const [r1, r2] = byAuthor.body.revisions;
    assert.equal(r1.writtenAt, m.createdAt, 'the original was written when it was sent');
    assert.equal(r2.writtenAt, r1.replacedAt, 'each text was written when the one before was replaced');
    assert.ok(Date.parse(r2.replacedAt) > Date.parse(r2.writtenAt));

    assert.deepEqual((await api(server, 'GET', path, undefined, alice.token)).body, byAuthor.body, 'the owner reads the trail');
    const byCarol = await api(server, 'GET', path, undefined, carol.token);
    assert.equal(byCarol.status, 403);
    assert.equal(byCarol.body.error.code, 'FORBIDDEN');
    const byDave = await api(server, 'GET', path, undefined, dave.token);
    assert.equal(byDave.body.error.code, 'NOT_IN_AUDIENCE');
  });

  it('refuses edits by anyone but the author, of anything but a live text message, and over the length limit', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'mine');
    const code = async (who: SessionView, seq: number, body: unknown) => (await editRest(who, chatId, seq, body)).body?.error?.code;

    assert.equal(await code(carol, m.seq, 'not hers'), 'FORBIDDEN', 'another member');
    assert.equal(await code(alice, m.seq, 'not hers either'), 'FORBIDDEN', 'even the owner');
    assert.equal(await code(dave, m.seq, 'outsider'), 'NOT_IN_AUDIENCE', 'a non-member');
    assert.equal((await editRest({ ...bob, token: 'nope' }, chatId, m.seq, 'x')).status, 401, 'signed out');
    assert.equal(await code(bob, m.seq, '   '), 'BAD_INPUT', 'empty');
    assert.equal(await code(bob, m.seq, 'x'.repeat(201)), 'TOO_LARGE', 'the same limit as a send');
    assert.equal(await code(bob, m.seq, 'bell\u0007'), 'BAD_INPUT', 'control characters');
    assert.equal(await code(bob, 9999, 'nothing there'), 'NOT_FOUND');
    const before = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body.messages as MessageView[];
    const notice = before.find((x) => x.kind === 'SYSTEM');
    assert.ok(notice, 'the chat has a join notice');
    assert.equal(await code(bob, notice.seq, 'a join notice'), 'FORBIDDEN', 'system messages are nobody’s');

    const viaSocket = await open(dave.token);
    const refused = await request(viaSocket, 'message:edit', { chatId, seq: m.seq, body: 'socket outsider' });
    assert.equal(refused.ok, false);
    assert.equal(refused.error.code, 'NOT_IN_AUDIENCE');
    const bobSocket = await open(bob.token);
    assert.equal((await request(bobSocket, 'message:edit', { chatId, seq: m.seq, body: 'x', extra: 1 })).error.code, 'BAD_INPUT', 'strict');

    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${m.seq}`, undefined, bob.token)).status, 200);
    assert.equal(await code(bob, m.seq, 'after deletion'), 'NOT_FOUND', 'a deleted message');

    const m2 = await send(bob, chatId, 'before the end');
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}`, undefined, alice.token)).status, 200);
    assert.equal(await code(bob, m2.seq, 'after the end'), 'CHAT_ENDED');
    const final = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body.messages;
    assert.equal(final.find((x: MessageView) => x.seq === m2.seq).body, 'before the end', 'no refused edit changed anything');
    assert.ok(!final.some((x: MessageView) => x.kind === 'EDIT'), 'and none left an event');
  });

  it('refuses edits in an ephemeral chat, which keeps no history to audit', async () => {
    const chatId = await newChat('EPHEMERAL');
    const m = await send(bob, chatId, 'gone soon');
    const r = await editRest(bob, chatId, m.seq, 'edited');
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'FORBIDDEN');
    assert.match(r.body.error.message, /ephemeral/);
    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body.messages;
    assert.equal(page.find((x: MessageView) => x.seq === m.seq).body, 'gone soon');
  });

  it('a member who was offline learns of an edit from the catch-up of their next join', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'draft plan');
    const carolSocket = await open(carol.token);
    const joined = await request(carolSocket, 'chat:join', { chatId, lastSeq: 0 });
    const seen = joined.chat.lastSeq as number;
    carolSocket.close();

    const edit = (await editRest(bob, chatId, m.seq, 'final plan')).body as MessageView;
    const back = await open(carol.token);
    const rejoined = await request(back, 'chat:join', { chatId, lastSeq: seen });
    assert.equal(rejoined.ok, true);
    const missed = rejoined.missed as MessageView[];
    assert.deepEqual(
      missed.map((x) => [x.seq, x.kind, x.targetSeq, x.body]),
      [[edit.seq, 'EDIT', m.seq, 'final plan']],
    );
  });

  it('deleting an edited message wipes its earlier texts and the text its EDIT events carried', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'secret v1');
    await editRest(bob, chatId, m.seq, 'secret v2');
    await editRest(bob, chatId, m.seq, 'secret v3');
    assert.equal((await api(server, 'DELETE', `/api/chats/${chatId}/messages/${m.seq}`, undefined, bob.token)).status, 200);

    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, carol.token)).body.messages as MessageView[];
    assert.ok(!JSON.stringify(page).includes('secret'), JSON.stringify(page));
    assert.equal(page.filter((x) => x.kind === 'EDIT').length, 2, 'the events stay, empty, so seq runs on');
    const trail = await api(server, 'GET', `/api/chats/${chatId}/messages/${m.seq}/revisions`, undefined, bob.token);
    assert.deepEqual(trail.body, { revisions: [] });
  });

  it('the same text again records nothing', async () => {
    const chatId = await newChat();
    const m = await send(bob, chatId, 'same');
    const r = await editRest(bob, chatId, m.seq, 'same');
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'TEXT');
    assert.equal(r.body.editedAt, null);
    const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body.messages as MessageView[];
    assert.ok(!page.some((x) => x.kind === 'EDIT'));
  });

  it('an email already sent is not recalled; the next email carries the edited text', async () => {
    const chatId = await newChat();
    const first = await send(bob, chatId, 'Budget is 10k');
    const sent = await server.catcher!.waitFor((m) => m.to.includes('carol@example.com') && m.text.includes('Budget is 10k'));
    await editRest(bob, chatId, first.seq, 'Budget is 12k');
    await send(bob, chatId, 'Sorry, typo above');
    const next = await server.catcher!.waitFor(
      (m) => m.id > sent.id && m.to.includes('carol@example.com') && m.text.includes('Sorry, typo'),
    );
    assert.match(next.text, /Budget is 12k/, 'the earlier message, quoted above the new one, reads as it is now');
    assert.doesNotMatch(next.text, /Budget is 10k/);
  });
});
