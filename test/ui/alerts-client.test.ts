/**
 * Alert settings through the shared ApiClient against the real server (fresh PostgreSQL): kept
 * per identity (so a second sign-in, another "browser", sees them), do-not-disturb folded in,
 * per-chat mute and sound only for members, and nothing of other chats for a one-chat session.
 */
import assert from 'node:assert/strict';
import { ApiClient, ApiError } from '../../ui/src/api-client.ts';
import { lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { rejection } from '../support/assertions.ts';

describe('ApiClient: alert settings', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ EMAIL_BATCH_WINDOW_MS: '200', EMAIL_OFFLINE_DELAY_MS: '0', JOBS_POLL_MS: '50' });
  });
  after(async () => {
    await server?.close();
  });

  const client = (token: string) => new ApiClient({ baseUrl: server.url, getToken: () => token });

  it('defaults, saves per identity for every device, and reports do-not-disturb', async () => {
    const laptop = client((await signIn(server, 'alma@example.com')).token);
    assert.deepEqual(await laptop.alerts(), { desktop: true, sound: true, vibrate: true, speak: false, dnd: false, chats: [] });

    const saved = await laptop.setAlerts({ sound: false, speak: true });
    assert.deepEqual([saved.desktop, saved.sound, saved.vibrate, saved.speak], [true, false, true, true]);
    // A field left out keeps its value.
    const again = await laptop.setAlerts({ vibrate: false });
    assert.deepEqual([again.sound, again.vibrate, again.speak], [false, false, true]);

    // Another sign-in of the same person (another browser) gets the same settings from the server.
    const phone = client((await signIn(server, 'alma@example.com')).token);
    const there = await phone.alerts();
    assert.deepEqual([there.desktop, there.sound, there.vibrate, there.speak], [true, false, false, true]);

    await phone.setAvailability({ dnd: true });
    assert.equal((await laptop.alerts()).dnd, true);
    await phone.setAvailability({ dnd: false });
    assert.equal((await laptop.alerts()).dnd, false);

    // Someone else's settings are their own.
    const other = client((await signIn(server, 'bert@example.com')).token);
    assert.equal((await other.alerts()).sound, true);

    // The boundary refuses what is not a boolean (the typed client cannot even send it).
    const bad = await fetch(`${server.url}/api/me/alerts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${(await signIn(server, 'alma@example.com')).token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sound: 'loud' }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'BAD_INPUT');
  });

  it('mutes a chat or its sound for a member only, and a one-chat session sees only its chat', async () => {
    const owner = client((await signIn(server, 'cleo@example.com')).token);
    const a = await owner.createChat({ subject: 'A', audience: { to: [] }, source: 'STANDALONE' });
    const b = await owner.createChat({ subject: 'B', audience: { to: [] }, source: 'STANDALONE' });
    assert.deepEqual(await owner.setChatAlerts(a.id, { muted: true }), { chatId: a.id, muted: true, sound: true });
    assert.deepEqual(await owner.setChatAlerts(b.id, { sound: false }), { chatId: b.id, muted: false, sound: false });
    const listed = (await owner.alerts()).chats;
    assert.deepEqual(
      [...listed].sort((x, y) => x.chatId.localeCompare(y.chatId)),
      [
        { chatId: a.id, muted: true, sound: true },
        { chatId: b.id, muted: false, sound: false },
      ].sort((x, y) => x.chatId.localeCompare(y.chatId)),
    );
    // Back to the default: the chat drops out of the list.
    await owner.setChatAlerts(a.id, { muted: false });
    assert.deepEqual(
      (await owner.alerts()).chats.map((c) => c.chatId),
      [b.id],
    );

    // Not a member: refused, and nothing stored.
    const stranger = client((await signIn(server, 'dora@example.com')).token);
    assert.equal((await rejection(stranger.setChatAlerts(b.id, { muted: true }), ApiError)).code, 'NOT_IN_AUDIENCE');
    assert.deepEqual((await stranger.alerts()).chats, []);

    // An invitation link gives a one-chat session: it may mute that chat, not change account settings,
    // and learns nothing of the person's other chats.
    const before = lastMailId(server);
    await owner.invite(a.id, 'dora@example.com');
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('dora@example.com'));
    const token = /#link=([0-9a-f]{40})/.exec(mail.text)![1]!;
    const redeemed = await client('').redeemLink(token, 'test');
    const scoped = client(redeemed.session.token);
    const other = await stranger.createChat({ subject: 'Mine', audience: { to: [] }, source: 'STANDALONE' });
    await stranger.setChatAlerts(other.id, { muted: true });
    assert.deepEqual((await scoped.setChatAlerts(a.id, { sound: false })).sound, false);
    assert.deepEqual(
      (await scoped.alerts()).chats.map((c) => c.chatId),
      [a.id],
    );
    assert.equal((await rejection(scoped.setAlerts({ sound: false }), ApiError)).code, 'FORBIDDEN');
    assert.equal((await rejection(scoped.setChatAlerts(other.id, { muted: false }), ApiError)).code, 'FORBIDDEN');
    assert.equal((await stranger.alerts()).chats.length, 2);
  });
});
