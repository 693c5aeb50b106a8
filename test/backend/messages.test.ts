import assert from 'node:assert/strict';
import {
  api,
  type ClientSocket,
  connectSocket,
  nextEvent,
  request,
  signInAll,
  startTwoNodes,
  type TestServer,
  type TwoNodes,
} from '../support/server.ts';
import type { MessageView, ReadNotice, SessionView } from '../../protocol/index.ts';

describe('messages: ordering, idempotency, resync, fan-out', function () {
  let nodes: TwoNodes | undefined;
  let server: TestServer;
  let second: TestServer; // another backend process on the same database
  let alice: SessionView, bob: SessionView, carol: SessionView;
  const sockets: ClientSocket[] = [];
  const open = async (url: string, token: string) => {
    const s = await connectSocket(url, token);
    sockets.push(s);
    return s;
  };

  before(async () => {
    // Two nodes share rooms through Redis, as in production.
    nodes = await startTwoNodes();
    ({ one: server, two: second } = nodes);
    [alice, bob, carol] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com']);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await nodes?.close();
  });

  async function newChat(retention: 'ARCHIVED' | 'EPHEMERAL' = 'ARCHIVED') {
    const chat = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 't', retention, audience: { to: ['bob@example.com', 'carol@example.com'] } },
        alice.token,
      )
    ).body;
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, bob.token);
    await api(server, 'POST', `/api/chats/${chat.id}/open`, undefined, carol.token);
    return chat.id as string;
  }

  it('numbers messages 1, 2, 3 ... with no gaps or duplicates under concurrent sends from two server processes', async () => {
    const chatId = await newChat();
    const senders = [
      [server, alice],
      [second, bob],
      [server, carol],
      [second, alice],
    ] as const;
    const perSender = 60;
    const acks = await Promise.all(
      senders.map(async ([srv, who], i) => {
        const s = await open(srv.url, who.token);
        await request(s, 'chat:join', { chatId, lastSeq: 0 });
        return Promise.all(
          Array.from({ length: perSender }, (_, n) => request(s, 'message:send', { chatId, clientId: `s${i}-${n}`, body: `m ${i}.${n}` })),
        );
      }),
    );
    const seqs = acks.flat().map((a) => {
      assert.equal(a.ok, true, JSON.stringify(a));
      return a.message.seq as number;
    });
    const all = [...seqs].sort((a, b) => a - b);
    assert.equal(new Set(all).size, all.length, 'no duplicate seq');
    const history: MessageView[] = [];
    let after = 0;
    for (;;) {
      const page = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=${after}&limit=100`, undefined, alice.token)).body;
      history.push(...page.messages);
      if (!page.hasMore) break;
      after = page.messages.at(-1).seq;
    }
    assert.deepEqual(
      history.map((m) => m.seq),
      Array.from({ length: history.length }, (_, i) => i + 1),
      'gap-free from 1',
    );
    assert.equal(history.filter((m) => m.kind === 'TEXT').length, senders.length * perSender);
    // Each sender's own messages keep the order they were sent in.
    for (let i = 0; i < senders.length; i++) {
      const mine = history.filter((m) => m.clientId.startsWith(`s${i}-`)).map((m) => Number(m.clientId.split('-')[1]));
      assert.deepEqual(
        mine,
        [...mine].sort((a, b) => a - b),
      );
    }
  });

  it('a retried send with the same id returns the first result, even when retries race', async () => {
    const chatId = await newChat();
    const s = await open(server.url, bob.token);
    const t = await open(second.url, bob.token);
    const results = await Promise.all([
      request(s, 'message:send', { chatId, clientId: 'retry-1', body: 'once' }),
      request(t, 'message:send', { chatId, clientId: 'retry-1', body: 'once' }),
      request(s, 'message:send', { chatId, clientId: 'retry-1', body: 'once' }),
      api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'retry-1', body: 'once' }, bob.token).then((r) => ({
        ok: true,
        message: r.body,
      })),
    ]);
    const seqs = new Set(results.map((r) => r.message.seq));
    assert.equal(seqs.size, 1);
    const h = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bob.token)).body;
    assert.equal(h.messages.filter((m: MessageView) => m.body === 'once').length, 1);
    // Someone else reusing that id in the chat is a conflict, not a silent overwrite.
    const clash = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'retry-1', body: 'mine' }, carol.token);
    assert.equal(clash.status, 409);
  });

  it('a send is fanned out to every member connection: all devices, all tabs, on every node', async () => {
    const chatId = await newChat();
    const bobTab1 = await open(server.url, bob.token);
    const bobTab2 = await open(second.url, bob.token);
    const carolPhone = await open(second.url, carol.token);
    const aliceSock = await open(server.url, alice.token);
    for (const s of [bobTab1, bobTab2, carolPhone, aliceSock])
      assert.equal((await request(s, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    const receipts = [bobTab1, bobTab2, carolPhone, aliceSock].map((s) =>
      nextEvent<MessageView>(s, 'message', (m) => m.body === 'to everyone'),
    );
    const ack = await request(aliceSock, 'message:send', { chatId, clientId: 'fan-1', body: 'to everyone' });
    assert.equal(ack.ok, true);
    const got = await Promise.all(receipts);
    assert.ok(got.every((m) => m.seq === ack.message.seq && m.authorAddress === 'alice@example.com'));
  });

  it('joining with the last seen seq returns exactly what was missed, in order', async () => {
    const chatId = await newChat();
    const bobSock = await open(server.url, bob.token);
    const joined = await request(bobSock, 'chat:join', { chatId, lastSeq: 0 });
    const seen = joined.chat.lastSeq;
    bobSock.close();
    for (let i = 1; i <= 5; i++) {
      await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `miss-${i}`, body: `missed ${i}` }, alice.token);
    }
    const back = await open(second.url, bob.token);
    const rejoin = await request(back, 'chat:join', { chatId, lastSeq: seen });
    assert.deepEqual(
      rejoin.missed.map((m: MessageView) => m.body),
      ['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5'],
    );
    assert.deepEqual(
      rejoin.missed.map((m: MessageView) => m.seq),
      [seen + 1, seen + 2, seen + 3, seen + 4, seen + 5],
    );
    assert.equal(rejoin.hasMore, false);
  });

  it('history pages newest first by seq (keyset)', async () => {
    const chatId = await newChat();
    for (let i = 1; i <= 7; i++)
      await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `h${i}`, body: `h${i}` }, alice.token);
    const p1 = (await api(server, 'GET', `/api/chats/${chatId}/messages?limit=3`, undefined, bob.token)).body;
    assert.deepEqual(
      p1.messages.map((m: MessageView) => m.body),
      ['h7', 'h6', 'h5'],
    );
    assert.equal(p1.hasMore, true);
    const p2 = (await api(server, 'GET', `/api/chats/${chatId}/messages?limit=3&before=${p1.messages[2].seq}`, undefined, bob.token)).body;
    assert.deepEqual(
      p2.messages.map((m: MessageView) => m.body),
      ['h4', 'h3', 'h2'],
    );
  });

  it('a member deletes their own message: a tombstone for everyone, and a DELETION event that resync carries', async () => {
    const chatId = await newChat();
    const sent = (await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'oops', body: 'wrong chat, sorry' }, bob.token))
      .body;
    const carolSock = await open(second.url, carol.token);
    await request(carolSock, 'chat:join', { chatId, lastSeq: sent.seq });
    assert.equal(
      (await api(server, 'DELETE', `/api/chats/${chatId}/messages/${sent.seq}`, undefined, alice.token)).status,
      403,
      'not your message',
    );
    const event = nextEvent<MessageView>(carolSock, 'message', (m) => m.kind === 'DELETION');
    const bobSock = await open(server.url, bob.token);
    const del = await request(bobSock, 'message:delete', { chatId, seq: sent.seq });
    assert.equal(del.ok, true);
    assert.equal((await event).targetSeq, sent.seq);
    const h = (await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, carol.token)).body.messages;
    const tomb = h.find((m: MessageView) => m.seq === sent.seq);
    assert.equal(tomb.deleted, true);
    assert.equal(tomb.body, '');
    assert.ok(h.some((m: MessageView) => m.kind === 'DELETION' && m.targetSeq === sent.seq));
  });

  it('typing and read notices reach the other members, not the sender', async () => {
    const chatId = await newChat();
    const a = await open(server.url, alice.token);
    const b = await open(second.url, bob.token);
    // Members are named by their handle in this chat (me.identityId), not by identity id.
    const aliceIn = (await request(a, 'chat:join', { chatId, lastSeq: 0 })).chat.me.identityId;
    const bobIn = (await request(b, 'chat:join', { chatId, lastSeq: 0 })).chat.me.identityId;
    assert.notEqual(aliceIn, alice.identity.id);
    const typing = nextEvent(b, 'typing');
    let selfTyping = false;
    a.on('typing', () => (selfTyping = true));
    a.emit('typing', { chatId, typing: true });
    assert.deepEqual(await typing, { chatId, identityId: aliceIn, typing: true });
    const sent = await request(a, 'message:send', { chatId, clientId: 'r1', body: 'read me' });
    const read = nextEvent(a, 'read', (r: ReadNotice) => r.identityId === bobIn);
    assert.equal((await request(b, 'read', { chatId, seq: sent.message.seq })).lastReadSeq, sent.message.seq);
    assert.equal((await read).seq, sent.message.seq);
    assert.equal(selfTyping, false);
  });

  it('EPHEMERAL chats resync the same way, from memory', async () => {
    const chatId = await newChat('EPHEMERAL');
    const a = await open(server.url, alice.token);
    await request(a, 'chat:join', { chatId, lastSeq: 0 });
    const one = await request(a, 'message:send', { chatId, clientId: 'e1', body: 'first' });
    await request(a, 'message:send', { chatId, clientId: 'e2', body: 'second' });
    const b = await open(server.url, bob.token);
    const j = await request(b, 'chat:join', { chatId, lastSeq: one.message.seq });
    assert.deepEqual(
      j.missed.map((m: MessageView) => m.body),
      ['second'],
    );
  });
});
