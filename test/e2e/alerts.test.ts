/**
 * Alerts on the web page, in real Chromium against the real server, PostgreSQL and SMTP catcher:
 * a message in a chat bob is not looking at (another chat, or his tab in the background) raises
 * a desktop notification, puts the unread count in the title and on the favicon, plays a tone,
 * vibrates and is announced in a live region; clicking the notification opens that chat; mute,
 * per-chat sound and do-not-disturb hold; the settings follow bob into a second browser.
 *
 * What cannot be observed here is the operating system's side: the notification bubble, the
 * speaker, the vibration motor, the speech engine. An init script wraps the page's own entry
 * points (the Notification constructor, OscillatorNode.start, navigator.vibrate,
 * speechSynthesis.speak) and records each call before passing it on to Chromium's real one.
 * A background tab is emulated as the browser does it: visibilityState 'hidden' and a
 * visibilitychange event (headless Chromium always shows its pages).
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import path from 'node:path';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  SCREENSHOTS,
  signInThroughPage,
  watchForPageProblems,
} from '../support/browser.ts';
import { waitUntil } from '../support/wait.ts';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

interface Recorded {
  notifications: { title: string; body: string; tag: string }[];
  tones: number;
  vibrations: unknown[];
  spoken: { text: string; pitch: number }[];
}

/** Runs in every document of the context before the page's own code. */
const RECORDER = `(() => {
  const rec = { notifications: [], tones: 0, vibrations: [], spoken: [] };
  window.__alerts = rec;
  const RealNotification = window.Notification;
  class RecordedNotification extends RealNotification {
    constructor(title, options) {
      rec.notifications.push({ title, body: options && options.body, tag: options && options.tag });
      super(title, options);
      window.__lastNotification = this;
    }
  }
  Object.defineProperty(RecordedNotification, 'permission', { get: () => RealNotification.permission });
  RecordedNotification.requestPermission = (...a) => RealNotification.requestPermission(...a);
  window.Notification = RecordedNotification;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...a) { rec.tones++; return start.apply(this, a); };
  const vibrate = navigator.vibrate ? navigator.vibrate.bind(navigator) : () => true;
  navigator.vibrate = (p) => { rec.vibrations.push(p); return vibrate(p); };
  const speak = speechSynthesis.speak.bind(speechSynthesis);
  speechSynthesis.speak = (u) => { rec.spoken.push({ text: u.text, pitch: u.pitch }); return speak(u); };
})()`;

const setVisibility = (page: Page, visible: boolean) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => ${visible ? "'visible'" : "'hidden'"} });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${!visible} });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

const recorded = (page: Page): Promise<Recorded> => page.evaluate('window.__alerts') as Promise<Recorded>;

