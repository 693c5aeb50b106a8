/**
 * Issue 12, no blind initiation: an address invited by someone it never met (not a contact, no
 * chat accepted together) gets the invitation and nothing more until it accepts: no notification
 * email, no digest, no presence of the inviter. Accepting (the invitation's link) makes them
 * contacts and the chat is emailed from then on. Someone the inviter has met is emailed as
 * before, which is what shows the silence is this rule and not a slow queue. Real server, real
 * SMTP out (MailSink), the realistic batch window and offline delay of support.ts.
 */
import assert from 'node:assert/strict';
import type { ChatPresenceView, ContactsView, PresenceNotice, SessionView } from '../../protocol/index.ts';
import { api, connectSocket, type ClientSocket, type TestServer } from '../support/server.ts';
import { FakeDns, MailSink, jobsSettled, signInVia, sql, startBridgeServer, visibleSocket, waitUntil } from './support.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('invitations: an address the inviter never met gets the invitation only, until it accepts', function () {
  this.timeout(90_000);
  const sink = new MailSink();
  let server: TestServer;
  let olga: SessionView;
  const sockets: ClientSocket[] = [];

  before(async () => {
    await sink.start();
    server = await startBridgeServer({ SMTP_URL: sink.url }, new FakeDns());
    olga = await signInVia(server, sink, 'olga@example.com');
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
    await sink.stop();
  });

  const mailsTo = (address: string, chatId: string) =>
    sink.mail.filter((m) => m.to.includes(address) && (m.text.includes(`/c/${chatId}`) || m.headers.get('x-inbox-chat') === chatId));
  const linkIn = (text: string) => /#link=([0-9a-f]{40})/.exec(text)?.[1];
  const settled = () => waitUntil('jobs settled', () => jobsSettled(server), 15_000);
  /** The messenger's "Start a chat": create, then one invitation per address. */
  const start = async (subject: string, address: string) => {
    const r = await api(server, 'POST', '/api/chats', { subject, audience: { to: [address] }, source: 'STANDALONE' }, olga.token);
    assert.equal(r.status, 201);
    const invited = await api(server, 'POST', `/api/chats/${r.body.id}/invitations`, { address }, olga.token);
    assert.equal(invited.status, 201);
    return r.body.id as string;
  };
  const say = async (chatId: string, clientId: string, body: string) =>
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId, body }, olga.token)).status, 201);
  const contactsOf = async (s: SessionView) =>
    (await api<ContactsView>(server, 'GET', '/api/me/contacts', undefined, s.token)).body.contacts.map((c) => c.address);

  it('an address nobody signed in with: the invitation is its one email, however much is said', async () => {
    const chatId = await start('Cold hello', 'stan@example.net');
    const invitation = await waitUntil('invitation', () => mailsTo('stan@example.net', chatId)[0]);
    assert.match(invitation.subject, /Invitation/);
    await say(chatId, 'c1', 'Are you there?');
    await say(chatId, 'c2', 'Anyone?');
    // Past the batch window and the offline delay (300 ms + 1.5 s) with margin.
    await sleep(3_000);
    await settled();
    assert.equal(mailsTo('stan@example.net', chatId).length, 1, 'only the invitation');
    const jobs = await sql(server, `SELECT 1 FROM job WHERE queue = 'notify.audience' AND payload->>'chatId' = $1`, [chatId]);
    assert.deepEqual(jobs, [], 'no notification is even scheduled');
  });

  it('someone signed in but never met: no email, no digest, no presence; accepting makes contacts, then the chat is emailed', async () => {
    const sia = await signInVia(server, sink, 'sia@example.org');
    // Olga is around and allows everyone signed in; Sia listens for presence all along.
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'SIGNED_IN' }, olga.token)).status, 200);
    sockets.push(await visibleSocket(server, olga.token));
    const siaSocket = await connectSocket(server.url, sia.token);
    sockets.push(siaSocket);
    const heard: PresenceNotice[] = [];
    siaSocket.on('presence', (n: PresenceNotice) => heard.push(n));
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true, mode: 'DIGEST' }, sia.token)).status, 200);

    const chatId = await start('Warm hello', 'sia@example.org');
    const invitation = await waitUntil('invitation', () => mailsTo('sia@example.org', chatId)[0]);
    await say(chatId, 'w1', 'Lunch on Friday?');
    await sleep(2_500);
    await settled();
    // Turning do-not-disturb off sends the digest of everything held: this chat is not in it.
    const before = sink.mail.length;
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: false }, sia.token)).status, 200);
    await sleep(1_000);
    await settled();
    assert.ok(
      !sink.mail.slice(before).some((m) => m.to.includes('sia@example.org') && m.text.includes('Lunch on Friday?')),
      'no digest carries the chat',
    );
    assert.deepEqual(mailsTo('sia@example.org', chatId), [invitation], 'still only the invitation');
    assert.equal((await api(server, 'GET', `/api/chats/${chatId}/presence`, undefined, sia.token)).status, 403, 'no presence');
    assert.deepEqual(await contactsOf(sia), []);
    assert.deepEqual(
      heard.filter((n) => n.state !== null),
      [],
      'no presence notice while invited',
    );
    // The chat is listed for her (marked new) so she can accept it.
    const mine = await api(server, 'GET', '/api/chats', undefined, sia.token);
    assert.ok(JSON.stringify(mine.body).includes(chatId));

    // Accepting: the invitation's one-click link joins her.
    const redeemed = await api(server, 'POST', '/api/links/redeem', { token: linkIn(invitation.text) });
    assert.equal(redeemed.status, 200);
    assert.deepEqual(await contactsOf(sia), ['olga@example.com'], 'accepting made them contacts');
    assert.ok((await contactsOf(olga)).includes('sia@example.org'));
    const presence = await api<ChatPresenceView>(server, 'GET', `/api/chats/${chatId}/presence`, undefined, sia.token);
    assert.equal(presence.status, 200);
    assert.ok(
      presence.body.members.some((m) => m.presence.state === 'available'),
      'now she sees Olga',
    );
    siaSocket.close();
    await say(chatId, 'w2', 'See you at noon');
    const next = await waitUntil('notification after accepting', () =>
      mailsTo('sia@example.org', chatId).find((m) => m.text.includes('See you at noon')),
    );
    assert.match(next.replyTo, /^reply\+/, 'a member now: she can reply by email');
  });

  it('someone the inviter has met (accepted a chat together) is emailed what is said after the invitation', async () => {
    const carl = await signInVia(server, sink, 'carl@example.com');
    const first = (await api(server, 'POST', '/api/chats', { subject: 'Met', audience: { to: ['carl@example.com'] } }, olga.token)).body
      .id as string;
    assert.equal((await api(server, 'POST', `/api/chats/${first}/open`, undefined, carl.token)).status, 200);
    const chatId = await start('Met again', 'carl@example.com');
    await say(chatId, 'm1', 'Round two');
    const mail = await waitUntil('notification', () => mailsTo('carl@example.com', chatId).find((m) => m.text.includes('Round two')));
    assert.equal(mail.replyTo.includes('reply+'), false, 'not joined yet: no reply address');
  });
});
