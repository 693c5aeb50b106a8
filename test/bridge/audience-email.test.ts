/**
 * Issue 12: audience members who have not opened a chat get the batched notification email
 * like any offline member, with a one-click link, never twice, never after removal, never the
 * same message as their invitation, and not while they are connected. Real server, real SMTP,
 * the realistic (non-zero) batch window and offline delay of support.ts.
 */
import assert from 'node:assert/strict';
import { api, type TestServer } from '../support/server.ts';
import { FakeDns, MailSink, jobsSettled, signInVia, sql, startBridgeServer, visibleSocket, waitUntil } from './support.ts';
import { CHAT_HEADER } from '../../mail-client/chat-header.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('audience email: members who never opened the chat are emailed too', function () {
  this.timeout(60_000);
  const sink = new MailSink();
  let server: TestServer;
  let olga: { token: string; identity: { id: string } };

  before(async () => {
    await sink.start();
    server = await startBridgeServer({ SMTP_URL: sink.url }, new FakeDns());
    olga = await signInVia(server, sink, 'olga@example.com');
  });
  after(async () => {
    await server?.close();
    await sink.stop();
  });

  const mailTo = (address: string, subject: string) => sink.mail.filter((m) => m.to.includes(address) && m.subject.includes(subject));
  /** The part of a notification listing what is new (after the "Earlier:" history, if any). */
  const freshPart = (text: string) => (text.includes('\nNew:') ? text.split('\nNew:')[1]! : text);
  const linkIn = (text: string) => /#link=([0-9a-f]{40})/.exec(text)?.[1];
  const create = async (subject: string, audience: Record<string, string[]>, extra: Record<string, unknown> = {}) => {
    const r = await api(
      server,
      'POST',
      '/api/chats',
      { subject, audience: { from: ['olga@example.com'], ...audience }, ...extra },
      olga.token,
    );
    assert.equal(r.status, 201);
    return r.body.id as string;
  };
  const say = async (chatId: string, clientId: string, body: string) =>
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId, body }, olga.token)).status, 201);
  const settled = () => waitUntil('jobs settled', () => jobsSettled(server), 15_000);

  it('a To address nobody signed in with and a Bcc recipient get one batched email each, with a one-click link; joining does not re-send it', async () => {
    const bea = await signInVia(server, sink, 'bea.hidden@example.com');
    const chatId = await create('Offsite plan', { to: ['nina@example.org'], bcc: ['bea.hidden@example.com'] });
    await say(chatId, 'm1', 'Friday at ten?');
    await say(chatId, 'm2', 'Bring the numbers');
    const nina = await waitUntil('email to nina', () => mailTo('nina@example.org', 'Offsite plan')[0]);
    assert.ok(nina.text.includes('Friday at ten?') && nina.text.includes('Bring the numbers'), 'both messages in one email');
    assert.ok(!nina.text.includes('bea.hidden') && !nina.html.includes('bea.hidden'), 'the Bcc recipient is not named to others');
    assert.equal(nina.replyTo.includes('reply+'), false, 'no reply address before joining');
    assert.equal(nina.headers.get(CHAT_HEADER.toLowerCase()), chatId, 'named by the header both clients read');
    await waitUntil('email to the Bcc recipient', () => mailTo('bea.hidden@example.com', 'Offsite plan')[0]);
    await settled();
    await sleep(500);
    assert.equal(mailTo('nina@example.org', 'Offsite plan').length, 1, 'one email, not one per message');
    assert.equal(mailTo('bea.hidden@example.com', 'Offsite plan').length, 1);

    // The link signs nina in to this chat, joined.
    const redeemed = await api(server, 'POST', '/api/links/redeem', { token: linkIn(nina.text) });
    assert.equal(redeemed.status, 200);
    assert.equal(redeemed.body.chat.id, chatId);

    // Bea joins without reading; the next email carries only what is new, not the two again.
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bea.token)).status, 200);
    await say(chatId, 'm3', 'Room 4B');
    const next = await waitUntil('second email to bea', () => mailTo('bea.hidden@example.com', 'Offsite plan')[1]);
    assert.ok(next.text.includes('Room 4B'));
    assert.ok(!freshPart(next.text).includes('Friday at ten?'), 'what was emailed before joining is not new again');
    assert.match(next.replyTo, /^reply\+/, 'as a member, she can reply by email');
  });

  it('someone connected (a visible client) is not emailed; someone removed before the window closes gets nothing', async () => {
    const cara = await signInVia(server, sink, 'cara@example.com');
    const socket = await visibleSocket(server, cara.token);
    try {
      const chatId = await create('Present and removed', { to: ['cara@example.com'], cc: ['rafael@example.com'] });
      await say(chatId, 'p1', 'Quick question');
      assert.equal(
        (
          await api(
            server,
            'PUT',
            `/api/chats/${chatId}/audience`,
            { audience: { from: ['olga@example.com'], to: ['cara@example.com'] } },
            olga.token,
          )
        ).status,
        200,
      );
      // Past the batch window and the offline delay (300 ms + 1.5 s) with margin.
      await sleep(3_000);
      assert.deepEqual(mailTo('cara@example.com', 'Present and removed'), [], 'present: deferred, not sent');
      assert.deepEqual(mailTo('rafael@example.com', 'Present and removed'), [], 'removed: never sent');
    } finally {
      socket.close();
    }
    // Away from now on: the deferred email goes out once the offline delay has passed.
    const mail = await waitUntil('email once cara is away', () => mailTo('cara@example.com', 'Present and removed')[0]);
    assert.ok(mail.text.includes('Quick question'));
    await settled();
    assert.deepEqual(mailTo('rafael@example.com', 'Present and removed'), []);
  });

  it('an invitation stands for what was said before it: no notification for the same message, one for the next', async () => {
    // Someone Olga has met (a chat accepted together): a stranger would get the invitation only
    // (invitation-acceptance.test.ts).
    const ines = await signInVia(server, sink, 'ines@example.org');
    const met = await create('Met before', { to: ['ines@example.org'] });
    assert.equal((await api(server, 'POST', `/api/chats/${met}/open`, undefined, ines.token)).status, 200);
    const chatId = await create('Invited late', { to: [] });
    await say(chatId, 'i1', 'Before the invitation');
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/invitations`, { address: 'ines@example.org' }, olga.token)).status, 201);
    await waitUntil('invitation', () => sink.mail.find((m) => m.to.includes('ines@example.org') && /Invitation/.test(m.subject)));
    await sleep(2_500);
    await settled();
    assert.deepEqual(mailTo('ines@example.org', 'Re: Invited late'), [], 'the first message rode on the invitation only');
    await say(chatId, 'i2', 'After the invitation');
    const mail = await waitUntil('notification after the invitation', () => mailTo('ines@example.org', 'Re: Invited late')[0]);
    assert.ok(mail.text.includes('After the invitation'));
    assert.ok(!freshPart(mail.text).includes('Before the invitation'));
  });

  it('do not disturb (digest) holds audience emails too, and the digest carries the never-opened chat', async () => {
    const dan = await signInVia(server, sink, 'dan@example.com');
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true, mode: 'DIGEST' }, dan.token)).status, 200);
    const chatId = await create('Quiet chat', { to: ['dan@example.com'] });
    await say(chatId, 'q1', 'Quiet hours message');
    await waitUntil(
      'audience job ran',
      async () =>
        (
          await sql(server, `SELECT 1 FROM job WHERE queue = 'notify.audience' AND payload->>'chatId' = $1 AND done_at IS NOT NULL`, [
            chatId,
          ])
        ).length > 0,
    );
    await settled();
    assert.deepEqual(mailTo('dan@example.com', 'Quiet chat'), [], 'held while do-not-disturb is on');
    const before = sink.mail.length;
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: false }, dan.token)).status, 200);
    const digest = await waitUntil('digest', () =>
      sink.mail.slice(before).find((m) => m.to.includes('dan@example.com') && /digest/.test(m.subject)),
    );
    assert.ok(digest.text.includes('Quiet hours message'));
    assert.ok(digest.text.includes(`/c/${chatId}#link=`), 'with a one-click link');
    await settled();
    await say(chatId, 'q2', 'After the digest');
    const next = await waitUntil('next email', () =>
      mailTo('dan@example.com', 'Quiet chat').find((m) => m.text.includes('After the digest')),
    );
    assert.ok(!freshPart(next.text).includes('Quiet hours message'), 'what the digest carried is not sent again');
  });

  it('"Reply with IM": the person answered is told by email, without their own quoted email as news', async () => {
    const chatId = await create(
      'Re: Budget',
      { to: ['bob@example.net'] },
      {
        emailMessageId: '<budget@example.net>',
        quote: { from: 'Bob <bob@example.net>', text: 'Can we cut travel?' },
      },
    );
    await say(chatId, 'r1', 'Yes, by a third');
    const mail = await waitUntil('email to bob', () => mailTo('bob@example.net', 'Budget')[0]);
    assert.ok(mail.text.includes('Yes, by a third'));
    assert.match(mail.text, /1 new message from olga@example.com/);
    assert.equal(mail.inReplyTo, '<budget@example.net>', 'threads under the email answered');
    const rows = await sql(server, `SELECT emailed_seq FROM audience_entry WHERE chat_id = $1 AND address = 'bob@example.net'`, [chatId]);
    assert.equal(rows[0]?.emailed_seq, 2);
  });
});
