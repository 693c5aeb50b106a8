/**
 * The shared clients' email-bridge parts against the real server (fresh PostgreSQL, real SMTP
 * catcher): invitations and personal links, receipts over REST and as live `delivery` events,
 * the transcript email, availability and linked addresses, with the server's errors as ApiError.
 */
import assert from 'node:assert/strict';
import { ApiClient, ApiError } from '../../ui/src/api-client.ts';
import { SocketTransport } from '../../ui/src/socket-transport.ts';
import type { DeliveryNotice } from '../../protocol/index.ts';
import { lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { rejection } from '../support/assertions.ts';

describe('ApiClient and SocketTransport: email bridge', function () {
  this.timeout(60_000);
  let server: TestServer;
  const transports: SocketTransport[] = [];
  before(async () => {
    server = await startTestServer({
      EMAIL_BATCH_WINDOW_MS: '200',
      EMAIL_OFFLINE_DELAY_MS: '1000',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
  });
  after(async () => {
    for (const t of transports) t.close();
    await server?.close();
  });

  it('invites, redeems the link once, relays delivery receipts live, emails the transcript', async () => {
    const owner = await signIn(server, 'olga@example.com');
    const client = new ApiClient({ baseUrl: server.url, getToken: () => owner.token });
    const chat = await client.createChat({ subject: 'Bridge', audience: { to: [] }, source: 'STANDALONE' });
    const before = lastMailId(server);
    const invited = await client.invite(chat.id, 'pia@example.com');
    assert.ok(invited.audience.some((a) => a.address === 'pia@example.com'));
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('pia@example.com'));
    const token = /#link=([0-9a-f]{40})/.exec(mail.text)![1]!;

    const anonymous = new ApiClient({ baseUrl: server.url, getToken: () => null });
    const redeemed = await anonymous.redeemLink(token, 'test');
    assert.equal(redeemed.session.chatId, chat.id);
    assert.equal(redeemed.chat.id, chat.id);
    const again = await rejection(anonymous.redeemLink(token), ApiError);
    assert.equal(again.code, 'LINK_EXPIRED');
    assert.equal(again.status, 410);
    // A one-chat session opens its chat but cannot change account settings.
    const scoped = new ApiClient({ baseUrl: server.url, getToken: () => redeemed.session.token });
    assert.equal((await scoped.chat(chat.id)).id, chat.id);
    assert.equal((await rejection(scoped.setAvailability({ dnd: true }), ApiError)).code, 'FORBIDDEN');

    // The owner watches the room; pia is not connected, so her copy is emailed.
    const t = new SocketTransport({ url: server.url, getToken: () => owner.token });
    transports.push(t);
    await t.join(chat.id, 0);
    const emailed = new Promise<DeliveryNotice>((resolve) => {
      const off = t.on('delivery', (notices) => {
        const d = notices.find((n) => n.emailedSeq > 0);
        if (d) {
          off();
          resolve(d);
        }
      });
    });
    const sent = await t.send(chat.id, 'b-1', 'Are you there?');
    const notice = await emailed;
    assert.equal(notice.identityId, redeemed.chat.me.identityId, 'named by her handle in this chat');
    assert.ok(notice.emailedSeq >= sent.seq);
    const delivery = await client.delivery(chat.id);
    const pia = delivery.members.find((m) => m.address === 'pia@example.com');
    assert.ok(pia && pia.emailedSeq >= sent.seq);

    assert.deepEqual(await client.sendTranscript(chat.id), { recipients: 1 });
    const off = await client.updateMySettings(chat.id, { emailNotify: false });
    assert.equal(off.me.emailNotify, false);
  });

  it('availability and linked addresses; an address of another identity is refused clearly', async () => {
    const me = await signIn(server, 'quinn@example.com');
    await signIn(server, 'rosa@example.com');
    const client = new ApiClient({ baseUrl: server.url, getToken: () => me.token });
    assert.equal((await client.availability()).dnd, false);
    const on = await client.setAvailability({ dnd: true, mode: 'RESEND', resendMinutes: 15 });
    assert.deepEqual([on.dnd, on.mode, on.resendMinutes], [true, 'RESEND', 15]);

    const before = lastMailId(server);
    const started = await client.startAddressLink('quinn@work.example');
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('quinn@work.example'));
    const code = /\b(\d{6})\b/.exec(mail.subject)![1]!;
    const identity = await client.verifyAddressLink(started.linkId, code);
    assert.deepEqual([...identity.addresses].sort(), ['quinn@example.com', 'quinn@work.example']);
    // Whether an address is someone else's is told only to whoever proves that mailbox with its code.
    const beforeRosa = lastMailId(server);
    const rosaLink = await client.startAddressLink('rosa@example.com');
    const rosaMail = await server.catcher!.waitFor((m) => m.id > beforeRosa && m.to.includes('rosa@example.com'));
    const rosaCode = /\b(\d{6})\b/.exec(rosaMail.subject)![1]!;
    const taken = await rejection(client.verifyAddressLink(rosaLink.linkId, rosaCode), ApiError);
    assert.equal(taken.code, 'CONFLICT');
    assert.equal(taken.details.reason, 'ADDRESS_TAKEN');
  });
});
