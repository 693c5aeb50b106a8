/**
 * Issue 12: a chat whose audience holds one of your addresses is in "my chats" from the moment
 * it exists, before you open it, marked as new; your watching devices are told live; and it
 * leaves your list when you leave the audience. Real server, real sockets, real SMTP.
 */
import assert from 'node:assert/strict';
import type { ChatActivity, ChatSummary } from '../../protocol/index.ts';
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
import { FakeDns, MailSink, jobsSettled, signInVia, startBridgeServer, waitUntil } from './support.ts';

describe('audience chats: listed before they are opened, and announced live', function () {
  this.timeout(60_000);
  const sink = new MailSink();
  let server: TestServer;
  type Who = { token: string; identity: { id: string } };
  let olga: Who, tom: Who, bea: Who, oscar: Who;
  const sockets: ClientSocket[] = [];

  before(async () => {
    await sink.start();
    server = await startBridgeServer({ SMTP_URL: sink.url }, new FakeDns());
    olga = await signInVia(server, sink, 'olga@example.com');
    tom = await signInVia(server, sink, 'tom@example.com');
    bea = await signInVia(server, sink, 'bea.hidden@example.com');
    oscar = await signInVia(server, sink, 'oscar@example.net');
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await server?.close();
    await sink.stop();
  });

  const list = async (who: Who): Promise<ChatSummary[]> => {
    const r = await api(server, 'GET', '/api/chats', undefined, who.token);
    assert.equal(r.status, 200);
    return r.body.chats;
  };
  const watch = async (token: string): Promise<ClientSocket> => {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    assert.equal((await request(s, 'chats:watch', {})).ok, true);
    return s;
  };
  /** Every chats:activity a socket gets, kept so "never told" can be checked after the fact. */
  const record = (s: ClientSocket): ChatActivity[] => {
    const got: ChatActivity[] = [];
    s.on('chats:activity', (a) => got.push(a));
    return got;
  };

  it('a new chat is in the To and Bcc recipients’ lists before they open it, marked new, and the Bcc entry shows to nobody else', async () => {
    const tomSocket = await watch(tom.token);
    const beaSocket = await watch(bea.token);
    const oscarHeard = record(await watch(oscar.token));
    const tomTold = nextEvent<ChatActivity>(tomSocket, 'chats:activity');
    const beaTold = nextEvent<ChatActivity>(beaSocket, 'chats:activity');
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Quarterly numbers', audience: { from: ['olga@example.com'], to: ['Tom@Example.com'], bcc: ['bea.hidden@example.com'] } },
      olga.token,
    );
    assert.equal(created.status, 201);
    const chatId: string = created.body.id;
    assert.equal((await tomTold).chatId, chatId);
    assert.equal((await beaTold).chatId, chatId);

    const tomChat = (await list(tom)).find((c) => c.id === chatId);
    assert.ok(tomChat, 'the To recipient lists the chat');
    assert.equal(tomChat.isNew, true);
    assert.equal(tomChat.subject, 'Quarterly numbers');
    assert.deepEqual(tomChat.memberAddresses, ['olga@example.com']);
    const beaChat = (await list(bea)).find((c) => c.id === chatId);
    assert.ok(beaChat, 'the Bcc recipient lists the chat in their own list');
    assert.equal(beaChat.isNew, true);
    assert.equal((await list(olga)).find((c) => c.id === chatId)?.isNew, false, 'the owner is a member');
    assert.equal(
      (await list(oscar)).some((c) => c.id === chatId),
      false,
      'an outsider does not list it',
    );
    assert.deepEqual(oscarHeard, [], 'an outsider is told nothing');

    // Opening joins: no longer new. The Bcc member still reaches nobody else's list.
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, tom.token)).status, 200);
    assert.equal((await list(tom)).find((c) => c.id === chatId)?.isNew, false);
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bea.token)).status, 200);
    const tomAfter = (await list(tom)).find((c) => c.id === chatId)!;
    assert.ok(!JSON.stringify(tomAfter).includes('bea.hidden'), 'the To member’s list does not reveal the Bcc member');
    assert.ok(!JSON.stringify(tomAfter).includes(bea.identity.id));
    assert.deepEqual((await list(olga)).find((c) => c.id === chatId)?.memberAddresses.sort(), [
      'bea.hidden@example.com',
      'olga@example.com',
      'tom@example.com',
    ]);
  });

  it('an address added to a chat brings it into that person’s list, live, and removal takes it out', async () => {
    const chatId: string = (
      await api(server, 'POST', '/api/chats', { subject: 'Launch', audience: { from: ['olga@example.com'], to: [] } }, olga.token)
    ).body.id;
    // A member adding an address (POST) ...
    const tomSocket = await watch(tom.token);
    const tomTold = nextEvent<ChatActivity>(tomSocket, 'chats:activity', (a) => a.chatId === chatId);
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/audience`, { address: 'tom@example.com' }, olga.token)).status, 200);
    assert.ok((await tomTold).lastSeq >= 1, 'the position includes the "was added" message');
    assert.equal((await list(tom)).find((c) => c.id === chatId)?.isNew, true);

    // ... and the owner's recipients changing (PUT) both announce the chat.
    const oscarSocket = await watch(oscar.token);
    const told = nextEvent<ChatActivity>(oscarSocket, 'chats:activity', (a) => a.chatId === chatId);
    const audience = { from: ['olga@example.com'], to: ['oscar@example.net'] };
    assert.equal((await api(server, 'PUT', `/api/chats/${chatId}/audience`, { audience }, olga.token)).status, 200);
    await told;
    assert.equal((await list(oscar)).find((c) => c.id === chatId)?.isNew, true);

    // His list follows the chat's activity from now on, as for a chat he joined.
    const next = nextEvent<ChatActivity>(oscarSocket, 'chats:activity', (a) => a.chatId === chatId);
    const olgaSocket = await connectSocket(server.url, olga.token);
    sockets.push(olgaSocket);
    assert.equal((await request(olgaSocket, 'chat:join', { chatId, lastSeq: 0 })).ok, true);
    const sent = await request(olgaSocket, 'message:send', { chatId, clientId: 'hello-1', body: 'Hello Oscar' });
    assert.equal(sent.ok, true);
    assert.equal((await next).lastSeq, sent.message.seq);
    assert.equal((await list(oscar)).find((c) => c.id === chatId)?.unread, 1);

    // The owner drops him from the recipients (he never opened it): gone from his list, and told.
    const updated = nextEvent<{ chatId: string }>(oscarSocket, 'chat:updated', (u) => u.chatId === chatId);
    const put = await api(server, 'PUT', `/api/chats/${chatId}/audience`, { audience: { from: ['olga@example.com'], to: [] } }, olga.token);
    assert.equal(put.status, 200);
    await updated;
    assert.equal(
      (await list(oscar)).some((c) => c.id === chatId),
      false,
    );
  });

  it('an address added to an ephemeral chat is announced at the position of its messages, which the database never holds', async () => {
    const chatId: string = (
      await api(server, 'POST', '/api/chats', { subject: 'Fleeting', retention: 'EPHEMERAL', audience: { to: [] } }, olga.token)
    ).body.id;
    const first = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'e-1', body: 'before bea' }, olga.token);
    assert.equal(first.status, 201);
    const beaSocket = await watch(bea.token);
    const told = nextEvent<ChatActivity>(beaSocket, 'chats:activity', (a) => a.chatId === chatId);
    assert.equal(
      (await api(server, 'POST', `/api/chats/${chatId}/audience`, { address: 'bea.hidden@example.com' }, olga.token)).status,
      200,
    );
    assert.equal((await told).lastSeq, first.body.seq + 1, 'her message and the "was added" notice');
    const listed = (await list(bea)).find((c) => c.id === chatId);
    assert.equal(listed?.lastSeq, first.body.seq + 1);
    assert.equal(listed?.lastMessage?.body, 'before bea');
  });

  it('a chat sent to my second (linked) address is listed, new, once, and only one email goes out for both addresses', async () => {
    const before = sink.mail.length;
    const start = await api(server, 'POST', '/api/me/addresses', { address: 'tom@home.example.org' }, tom.token);
    assert.equal(start.status, 202);
    const mail = await waitUntil('code', () => sink.mail.slice(before).find((m) => m.to.includes('tom@home.example.org')));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1];
    assert.equal((await api(server, 'POST', '/api/me/addresses/verify', { linkId: start.body.linkId, code }, tom.token)).status, 200);
    const chatId: string = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 'Dinner', audience: { from: ['olga@example.com'], to: ['tom@home.example.org'], cc: ['tom@example.com'] } },
        olga.token,
      )
    ).body.id;
    const mine = (await list(tom)).filter((c) => c.id === chatId);
    assert.equal(mine.length, 1, 'one row for a chat reaching two of my addresses');
    assert.equal(mine[0]!.isNew, true);
    // Offline, he gets one notification, not one per address.
    for (const s of sockets) s.disconnect();
    assert.equal(
      (await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'd1', body: 'Eight o’clock?' }, olga.token)).status,
      201,
    );
    await waitUntil('notification', () => sink.mail.find((m) => m.subject.includes('Dinner') && m.text.includes('Eight')));
    await waitUntil('jobs settled', () => jobsSettled(server));
    const notices = sink.mail.filter((m) => m.subject.includes('Dinner') && m.text.includes('Eight'));
    assert.equal(notices.length, 1, notices.map((m) => m.to.join()).join('; '));
  });

  it('a one-chat (link) session lists and hears only its own chat', async () => {
    const base = (
      await api(server, 'POST', '/api/chats', { subject: 'Linked', audience: { from: ['olga@example.com'], to: [] } }, olga.token)
    ).body.id as string;
    const before = sink.mail.length;
    assert.equal((await api(server, 'POST', `/api/chats/${base}/invitations`, { address: 'pia@example.com' }, olga.token)).status, 201);
    const mail = await waitUntil('invitation email', () => sink.mail.slice(before).find((m) => m.to.includes('pia@example.com')));
    const token = /#link=([0-9a-f]{40})/.exec(mail.text)![1]!;
    const redeemed = await api(server, 'POST', '/api/links/redeem', { token });
    assert.equal(redeemed.status, 200);
    const linkSession: string = redeemed.body.session.token;
    const heard = record(await watch(linkSession));

    const other = (
      await api(
        server,
        'POST',
        '/api/chats',
        { subject: 'Elsewhere', audience: { from: ['olga@example.com'], to: ['pia@example.com'] } },
        olga.token,
      )
    ).body.id as string;
    const chats = (await api(server, 'GET', '/api/chats', undefined, linkSession)).body.chats as ChatSummary[];
    assert.deepEqual(
      chats.map((c) => c.id),
      [base],
    );
    // A full session of the same person lists both.
    const pia = await signInVia(server, sink, 'pia@example.com');
    const full = await list(pia);
    assert.ok(full.some((c) => c.id === other && c.isNew));
    assert.ok(!heard.some((a) => a.chatId === other), 'the link session was not told of the other chat');
  });
});

describe('audience chats across two server processes (rooms shared through Redis)', function () {
  this.timeout(60_000);
  let nodes: TwoNodes | undefined;
  let one: TestServer, two: TestServer;
  const sockets: ClientSocket[] = [];

  before(async () => {
    nodes = await startTwoNodes();
    ({ one, two } = nodes);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await nodes?.close();
  });

  it('a chat created on one node is announced to the recipient watching on the other, and its messages follow', async () => {
    const [owner, tina] = await signInAll(one, ['own@example.com', 'tina@example.com']);
    const watcher = await connectSocket(two.url, tina!.token);
    sockets.push(watcher);
    assert.equal((await request(watcher, 'chats:watch', {})).ok, true);
    const told = nextEvent<ChatActivity>(watcher, 'chats:activity');
    const chat = (await api(one, 'POST', '/api/chats', { subject: 'Nodes', audience: { bcc: ['tina@example.com'] } }, owner!.token)).body;
    assert.equal((await told).chatId, chat.id);
    const next = nextEvent<ChatActivity>(watcher, 'chats:activity', (a) => a.chatId === chat.id && a.lastSeq > 0);
    assert.equal(
      (await api(one, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'n1', body: 'Across nodes' }, owner!.token)).status,
      201,
    );
    await next;
    const listed = (await api(two, 'GET', '/api/chats', undefined, tina!.token)).body.chats as ChatSummary[];
    assert.equal(listed.find((c) => c.id === chat.id)?.isNew, true);
  });
});
