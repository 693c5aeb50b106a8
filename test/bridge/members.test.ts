import assert from 'node:assert/strict';
import type { AudienceView, DeliveryNotice, MemberView } from '../../protocol/index.ts';
import { api, connectSocket, nextEvent, request, type TestServer } from '../support/server.ts';
import { FakeDns, MailSink, jobsSettled, signInVia, sql, startBridgeServer, waitUntil } from './support.ts';
import { CHAT_HEADER } from '../../mail-client/chat-header.ts';

/** Invitations, personal links, receipts, do-not-disturb, transcript email and linked addresses. */
describe('email bridge: invitations, receipts, availability, transcript, addresses', function () {
  const sink = new MailSink();
  let server: TestServer;
  let owner: { token: string; identity: { id: string } };
  let chatId: string;

  before(async () => {
    await sink.start();
    server = await startBridgeServer({ SMTP_URL: sink.url }, new FakeDns());
    owner = await signInVia(server, sink, 'olga@example.com');
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'Launch', audience: { to: [] } }, owner.token)).body.id;
  });
  after(async () => {
    await server?.close();
    await sink.stop();
  });

  const linkIn = (text: string) => /#link=([0-9a-f]{40})/.exec(text)?.[1];

  it('an invitation adds the address and mails a one-click link that signs in to that chat only, once', async () => {
    const other = (await api(server, 'POST', '/api/chats', { subject: 'Private', audience: { to: [] } }, owner.token)).body.id;
    const before = sink.mail.length;
    const inv = await api(server, 'POST', `/api/chats/${chatId}/invitations`, { address: 'Pia@Example.com' }, owner.token);
    assert.equal(inv.status, 201);
    assert.ok(inv.body.audience.some((a: AudienceView) => a.address === 'pia@example.com'));
    const mail = await waitUntil('invitation email', () => sink.mail.slice(before).find((m) => m.to.includes('pia@example.com')));
    assert.match(mail.subject, /Invitation: Launch/);
    assert.ok(mail.html.includes(`/c/${chatId}`));
    assert.equal(mail.headers.get(CHAT_HEADER.toLowerCase()), chatId, 'named by the header both clients read');
    const token = linkIn(mail.text)!;
    const redeemed = await api(server, 'POST', '/api/links/redeem', { token });
    assert.equal(redeemed.status, 200);
    assert.equal(redeemed.body.session.chatId, chatId);
    assert.equal(redeemed.body.chat.me.address, 'pia@example.com');
    // Scoped to this chat: another chat is out of reach with this session.
    const elsewhere = await api(server, 'GET', `/api/chats/${other}`, undefined, redeemed.body.session.token);
    assert.equal(elsewhere.status, 403);
    const again = await api(server, 'POST', '/api/links/redeem', { token });
    assert.equal(again.status, 410);
    assert.equal(again.body.error.code, 'LINK_EXPIRED');
  });

  it('an expired link is refused', async () => {
    const before = sink.mail.length;
    await api(server, 'POST', `/api/chats/${chatId}/invitations`, { address: 'quinn@example.com' }, owner.token);
    const mail = await waitUntil('invitation email', () => sink.mail.slice(before).find((m) => m.to.includes('quinn@example.com')));
    await sql(server, `UPDATE chat_link SET expires_at = now() - interval '1 minute' WHERE address = 'quinn@example.com'`);
    const r = await api(server, 'POST', '/api/links/redeem', { token: linkIn(mail.text) });
    assert.equal(r.status, 410);
  });

  it('senders see delivered (a device fetched it) and read, live', async () => {
    const rita = await signInVia(server, sink, 'rita@example.com');
    await api(server, 'POST', `/api/chats/${chatId}/audience`, { address: 'rita@example.com' }, owner.token);
    const ritaIn = (await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, rita.token)).body.me.identityId;
    const ownerSocket = await connectSocket(server.url, owner.token);
    const ritaSocket = await connectSocket(server.url, rita.token);
    try {
      await request(ownerSocket, 'chat:join', { chatId, lastSeq: 0 });
      const sent = await request(ownerSocket, 'message:send', { chatId, clientId: 'r1', body: 'Did this arrive?' });
      const seq = sent.message.seq;
      const delivered = nextEvent<DeliveryNotice[]>(ownerSocket, 'delivery', (notices) =>
        notices.some((d) => d.identityId === ritaIn && d.deliveredSeq >= seq),
      );
      await request(ritaSocket, 'chat:join', { chatId, lastSeq: 0 });
      await delivered;
      await request(ritaSocket, 'read', { chatId, seq });
      const view = await waitUntil('read receipt', async () => {
        const d = await api(server, 'GET', `/api/chats/${chatId}/delivery`, undefined, owner.token);
        const r = d.body.members.find((m: MemberView) => m.identityId === ritaIn);
        return r.readSeq >= seq ? r : null;
      });
      assert.ok(view.deliveredSeq >= seq);
    } finally {
      ownerSocket.close();
      ritaSocket.close();
    }
  });

  it('do not disturb (digest): nothing while on, one digest when it ends', async () => {
    const sam = await signInVia(server, sink, 'sam@example.com');
    await api(server, 'POST', `/api/chats/${chatId}/audience`, { address: 'sam@example.com' }, owner.token);
    await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, sam.token);
    const on = await api(server, 'PUT', '/api/me/availability', { dnd: true, mode: 'DIGEST' }, sam.token);
    assert.equal(on.status, 200);
    assert.equal(on.body.dnd, true);
    await waitUntil('settled', () => jobsSettled(server));
    const before = sink.mail.length;
    await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'dnd1', body: 'Quiet hours message' }, owner.token);
    await waitUntil(
      'notification job ran',
      async () =>
        (
          await sql(server, `SELECT 1 FROM job WHERE queue = 'notify.member' AND payload->>'identityId' = $1 AND done_at IS NOT NULL`, [
            sam.identity.id,
          ])
        ).length > 0,
    );
    await waitUntil('settled', () => jobsSettled(server));
    assert.equal(sink.mail.slice(before).filter((m) => m.to.includes('sam@example.com')).length, 0, 'held while do-not-disturb is on');
    await api(server, 'PUT', '/api/me/availability', { dnd: false }, sam.token);
    const digest = await waitUntil('digest', () => sink.mail.slice(before).find((m) => m.to.includes('sam@example.com')));
    assert.match(digest.subject, /digest/);
    assert.ok(digest.text.includes('Quiet hours message'));
  });

  it('"reply by email": a member emails the transcript to the other members, each with a reply address', async () => {
    await waitUntil('settled', () => jobsSettled(server));
    const before = sink.mail.length;
    const r = await api(server, 'POST', `/api/chats/${chatId}/transcript`, {}, owner.token);
    assert.equal(r.status, 202);
    assert.ok(r.body.recipients >= 2);
    const mails = await waitUntil('transcripts', () => {
      const got = sink.mail.slice(before).filter((m) => /transcript/.test(m.text));
      return got.length === r.body.recipients ? got : null;
    });
    for (const m of mails) {
      assert.ok(m.text.includes('Did this arrive?'));
      assert.match(m.replyTo, /^reply\+[0-9a-f]{40}@/);
      assert.ok(!m.to.includes('olga@example.com'));
      assert.equal(m.headers.get(CHAT_HEADER.toLowerCase()), chatId);
    }
  });

  it('an ephemeral chat is never emailed (members, audience) nor transcribed; an archived one beside it is', async () => {
    const tom = await signInVia(server, sink, 'tom@example.com');
    await waitUntil('settled', () => jobsSettled(server));
    const before = sink.mail.length;
    const create = (subject: string, retention: 'ARCHIVED' | 'EPHEMERAL') =>
      api(server, 'POST', '/api/chats', { subject, retention, audience: { to: ['tom@example.com', 'uma@example.com'] } }, owner.token);
    const fleeting = (await create('Fleeting', 'EPHEMERAL')).body.id;
    const kept = (await create('Kept', 'ARCHIVED')).body.id;
    for (const id of [fleeting, kept]) await api(server, 'POST', `/api/chats/${id}/open`, undefined, tom.token);
    // tom has no client open: he is away, so each chat's unread words are due by email.
    await api(server, 'POST', `/api/chats/${fleeting}/messages`, { clientId: 'f1', body: 'off the record' }, owner.token);
    await api(server, 'POST', `/api/chats/${kept}/messages`, { clientId: 'k1', body: 'for the record' }, owner.token);
    await waitUntil('the archived chat is emailed to tom and to the audience', () => {
      const got = sink.mail.slice(before).filter((m) => m.text.includes('for the record'));
      return got.some((m) => m.to.includes('tom@example.com')) && got.some((m) => m.to.includes('uma@example.com'));
    });
    await waitUntil('settled', () => jobsSettled(server));
    const leaked = sink.mail.slice(before).filter((m) => m.subject.includes('Fleeting') || m.text.includes('off the record'));
    assert.deepEqual(leaked, [], 'nothing of the ephemeral chat went out by email');
    const transcript = await api(server, 'POST', `/api/chats/${fleeting}/transcript`, {}, owner.token);
    assert.equal(transcript.status, 403);
    assert.equal(transcript.body.error.code, 'FORBIDDEN');
  });

  it('links a second verified address to the identity; chats reach it under either', async () => {
    const before = sink.mail.length;
    const start = await api(server, 'POST', '/api/me/addresses', { address: 'olga@home.example.org' }, owner.token);
    assert.equal(start.status, 202);
    const mail = await waitUntil('code', () => sink.mail.slice(before).find((m) => m.to.includes('olga@home.example.org')));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1];
    const wrong = await api(
      server,
      'POST',
      '/api/me/addresses/verify',
      { linkId: start.body.linkId, code: code === '000000' ? '111111' : '000000' },
      owner.token,
    );
    assert.equal(wrong.body.error.code, 'CODE_WRONG');
    const ok = await api(server, 'POST', '/api/me/addresses/verify', { linkId: start.body.linkId, code }, owner.token);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.addresses, ['olga@example.com', 'olga@home.example.org']);
    // Someone writes to her personal address: she opens it signed in with her work address.
    const tom = await signInVia(server, sink, 'tom@example.com');
    const personal = await api(server, 'POST', '/api/chats', { subject: 'Dinner', audience: { to: ['olga@home.example.org'] } }, tom.token);
    const opened = await api(server, 'POST', `/api/chats/${personal.body.id}/open`, undefined, owner.token);
    assert.equal(opened.status, 200);
    assert.equal(opened.body.me.address, 'olga@home.example.org');
  });

  it('refuses to link an address that already belongs to another identity, telling only whoever proves that mailbox', async () => {
    const before = sink.mail.length;
    const r = await api(server, 'POST', '/api/me/addresses', { address: 'tom@example.com' }, owner.token);
    // The same answer as for a free address: the start does not reveal who has signed in.
    assert.equal(r.status, 202);
    const mail = await waitUntil('code', () => sink.mail.slice(before).find((m) => m.to.includes('tom@example.com')));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1];
    const verify = await api(server, 'POST', '/api/me/addresses/verify', { linkId: r.body.linkId, code }, owner.token);
    assert.equal(verify.status, 409);
    assert.match(verify.body.error.message, /separate identity/);
  });
});
