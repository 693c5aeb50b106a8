import assert from 'node:assert/strict';
import { api, nextEvent, request, signInAll, suiteSockets, startTestServer, type TestServer } from '../support/server.ts';
import type { ChatSummary, ChatView, SessionView } from '../../protocol/index.ts';

/**
 * Display names against a real server, PostgreSQL, Socket.IO and the SMTP catcher: validated,
 * shown in chat views, My chats and the From line of notification emails, refreshed live in open
 * chats, and a Bcc member's rename tells nobody but the owner.
 */
describe('display names: validation, where they show, live refresh, Bcc privacy', function () {
  let server: TestServer;
  let alice: SessionView, bob: SessionView, hank: SessionView;
  const sockets = suiteSockets(() => server.url);
  const open = (token: string) => sockets.open(token);

  before(async () => {
    // Bob has no page open, so he is emailed soon after a message (a realistic, short delay).
    server = await startTestServer({ EMAIL_OFFLINE_DELAY_MS: '400', EMAIL_BATCH_WINDOW_MS: '300' });
    [alice, bob, hank] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'hank@example.com']);
  });
  after(async () => {
    sockets.closeAll();
    await server?.close();
  });

  const setName = (who: SessionView, displayName: unknown) => api(server, 'PUT', '/api/me/display-name', { displayName }, who.token);

  it('validates a name: one trimmed line of plain text, at most 64 characters, no direction tricks; empty clears it', async () => {
    const ok = await setName(alice, '  Alice Liddell ');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.displayName, 'Alice Liddell');
    assert.equal((await api(server, 'GET', '/api/me', undefined, alice.token)).body.displayName, 'Alice Liddell');

    for (const bad of ['x'.repeat(65), 'two\nlines', 'tab\there', 'bell\u0007', 'evil\u202Eredaolnwod', 42, null]) {
      const r = await setName(bob, bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.equal(r.body.error.code, 'BAD_INPUT');
    }
    assert.equal((await setName(bob, 'Bob')).body.displayName, 'Bob');
    assert.equal((await setName(bob, '   ')).body.displayName, null, 'blank clears');
    assert.equal((await api(server, 'GET', '/api/me', undefined, bob.token)).body.displayName, null);
    assert.equal((await api(server, 'PUT', '/api/me/display-name', { displayName: 'x' })).status, 401);
  });

  it('shows in the chat view and My chats, refreshes open chats live, and names the author in emails', async () => {
    await setName(alice, 'Alice Liddell');
    const chat = (await api<ChatView>(server, 'POST', '/api/chats', { subject: 'Tea', audience: { to: ['bob@example.com'] } }, alice.token))
      .body;
    assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token)).status, 200);

    const seenByBob = (await api<ChatView>(server, 'GET', `/api/chats/${chat.id}`, undefined, bob.token)).body;
    const aliceThere = seenByBob.members.find((m) => m.address === 'alice@example.com')!;
    assert.equal(aliceThere.displayName, 'Alice Liddell');
    assert.equal(seenByBob.members.find((m) => m.address === 'bob@example.com')!.displayName, null);
    const list = (await api<{ chats: ChatSummary[] }>(server, 'GET', '/api/chats', undefined, bob.token)).body.chats;
    assert.deepEqual(list.find((c) => c.id === chat.id)!.people, [
      { address: 'alice@example.com', displayName: 'Alice Liddell' },
      { address: 'bob@example.com', displayName: null },
    ]);

    const bobSocket = await open(bob.token);
    assert.equal((await request(bobSocket, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);
    const refreshed = nextEvent(bobSocket, 'chat:updated', (c: { chatId: string }) => c.chatId === chat.id);
    await setName(alice, 'Alice L.');
    await refreshed;
    const after = (await api<ChatView>(server, 'GET', `/api/chats/${chat.id}`, undefined, bob.token)).body;
    assert.equal(after.members.find((m) => m.address === 'alice@example.com')!.displayName, 'Alice L.');
    bobSocket.close();

    const sent = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'tea1', body: 'Tea at five?' }, alice.token);
    assert.equal(sent.status, 201);
    const mail = await server.catcher!.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('Tea at five?'));
    const from = JSON.parse(mail.headers.from!) as { value: { name: string; address: string }[] };
    assert.equal(from.value[0]!.name, 'Alice L. via Inbox Chat');
    assert.match(mail.text, /Alice L\. \(alice@example\.com\)/, 'the body names her and keeps the address');
  });

  it("a Bcc member's rename refreshes the chat for the owner only", async () => {
    const chat = (
      await api<ChatView>(
        server,
        'POST',
        '/api/chats',
        { subject: 'Quiet', audience: { to: ['bob@example.com'], bcc: ['hank@example.com'] } },
        alice.token,
      )
    ).body;
    for (const who of [bob, hank])
      assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, who.token)).status, 200);
    const bobSocket = await open(bob.token);
    const aliceSocket = await open(alice.token);
    for (const s of [bobSocket, aliceSocket]) assert.equal((await request(s, 'chat:join', { chatId: chat.id, lastSeq: 0 })).ok, true);
    const bobHeard: string[] = [];
    bobSocket.on('chat:updated', (c) => bobHeard.push(c.chatId));

    const ownerHears = nextEvent(aliceSocket, 'chat:updated', (c: { chatId: string }) => c.chatId === chat.id);
    await setName(hank, 'Hank the Quiet');
    await ownerHears;
    // A visible member's rename is the fence: bob hears it, and nothing of hank's before it.
    const fence = nextEvent(bobSocket, 'chat:updated', (c: { chatId: string }) => c.chatId === chat.id);
    await setName(alice, 'Alice Again');
    await fence;
    assert.deepEqual(bobHeard, [chat.id]);
    const bobsView = JSON.stringify((await api(server, 'GET', `/api/chats/${chat.id}`, undefined, bob.token)).body);
    assert.ok(!bobsView.includes('Hank the Quiet'), 'and his view never shows the name');
    const ownersView = (await api<ChatView>(server, 'GET', `/api/chats/${chat.id}`, undefined, alice.token)).body;
    assert.equal(ownersView.members.find((m) => m.address === 'hank@example.com')!.displayName, 'Hank the Quiet');
  });
});
