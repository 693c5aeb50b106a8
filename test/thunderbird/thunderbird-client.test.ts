/**
 * The real client: Debian's Thunderbird, headless, on a fresh profile with the built .xpi installed
 * and a local folder holding an email with a chat panel. Bob signs in through the extension's
 * options page with the emailed code, opens the email, and chats with Alice, who uses the plain
 * chat page in Chromium. Real server, real PostgreSQL, real SMTP catcher, real socket.
 *
 * Extension pages run in their own process, as Thunderbird runs them for users; the test reaches
 * the options page through Marionette's window actor there (see tb-scripts.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import type { ChatView, SessionView } from '../../protocol/index.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { panelHtml } from '../../mail-client/panel.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { startThunderbird, thunderbirdVersion, type Thunderbird } from './support/thunderbird.ts';
import { sql } from '../bridge/support.ts';
import {
  ADD_RECIPIENT_AND_SEND,
  ALERTS_ABOVE,
  BADGE_ABOVE,
  BADGE_IS,
  CLICK_ALERT,
  CHAT_IN_SPACE_IS_NEW,
  CLICK_EMBED_IM,
  OPEN_COMPOSE,
  CHAT_IN_MESSAGE_PANE,
  CLOSE_MESSAGE_TAB,
  ENTER_CODE,
  OPEN_FIRST_MESSAGE,
  OPEN_OPTIONS,
  REQUEST_CODE,
  SCROLL_TO_CHAT,
  SEND_FROM_PANE,
  SET_SERVER,
  WAIT_FOR_EXTENSION,
  WAIT_FOR_MESSAGE_IN_PANE,
  WATCH_ALERTS,
} from './support/tb-scripts.ts';
import { screenshotDir } from '../support/screenshots.ts';
import { isUuid } from '../../protocol/patterns.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const XPI = path.join(ROOT, 'dist/inbox-chat-thunderbird.xpi');
const CHAT_PAGE = path.join(ROOT, 'dist/ui/chat.html');
const SCREENSHOT = path.join(screenshotDir(), 'thunderbird-message.png');
const EXTENSION_ID = 'inbox-chat@inbox-chat.example';
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const SUBJECT = 'Quarterly plan: live chat';

function emailWithPanel(chat: ChatView, baseUrl: string): string {
  const panel = panelHtml({ chatUrl: chatUrl(baseUrl, chat.id), chatId: chat.id, subject: SUBJECT });
  return [
    `From: Alice Example <${ALICE}>`,
    `To: Bob Example <${BOB}>`,
    `Subject: ${SUBJECT}`,
    'Message-ID: <quarterly-plan@example.com>',
    'Date: Sat, 21 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><body><p>Hi Bob,</p><p>here is the plan for next quarter. Let's discuss it in the chat below.</p>${panel}<p>Alice</p></body></html>`,
    '',
  ].join('\r\n');
}

describe('Thunderbird extension in a real Thunderbird (headless) with a Chromium member', function () {
  // Starting Thunderbird and Chromium on a shared machine is slow; this is the only limit.
  this.timeout(10 * 60_000);

  let server: TestServer;
  let tb: Thunderbird | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let alice: SessionView;
  let chat: ChatView;

  before(async function () {
    if (process.env.INBOX_CHAT_SKIP_THUNDERBIRD === '1') this.skip();
    assert.ok(thunderbirdVersion(), 'Thunderbird is not installed: apt-get install -y thunderbird (see docs/thunderbird.md)');
    assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM}: apt-get install -y chromium`);
    assert.ok(existsSync(XPI), 'dist/inbox-chat-thunderbird.xpi is missing: run npm run build');
    assert.ok(existsSync(CHAT_PAGE), 'dist/ui/chat.html is missing: run npm run build');

    server = await startTestServer();
    alice = await signIn(server, ALICE);
    const created = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: SUBJECT, audience: { from: [ALICE], to: [BOB] }, source: 'EMAIL' },
      alice.token,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    chat = created.body;
    const first = await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'alice-1', body: 'Welcome, Bob!' }, alice.token);
    assert.equal(first.status, 201);

    tb = await startThunderbird({
      extension: { id: EXTENSION_ID, xpi: XPI },
      inbox: [emailWithPanel(chat, server.url)],
      identity: { name: 'Bob Example', email: BOB },
      smtpPort: server.catcher!.port,
    });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && tb) console.log(`--- Thunderbird output ---\n${tb.output()}`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await tb?.stop();
    await server?.close();
  });

  it('loads the extension with its "Chats" space button', async () => {
    const r = await tb!.chrome<{ optionsUrl: string; spaceButtons: string[] }>(WAIT_FOR_EXTENSION, [EXTENSION_ID]);
    assert.match(r.optionsUrl, /^moz-extension:\/\/[0-9a-f-]+\/options\.html$/);
    assert.ok(r.spaceButtons.includes('Chats'));
    await tb!.chrome(OPEN_OPTIONS, [r.optionsUrl]);
  });

  it('signs in once on the options page: server address, then the code from the email', async () => {
    await tb!.chrome(SET_SERVER, [server.url]);
    const before = lastMailId(server);
    await tb!.chrome(REQUEST_CODE, [BOB]);
    const code = await codeFromMail(server, BOB, before);
    const signedIn = await tb!.chrome<string>(ENTER_CODE, [code]);
    assert.equal(signedIn, `Signed in as ${BOB}.`);
  });

  it('shows the live chat below the panel in the message pane, with its history', async () => {
    await tb!.chrome(OPEN_FIRST_MESSAGE, ['here is the plan for next quarter']);
    const shown = await tb!.chrome<{
      title: string;
      afterPanel: boolean;
      messages: string[];
      callLink: string | null;
      callButtons: number;
    }>(CHAT_IN_MESSAGE_PANE, [chat.id]);
    assert.equal(shown.title, SUBJECT);
    // The message pane may not use camera and microphone: calls open on the web page instead.
    assert.equal(shown.callLink, `${server.url}/c/${chat.id}`);
    assert.equal(shown.callButtons, 0);
    assert.ok(shown.afterPanel, 'the live chat sits right after the panel table');
    assert.deepEqual(shown.messages, ['Welcome, Bob!']);
    // Bob joined through the relay: the server now lists him as a member.
    const view = await api<ChatView>(server, 'GET', `/api/chats/${chat.id}`, undefined, alice.token);
    assert.ok(view.body.members.some((m) => m.address === BOB));
    // The join carried Thunderbird's UI language: Bob's reading language until he picks one.
    const [bob] = await sql<{ language: string | null }>(
      server,
      'SELECT i.language FROM identity i JOIN email_address e ON e.identity_id = i.id WHERE e.address = $1',
      [BOB],
    );
    assert.match(bob?.language ?? '', /^[a-z]{2,3}$/);
  });

  it('exchanges messages both ways with Alice on the plain chat page in Chromium', async () => {
    browser = await launchChromium();
    const context = await browser.newContext();
    // Alice's browser already holds her session (she signed in with the code before).
    await context.addInitScript(
      (s) => {
        localStorage.setItem('inbox-chat.session', JSON.stringify(s));
      },
      { token: alice.token, address: ALICE, expiresAt: alice.expiresAt },
    );
    page = await context.newPage();
    await page.goto(`${server.url}/c/${chat.id}`);
    const draft = page.locator('.ic-panel[data-status="online"] textarea.ic-draft:not([disabled])');
    await draft.waitFor({ timeout: 0 });

    // Chromium -> Thunderbird
    await draft.fill('Hi Bob, can you see this in Thunderbird?');
    await draft.press('Enter');
    const received = await tb!.chrome<{ author: string }>(WAIT_FOR_MESSAGE_IN_PANE, ['Hi Bob, can you see this in Thunderbird?']);
    assert.equal(received.author, ALICE);

    // Thunderbird -> Chromium
    const seq = await tb!.chrome<string>(SEND_FROM_PANE, ['Yes, right below your email.']);
    assert.ok(Number(seq) > 0);
    await page.locator('.ic-log .ic-msg:not(.ic-mine) .ic-body', { hasText: 'Yes, right below your email.' }).waitFor({ timeout: 0 });
    const authors = await page.locator('.ic-log .ic-msg:not(.ic-mine) .ic-author').allTextContents();
    assert.ok(authors.includes(BOB));
  });

  it('takes the README screenshot of the chat inside the message', async () => {
    await tb!.chrome(SCROLL_TO_CHAT);
    const png = await tb!.marionette.screenshot();
    assert.ok(png.length > 10_000, 'a real rendering, not an empty image');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, png);
  });

  it('counts unread IMs on the "Chats" button', async () => {
    // Bob closes the email; Alice writes again while he is not looking at the chat.
    const before = await tb!.chrome<number>(CLOSE_MESSAGE_TAB);
    const posted = await api(
      server,
      'POST',
      `/api/chats/${chat.id}/messages`,
      { clientId: 'alice-unread-1', body: 'One more thing…' },
      alice.token,
    );
    assert.equal(posted.status, 201);
    const after = await tb!.chrome<number>(BADGE_ABOVE, [before]);
    assert.equal(after, before + 1);
  });

  it('alerts through messenger.notifications for a chat no view shows; do-not-disturb silences it; a click opens the chat', async () => {
    type Shown = { name: string; title: string; text: string };
    const before = await tb!.chrome<Shown[]>(WATCH_ALERTS);
    const say = async (clientId: string, body: string) => {
      const r = await api<{ seq: number }>(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId, body }, alice.token);
      assert.equal(r.status, 201);
      return r.body.seq;
    };
    const seq = await say('alice-alert-1', 'Did you see the numbers?');
    const shown = await tb!.chrome<Shown[]>(ALERTS_ABOVE, [before.length]);
    assert.deepEqual(shown.slice(before.length), [
      { name: `inbox-chat:${chat.id}:${seq}`, title: SUBJECT, text: `${ALICE}: Did you see the numbers?` },
    ]);

    // Do-not-disturb, turned on from Bob's other device: no alert, and the badge goes.
    const bob = await signIn(server, BOB);
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true }, bob.token)).status, 200);
    await say('alice-alert-2', 'Quiet hours, I know');
    await tb!.chrome(BADGE_IS, [0]);
    assert.equal((await tb!.chrome<Shown[]>(WATCH_ALERTS)).length, shown.length, 'nothing shown during do-not-disturb');
    assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: false }, bob.token)).status, 200);
    const back = await say('alice-alert-3', 'Back now?');
    const after = await tb!.chrome<Shown[]>(ALERTS_ABOVE, [shown.length]);
    assert.deepEqual(
      after.slice(shown.length).map((a) => a.name),
      [`inbox-chat:${chat.id}:${back}`],
    );

    // The system reports a click on it: the Chats space opens that chat.
    assert.equal(await tb!.chrome<boolean>(CLICK_ALERT, [`inbox-chat:${chat.id}:${back}`, chat.id]), true);
  });

  it('Embed IM in a real compose window; the sent email names the chat and the final recipients are in it', async () => {
    await tb!.chrome(OPEN_COMPOSE, ['carol@example.com', 'Lunch on Friday']);
    const chatId = await tb!.chrome<string>(CLICK_EMBED_IM);
    assert.ok(isUuid(chatId), chatId);
    await tb!.chrome(ADD_RECIPIENT_AND_SEND, ['dave@example.com']);
    const sent = await server.catcher!.waitFor((m) => m.subject === 'Lunch on Friday', 120_000);
    assert.equal(sent.headers['x-inbox-chat'], chatId);
    // Dave was added after Embed IM; the send-time sync let him in.
    const dave = await signIn(server, 'dave@example.com');
    const opened = await api<ChatView>(server, 'POST', `/api/chats/${chatId}/open`, undefined, dave.token);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
    assert.equal(opened.body.subject, 'Lunch on Friday');
    assert.deepEqual(opened.body.audience.map((a) => a.address).sort(), [BOB, 'carol@example.com', 'dave@example.com']);
  });

  it('lists a chat Bob is in the audience of in the Chats space before he opens it, marked new', async () => {
    const created = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: 'Hiring plan', audience: { from: [ALICE], to: [BOB] } },
      alice.token,
    );
    assert.equal(created.status, 201);
    const row = await tb!.chrome<{ isNew: boolean }>(CHAT_IN_SPACE_IS_NEW, [created.body.id]);
    assert.equal(row.isNew, true);
  });
});