describe('alerts on the web page (Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  let alice: { token: string };
  let bobToken: string;
  let first: { id: string };
  let second: { id: string };
  let page: Page;
  let n = 0;

  const say = async (chatId: string, body: string) => {
    const r = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `m${++n}`, body }, alice.token);
    assert.equal(r.status, 201);
  };
  const newContext = async () => {
    const c = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    await c.grantPermissions(['notifications'], { origin: server.url });
    await c.addInitScript(RECORDER);
    c.setDefaultTimeout(30_000);
    watchForPageProblems(c, pageProblems);
    contexts.push(c);
    return c;
  };
  const signedInPage = async (c: BrowserContext) => {
    const p = await c.newPage();
    await p.goto(`${server.url}/`);
    await signInThroughPage(p, server, BOB);
    await p.getByRole('heading', { name: 'My chats' }).waitFor();
    return p;
  };
  const notificationCount = async (count: number): Promise<Recorded> => {
    return waitUntil(`${count} notifications`, async () => {
      const r = await recorded(page);
      return r.notifications.length >= count ? r : null;
    });
  };
  const titleIs = async (title: string) => {
    let seen = '';
    await waitUntil(
      `the title ${JSON.stringify(title)} (last seen ${JSON.stringify(seen)})`,
      async () => (seen = await page.title()) === title,
    ).catch(() => assert.fail(`the title is ${JSON.stringify(seen)}, not ${JSON.stringify(title)}`));
  };

  before(async () => {
    assertUiBuilt();
    server = await startTestServer({ EMAIL_BATCH_WINDOW_MS: '300', EMAIL_OFFLINE_DELAY_MS: '60000', JOBS_POLL_MS: '50' });
    browser = await launchChromium();
    alice = await signIn(server, ALICE);
    const bob = await signIn(server, BOB);
    bobToken = bob.token;
    first = (await api(server, 'POST', '/api/chats', { subject: 'Budget', audience: { to: [BOB] } }, alice.token)).body;
    second = (await api(server, 'POST', '/api/chats', { subject: 'Offsite', audience: { to: [BOB] } }, alice.token)).body;
    for (const c of [first, second]) assert.equal((await api(server, 'POST', `/api/chats/${c.id}/open`, {}, bob.token)).status, 200);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('a message elsewhere, or to a hidden tab, notifies, counts in the title and favicon, sounds, vibrates and is announced', async () => {
    page = await signedInPage(await newContext());
    await page.goto(`${server.url}/c/${first.id}`);
    await page.locator('.ic-panel[data-status="online"]').waitFor();
    await waitUntil('the title names the chat', async () => /Budget/.test(await page.title()));

    // Looking at "Budget": a message in "Offsite" alerts.
    await say(second.id, 'Shall we book the venue for Friday afternoon before it is gone?');
    const one = await notificationCount(1);
    assert.deepEqual(one.notifications[0], {
      title: `${ALICE} · Offsite`,
      body: 'Shall we book the venue for Friday afternoon before it is gone?',
      tag: second.id,
    });
    assert.equal(one.tones, 1);
    assert.deepEqual(one.vibrations, [[120, 80, 120]]);
    assert.deepEqual(one.spoken, [], 'spoken alerts are off by default');
    await titleIs('(1) Budget · Inbox Chat');
    assert.equal(await page.locator('link[rel="icon"]').getAttribute('data-unread'), '1');
    assert.match(decodeURIComponent((await page.locator('link[rel="icon"]').getAttribute('href')) ?? ''), /<text[^>]*>1<\/text>/);
    const notice = page.locator('.ic-alert-notices[aria-live="polite"] .ic-alert-notice');
    await notice.filter({ hasText: `${ALICE} in Offsite: Shall we book the venue` }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), [], 'the chat page with a notice showing');
    const animation = () => notice.first().evaluate((n) => getComputedStyle(n).animationName);
    assert.equal(await animation(), 'ic-alert-in', 'the notice slides in');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    assert.equal(await animation(), 'none', 'but not for people who asked for less motion');
    await page.emulateMedia({ reducedMotion: null });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-alert.png') });

    // The open chat in a visible tab does not alert: the panel shows it.
    await say(first.id, 'I see this one here');
    await page.locator('.ic-log .ic-body', { hasText: 'I see this one here' }).waitFor();
    await waitUntil('the visible page marks it read', async () => {
      const c = await api(server, 'GET', `/api/chats/${first.id}`, undefined, bobToken);
      return c.body.me.lastReadSeq === c.body.lastSeq;
    });
    // The background tab: the open chat alerts too, and its unread count joins the title.
    await setVisibility(page, false);
    await say(first.id, 'Are you still there?');
    const two = await notificationCount(2);
    assert.equal(two.notifications.length, 2, 'nothing for the message seen in the visible tab');
    assert.equal(two.notifications[1]!.tag, first.id);
    assert.equal(two.tones, 2);
    await titleIs('(2) Budget · Inbox Chat');
    assert.equal(await page.locator('link[rel="icon"]').getAttribute('data-unread'), '2');

    // Back to the tab: the open chat is read, only Offsite stays unread.
    await setVisibility(page, true);
    await titleIs('(1) Budget · Inbox Chat');
  });

  it('settings are kept per identity: a second browser shows and follows them', async () => {
    const settings = await page.context().newPage();
    await settings.goto(`${server.url}/#settings`);
    const card = settings.locator('#alerts');
    await card.getByLabel("Read the sender's name and first words aloud").check();
    await card.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const offsite = card.locator(`li[data-chat-id="${second.id}"]`);
    await offsite.getByLabel('Mute').check();
    await card.getByRole('status').filter({ hasText: 'Offsite: muted.' }).waitFor();
    const budget = card.locator(`li[data-chat-id="${first.id}"]`);
    await budget.getByLabel('Sound').uncheck();
    await card.getByRole('status').filter({ hasText: 'Budget: sound off.' }).waitFor();
    assert.equal(await card.locator('[data-permission]').getAttribute('data-permission'), 'granted');
    assert.deepEqual(await accessibilityProblems(settings), [], 'the settings with the alerts card');
    await card.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-alerts-settings.png') });
    await settings.close();

    // Another browser (a fresh context: no shared storage), the same person.
    const elsewhere = await signedInPage(await newContext());
    await elsewhere.goto(`${server.url}/#settings`);
    const there = elsewhere.locator('#alerts');
    await waitUntil('the settings load', async () => !(await there.getByLabel('Sound', { exact: true }).first().isDisabled()));
    assert.equal(await there.getByLabel("Read the sender's name and first words aloud").isChecked(), true);
    assert.equal(await there.getByLabel('Desktop notification').isChecked(), true);
    assert.equal(await there.locator(`li[data-chat-id="${second.id}"]`).getByLabel('Mute').isChecked(), true);
    assert.equal(await there.locator(`li[data-chat-id="${first.id}"]`).getByLabel('Sound').isChecked(), false);
    assert.equal(await there.locator(`li[data-chat-id="${first.id}"]`).getByLabel('Mute').isChecked(), false);
    await elsewhere.close();

    // The first browser follows them: Offsite is muted, Budget alerts without its sound, spoken.
    await setVisibility(page, false);
    const before = await recorded(page);
    await say(second.id, 'Muted chat speaking');
    await say(first.id, 'Numbers are in for the third quarter and they look good overall, more tomorrow');
    const after = await notificationCount(before.notifications.length + 1);
    assert.deepEqual(
      after.notifications.slice(before.notifications.length).map((x) => x.tag),
      [first.id],
      'nothing from the muted chat',
    );
    assert.equal(after.tones, before.tones, 'no sound for a chat whose sound is off');
    assert.equal(after.spoken.length, 1);
    assert.equal(after.spoken[0]!.text, 'alice: Numbers are in for the third quarter and they look good overall,…');
    // The utterance keeps its pitch as a 32-bit float: 0.7 reads back as 0.69999998.
    const pitch = after.spoken[0]!.pitch;
    assert.ok(pitch > 0.7 - 1e-6 && pitch < 1.4 + 1e-6, `pitch ${pitch}`);
    await waitUntil('the muted chat is not counted', async () => /^\(\d+\) /.test(await page.title()));
  });

  it('do-not-disturb silences every alert and the badge; off again, alerts come back; a click opens the chat', async () => {
    await setVisibility(page, false);
    const unmuted = await api(server, 'PUT', `/api/chats/${second.id}/alerts`, { muted: false, sound: true }, bobToken);
    assert.deepEqual(unmuted.body, { chatId: second.id, muted: false, sound: true });
    assert.match(await page.title(), /^\(\d+\) Budget/, 'unread counted before do-not-disturb');
    // Turned on in the second browser's settings, as a person would.
    const other = await signedInPage(await newContext());
    await other.goto(`${server.url}/#settings`);
    await other.getByRole('checkbox', { name: 'Do not disturb' }).check();
    await other.getByRole('button', { name: 'Save' }).first().click();
    await other.getByText('Saved: do not disturb is on.').waitFor();

    const before = await recorded(page);
    await say(second.id, 'During do not disturb');
    // The page looked, with do-not-disturb on: the count is gone from the title and favicon.
    await titleIs('Budget · Inbox Chat');
    await waitUntil('favicon badge gone', async () => (await page.locator('link[rel="icon"]').getAttribute('data-unread')) === '0');
    const during = await recorded(page);
    assert.equal(during.notifications.length, before.notifications.length);
    assert.equal(during.tones, before.tones);
    assert.equal(during.spoken.length, before.spoken.length);
    assert.equal(during.vibrations.length, before.vibrations.length);

    await other.getByRole('checkbox', { name: 'Do not disturb' }).uncheck();
    await other.getByRole('button', { name: 'Save' }).first().click();
    await other.getByText('Saved: do not disturb is off.').waitFor();
    await say(second.id, 'After do not disturb');
    const back = await notificationCount(before.notifications.length + 1);
    assert.equal(back.notifications.length, before.notifications.length + 1, 'the message sent during do-not-disturb is not alerted late');
    assert.equal(back.notifications.at(-1)!.body, 'After do not disturb');
    assert.equal(back.tones, before.tones + 1);

    // Clicking the notification opens that chat.
    await page.evaluate(`window.__lastNotification.dispatchEvent(new Event('click'))`);
    await page.waitForURL(`${server.url}/c/${second.id}`);
    await page.locator('.ic-log .ic-body', { hasText: 'After do not disturb' }).waitFor();
    assert.deepEqual(pageProblems, []);
  });

  it('the chat list and the alerts read "My chats" once per message, not once each', async () => {
    const messenger = await (await newContext()).newPage();
    // Every chats:watch the page sends, counted on the wire (a Socket.IO frame `42<ack id>["chats:watch",…]`).
    let watches = 0;
    messenger.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string' && /^42\d*\["chats:watch"/.test(f.payload)) watches++;
      }),
    );
    await messenger.goto(`${server.url}/`);
    await signInThroughPage(messenger, server, BOB);
    await messenger.locator(`.chat-list li[data-chat-id="${first.id}"]`).waitFor();
    // Both readers have settled (150 and 250 ms) and both read it at load, sharing one request.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(watches, 1, 'one chats:watch when the page loads, for the list and the alerts together');

    await say(first.id, 'One request for both');
    await messenger.locator(`.chat-list li[data-chat-id="${first.id}"] .chat-last`, { hasText: 'One request for both' }).waitFor();
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(watches, 2, 'one more chats:watch for the message, read by the list and the alerts alike');
    await messenger.close();
  });
});
