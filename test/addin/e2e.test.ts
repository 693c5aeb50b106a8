/**
 * The Outlook add-in end to end in real Chromium, against the real server (PostgreSQL, SMTP
 * catcher, Socket.IO). Outlook itself cannot exist here, so it is mocked: the office.js CDN
 * request is answered with support/office-mock.js (a mailbox with one draft or email), and a
 * small stand-in for Outlook's window frames the built task panes (dist/addin) from
 * https://outlook.office.com, which also exercises the panes' frame-ancestors policy.
 *
 * Alice embeds a chat in a draft from the compose pane; Bob chats on the plain chat page from
 * the panel's link; Carol reads the email in Outlook and chats in the read pane; they exchange
 * messages live. Screenshots for docs/outlook.md come from here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { ADDIN_DIST } from '../../backend/src/http/addin-pages.ts';
import { findChatIdInHtml } from '../../mail-client/panel.ts';
import { launchChromium } from '../support/browser.ts';
import { api, codeFromMail, lastMailId, signIn as signInSession, startTestServer, type TestServer } from '../support/server.ts';
import { screenshotDir } from '../support/screenshots.ts';
import { sql } from '../bridge/support.ts';
import en from '../../ui/src/i18n/messages/en.json' with { type: 'json' };
import fr from '../../ui/src/i18n/messages/fr.json' with { type: 'json' };

/** What test/addin/support/office-mock.js exposes to drive and inspect the stand-in Outlook. */
interface OutlookMock {
  state: {
    draft: { body: string };
    headers: Record<string, string>;
    inserts: { data: string; coercionType: string }[];
    infoBarLog: string[];
    actions: Record<string, unknown>;
  };
  setRecipients(kind: 'to' | 'cc' | 'bcc', addresses: string[]): void;
  select(item: {
    kind: 'read' | 'compose';
    subject: string;
    from: string;
    to: string[];
    text?: string;
    html?: string;
    headers?: string;
  }): void;
}
declare global {
  interface Window {
    __outlook?: OutlookMock;
    /** What the office.js mock reads at load: who is signed in and the item open. */
    __OUTLOOK__?: unknown;
  }
}

const SCREENSHOTS = screenshotDir();
const OFFICE_MOCK = readFileSync(path.join(import.meta.dirname, 'support/office-mock.js'), 'utf8');
const ALICE = 'alice@contoso.example';
const BOB = 'bob@fabrikam.example';
const CAROL = 'carol@contoso.example';
const SUBJECT = 'Launch plan for Friday';

type ItemSpec =
  | { kind: 'compose'; subject: string; from: string; to: string[]; cc?: string[]; body: string; cursor?: number }
  | { kind: 'read'; subject: string; from: string; to: string[]; html?: string; text?: string; headers?: string };

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal stand-in for Outlook's window: the message on the left, the add-in's task pane on the right. */
function outlookWindow(title: string, fields: [string, string][], paneUrl: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Outlook (mock)</title><style>
body{margin:0;font:14px "Segoe UI",Helvetica,Arial,sans-serif;background:#f3f2f1;color:#201f1e}
.top{background:#0f6cbd;color:#fff;padding:8px 16px;font-weight:600}
.ribbon{background:#fff;border-bottom:1px solid #e1dfdd;padding:6px 16px;color:#605e5c;font-size:13px}
.ribbon b{color:#0f6cbd}
main{display:flex;height:calc(100vh - 70px)}
.mail{flex:1;background:#fff;margin:8px;border:1px solid #e1dfdd;border-radius:4px;padding:12px 20px;overflow:auto}
.field{display:flex;gap:8px;border-bottom:1px solid #edebe9;padding:6px 0}.field span:first-child{width:70px;color:#605e5c}
#infobar{background:#f3f9fd;border:1px solid #c7e0f4;border-radius:2px;padding:6px 10px;margin:6px 0;font-size:13px}
#infobar[hidden]{display:none}
h1{font-size:18px;margin:4px 0 8px}
#body{padding-top:12px}
iframe{width:340px;border:0;border-left:1px solid #e1dfdd;background:#fff}
</style></head><body>
<div class="top">Outlook</div>
<div class="ribbon">Message &nbsp;|&nbsp; Insert &nbsp;|&nbsp; <b>Inbox Chat</b></div>
<main><section class="mail"><h1>${escape(title)}</h1><div id="infobar" hidden></div>
${fields.map(([k, v]) => `<div class="field"><span>${escape(k)}</span><span>${escape(v)}</span></div>`).join('')}
<div id="body"></div></section>
<iframe id="pane" title="Inbox Chat" src="${escape(paneUrl)}"></iframe></main></body></html>`;
}

describe('Outlook add-in end to end (Outlook mocked, real server and Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async function () {
    if (!existsSync(path.join(ADDIN_DIST, 'compose.html'))) {
      throw new Error('dist/addin is missing: run `npm run build:addin` before this test (npm test does).');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer();
    browser = await launchChromium({ outlookFraming: true });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  /** One person's Outlook: their own browser profile, office.js replaced by the mock. */
  async function outlookFor(
    me: string,
    item: ItemSpec,
    harness: string,
    opts: { displayLanguage?: string; setup?: (context: BrowserContext) => Promise<unknown> } = {},
  ): Promise<{ page: Page; pane: () => Frame }> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 760 } });
    contexts.push(context);
    await opts.setup?.(context);
    await context.addInitScript(
      (cfg) => {
        window.__OUTLOOK__ = cfg;
      },
      { me, item, displayLanguage: opts.displayLanguage },
    );
    await context.route('https://appsforoffice.microsoft.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'application/javascript', body: OFFICE_MOCK }),
    );
    await context.route('https://outlook.office.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: harness }),
    );
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error(`[${me}] page error:`, err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') console.error(`[${me}] console:`, m.text());
    });
    await page.goto('https://outlook.office.com/mail/');
    const pane = () => {
      const frame = page.frames().find((f) => f.url().startsWith(`${server.url}/addin/`));
      if (!frame)
        throw new Error(
          `the task pane did not load; frames: ${page
            .frames()
            .map((f) => f.url())
            .join(', ')}`,
        );
      return frame;
    };
    return { page, pane };
  }

  /** Signs in inside a pane (or the chat page): the address, then the code from the caught email. */
  async function signIn(target: Page | Frame, address: string, prefilled: boolean, words: typeof en = en) {
    const before = lastMailId(server);
    const box = target.getByLabel(words['signin.address']);
    await box.waitFor();
    if (prefilled) assert.equal(await box.inputValue(), address, 'the pane offers the mailbox address');
    else await box.fill(address);
    await target.getByRole('button', { name: words['signin.emailCode'] }).click();
    const code = await codeFromMail(server, address, before);
    await target.getByLabel(words['signin.code']).fill(code);
    await target.getByRole('button', { name: words['page.signIn'], exact: true }).click();
  }

  async function say(target: Page | Frame, text: string) {
    await target.getByRole('textbox', { name: 'Message' }).fill(text);
    await target.getByRole('textbox', { name: 'Message' }).press('Enter');
  }

  async function signInApi(address: string): Promise<string> {
    return (await signInSession(server, address)).token;
  }
  async function startChat(token: string, subject: string, to: string[]): Promise<string> {
    const res = await api(server, 'POST', '/api/chats', { subject, audience: { to } }, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  }
  let sent = 0;
  async function post(token: string, chatId: string, body: string) {
    const res = await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: `e2e-${++sent}`, body }, token);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }

  const seen = (target: Page | Frame, text: string) => target.locator('.ic-log .ic-body', { hasText: text }).waitFor();

  it('embeds in a compose pane; a person on the chat page and one in the read pane chat live', async () => {
    // ---- Alice writes an email and presses "Embed IM" ----
    const greeting = '<div>Hi both,</div>';
    const alice = await outlookFor(
      ALICE,
      {
        kind: 'compose',
        subject: SUBJECT,
        from: ALICE,
        to: [BOB, CAROL],
        body: `${greeting}<div>See you Friday.</div><div>Alice</div>`,
        cursor: greeting.length,
      },
      outlookWindow(
        SUBJECT,
        [
          ['From', ALICE],
          ['To', `${BOB}; ${CAROL}`],
          ['Subject', SUBJECT],
        ],
        `${server.url}/addin/compose.html`,
      ),
    );
    await signIn(alice.pane(), ALICE, true);
    await alice.pane().locator('.ic-panel[data-status="online"]').waitFor();
    await alice.pane().getByText('The chat panel is in your email').waitFor();
    const state = await alice.pane().evaluate(() => window.__outlook!.state);
    const draftHtml: string = state.draft.body;
    const chatId = findChatIdInHtml(draftHtml, server.url);
    assert.ok(chatId, 'the draft now carries the panel link');
    assert.ok(draftHtml.startsWith(`${greeting}<table`), 'inserted at the cursor');
    assert.equal(state.headers['X-Inbox-Chat'], chatId);
    assert.equal(state.inserts.length, 1);
    await alice.page.evaluate((html) => {
      document.getElementById('body')!.innerHTML = html;
    }, draftHtml);
    await alice.page.screenshot({ path: path.join(SCREENSHOTS, 'outlook-compose.png') });

    // Alice adds a Cc while the pane is open: the chat's audience follows.
    await alice.pane().evaluate(() => window.__outlook!.setRecipients('cc', ['erin@contoso.example']));
    await alice.pane().getByText('The chat now includes the email’s current recipients.').waitFor();
    const aliceToken = await signInApi(ALICE);
    const audience = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, aliceToken)).body.audience;
    assert.deepEqual(audience.map((a: { address: string; role: string }) => `${a.role}:${a.address}`).sort(), [
      `CC:erin@contoso.example`,
      `FROM:${ALICE}`,
      `TO:${BOB}`,
      `TO:${CAROL}`,
    ]);

    // ---- Bob has no add-in: he follows the panel's link to the plain chat page ----
    const bobContext = await browser.newContext({ viewport: { width: 900, height: 700 } });
    contexts.push(bobContext);
    const bob = await bobContext.newPage();
    await bob.goto(`${server.url}/c/${chatId}`);
    await signIn(bob, BOB, false);
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await say(bob, 'Hi Alice, Bob here from the web page');

    // ---- Carol reads the email in Outlook with the add-in ----
    const carol = await outlookFor(
      CAROL,
      {
        kind: 'read',
        subject: SUBJECT,
        from: ALICE,
        to: [BOB, CAROL],
        html: draftHtml,
        headers: `Subject: ${SUBJECT}\r\nX-Inbox-Chat: ${chatId}\r\n`,
      },
      outlookWindow(
        SUBJECT,
        [
          ['From', ALICE],
          ['To', `${BOB}; ${CAROL}`],
        ],
        `${server.url}/addin/read.html`,
      ),
      { displayLanguage: 'fr-FR' },
    );
    await carol.page.evaluate((html) => {
      document.getElementById('body')!.innerHTML = html;
    }, draftHtml);
    // Her Outlook is in French: the pane asks her in French from the start.
    await signIn(carol.pane(), CAROL, true, fr);
    await carol.pane().locator('.ic-panel[data-status="online"]').waitFor();
    // Her Outlook is in French (her browser is not): the join made French her reading language.
    const [carolIdentity] = await sql<{ language: string | null }>(
      server,
      'SELECT i.language FROM identity i JOIN email_address e ON e.identity_id = i.id WHERE e.address = $1',
      [CAROL],
    );
    assert.equal(carolIdentity?.language, 'fr');
    await seen(carol.pane(), 'Bob here from the web page');
    const infoBars: string[] = await carol.pane().evaluate(() => window.__outlook!.state.infoBarLog);
    assert.match(infoBars[0] ?? '', /^\d+ messages? non lus?$/, `info bar on opening, in French: ${JSON.stringify(infoBars)}`);

    // ---- Live both ways, and Alice's compose pane sees it all ----
    await say(carol.pane(), 'Carol here, reading in Outlook');
    await seen(bob, 'Carol here, reading in Outlook');
    await say(bob, 'Great, we are all in');
    await seen(carol.pane(), 'Great, we are all in');
    await seen(alice.pane(), 'Great, we are all in');
    await seen(alice.pane(), 'Carol here, reading in Outlook');

    await carol.page.evaluate((text) => {
      const bar = document.getElementById('infobar')!;
      bar.textContent = `Inbox Chat: ${text}`;
      bar.hidden = false;
    }, infoBars[0]!);
    await carol.page.screenshot({ path: path.join(SCREENSHOTS, 'outlook-read.png') });

    // ---- Carol moves to an email without a panel: Reply with IM and her chats ----
    await carol.pane().evaluate((bob) => {
      window.__outlook!.select({ kind: 'read', subject: 'Lunch?', from: bob, to: ['carol@contoso.example'], text: 'Lunch on Thursday?' });
    }, BOB);
    const reply = carol.pane().getByRole('button', { name: fr['pane.replyWithIm'] });
    await reply.waitFor();
    await carol.pane().locator('.chat-row', { hasText: SUBJECT }).waitFor();
    await reply.click();
    await carol.pane().locator('.ic-quote', { hasText: 'Lunch on Thursday?' }).waitFor();
    await carol.pane().locator('.ic-panel[data-status="online"]').waitFor();

    // ---- And back to the first email: its chat again ----
    await carol.pane().evaluate(
      ({ html, chatId, subject }) => {
        window.__outlook!.select({
          kind: 'read',
          subject,
          from: 'alice@contoso.example',
          to: [],
          html,
          headers: `X-Inbox-Chat: ${chatId}\r\n`,
        });
      },
      { html: draftHtml, chatId, subject: SUBJECT },
    );
    await seen(carol.pane(), 'Great, we are all in');
  });

  it('the sidebar lists my chats newest first with unread counts and members, filters, searches, answers in place, and updates live', async () => {
    const DAVE = 'dave@contoso.example';
    const alice = await signInApi(ALICE);
    const dave = await signInApi(DAVE);
    const older = await startChat(alice, 'Budget review', [DAVE, 'erin@contoso.example']);
    const newer = await startChat(alice, 'Team offsite', [DAVE]);
    for (const id of [older, newer]) await api(server, 'POST', `/api/chats/${id}/open`, undefined, dave);
    await post(alice, older, 'Numbers are in the sheet');
    await post(alice, newer, 'Lake or mountains?');
    await post(alice, newer, 'Vote by Friday');
    // Dave has read the budget chat, not the offsite one.
    const budget = await api(server, 'GET', `/api/chats/${older}`, undefined, dave);
    await api(server, 'POST', `/api/chats/${older}/read`, { seq: budget.body.lastSeq }, dave);

    const outlook = await outlookFor(
      DAVE,
      { kind: 'read', subject: 'Anything', from: ALICE, to: [DAVE], text: 'No chat here' },
      outlookWindow('Anything', [['From', ALICE]], `${server.url}/addin/sidebar.html`),
    );
    const pane = outlook.pane;
    await signIn(pane(), DAVE, true);
    await pane().getByRole('heading', { name: 'My chats' }).waitFor();
    const rows = pane().locator('.chat-row');
    await rows.nth(1).waitFor();
    assert.deepEqual(await pane().locator('.chat-row-subject').allInnerTexts(), ['Team offsite', 'Budget review'], 'newest first');
    const offsite = rows.nth(0);
    assert.match(await offsite.locator('.chat-row-preview').innerText(), /alice@contoso\.example: Vote by Friday/);
    assert.ok(Number(await offsite.locator('.chat-row-badge').innerText()) >= 2, 'unread count');
    assert.equal(await rows.nth(1).locator('.chat-row-badge').count(), 0, 'the read chat shows no badge');
    assert.match(await rows.nth(1).locator('.chat-row-members').innerText(), /alice@contoso\.example/);

    // Filter and search.
    await pane().getByLabel('Show').selectOption('unread');
    assert.deepEqual(await pane().locator('.chat-row-subject').allInnerTexts(), ['Team offsite']);
    await pane().getByLabel('Show').selectOption('all');
    await pane().getByLabel('Search chats').fill('sheet');
    assert.deepEqual(await pane().locator('.chat-row-subject').allInnerTexts(), ['Budget review']);
    await pane().getByLabel('Search chats').fill('');

    // Live: a new message elsewhere moves that chat to the top.
    await post(alice, older, 'Updated the totals');
    await pane().locator('.chat-row-preview', { hasText: 'Updated the totals' }).waitFor();
    assert.equal(await pane().locator('.chat-row-subject').first().innerText(), 'Budget review');
    await outlook.page.evaluate(() => {
      document.getElementById('body')!.textContent = 'The pinned My chats pane stays open while you move between emails.';
    });
    await outlook.page.screenshot({ path: path.join(SCREENSHOTS, 'outlook-sidebar.png') });

    // Answer in place, then back to the list.
    await pane().locator('.chat-row', { hasText: 'Team offsite' }).click();
    await pane().locator('.ic-panel[data-status="online"]').waitFor();
    await seen(pane(), 'Vote by Friday');
    await say(pane(), 'Mountains!');
    await seen(pane(), 'Mountains!');
    await pane().getByRole('button', { name: '← All chats' }).click();
    await pane()
      .locator('.chat-row-preview', { hasText: `${DAVE}: Mountains!` })
      .waitFor();
    assert.equal(await pane().locator('.chat-row', { hasText: 'Team offsite' }).locator('.chat-row-badge').count(), 0);

    // A chat Dave is in the audience of appears live before he opens it, marked new (issue 12).
    await startChat(alice, 'Hiring plan', [DAVE]);
    const fresh = pane().locator('.chat-row', { hasText: 'Hiring plan' });
    await fresh.locator('.chat-row-new', { hasText: 'new' }).waitFor();
    assert.match((await fresh.getAttribute('aria-label')) ?? '', /Hiring plan, new/);
    await fresh.click();
    await pane().locator('.ic-panel[data-status="online"]').waitFor();
    await pane().getByRole('button', { name: '← All chats' }).click();
    await pane().locator('.chat-row', { hasText: 'Hiring plan' }).waitFor();
    // Opened: the list, refreshed from the server, no longer marks it new.
    await pane().locator('.chat-row', { hasText: 'Hiring plan' }).locator('.chat-row-new').waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('the pinned My chats pane alerts for chats not open in it: a notice, a tone and an info bar on the email; the notice opens the chat', async () => {
    const FRAN = 'fran@contoso.example';
    const alice = await signInApi(ALICE);
    const fran = await signInApi(FRAN);
    const notes = await startChat(alice, 'Release notes', [FRAN]);
    const parking = await startChat(alice, 'Parking', [FRAN]);
    for (const id of [notes, parking]) await api(server, 'POST', `/api/chats/${id}/open`, undefined, fran);
    // The speaker is what cannot be observed: the pane's calls to start a tone are counted, then passed on.
    const countTones = (context: BrowserContext) =>
      context.addInitScript(() => {
        Reflect.set(window, '__tones', 0);
        const start = OscillatorNode.prototype.start;
        OscillatorNode.prototype.start = function (...a: Parameters<OscillatorNode['start']>) {
          Reflect.set(window, '__tones', Number(Reflect.get(window, '__tones')) + 1);
          return start.apply(this, a);
        };
      });
    const outlook = await outlookFor(
      FRAN,
      { kind: 'read', subject: 'Weekly update', from: ALICE, to: [FRAN], text: 'No chat here' },
      outlookWindow('Weekly update', [['From', ALICE]], `${server.url}/addin/sidebar.html`),
      { setup: countTones },
    );
    const pane = outlook.pane;
    const tones = () => pane().evaluate(() => Number(Reflect.get(window, '__tones')));
    await signIn(pane(), FRAN, true);
    await pane().locator('.chat-row', { hasText: 'Parking' }).waitFor();

    await post(alice, notes, 'Draft is ready for review');
    const notice = pane().locator('.ic-alert-notices[aria-live="polite"] .ic-alert-notice', {
      hasText: `${ALICE} in Release notes: Draft is ready for review`,
    });
    await notice.waitFor();
    assert.equal(await tones(), 1);
    const bar = `New IM from ${ALICE} in Release notes: Draft is ready for review`;
    await pane().waitForFunction((text) => window.__outlook!.state.infoBarLog.includes(text), bar);

    // Opened from the notice: a message there, in view, does not alert; another chat still does.
    await notice.getByRole('button', { name: 'Open' }).click();
    await pane().locator('.ic-panel[data-status="online"]').waitFor();
    await seen(pane(), 'Draft is ready for review');
    await post(alice, notes, 'Seen in place');
    await seen(pane(), 'Seen in place');
    await post(alice, parking, 'Who took my spot?');
    await pane().locator('.ic-alert-notice', { hasText: 'Who took my spot?' }).waitFor();
    assert.equal(await pane().locator('.ic-alert-notice', { hasText: 'Seen in place' }).count(), 0);
    assert.equal(await tones(), 2);
  });

  it('the read pane at 320 x 500 with 21 messages: the list scrolls inside the pane, header and message box stay in view', async () => {
    const OWNER = 'ines@contoso.example';
    const READER = 'jon@contoso.example';
    const owner = await signInApi(OWNER);
    const reader = await signInApi(READER);
    const chatId = await startChat(owner, 'Long thread', [READER]);
    for (let i = 1; i <= 21; i++) await post(owner, chatId, `Update ${i}: still on track for the launch`);

    const context = await browser.newContext({ viewport: { width: 320, height: 500 } });
    contexts.push(context);
    await context.addInitScript(
      (cfg) => {
        Object.assign(window, { __OUTLOOK__: cfg });
      },
      {
        me: READER,
        item: {
          kind: 'read',
          subject: 'Long thread',
          from: OWNER,
          to: [READER],
          html: `<p><a href="${server.url}/c/${chatId}">Open the chat</a></p>`,
          headers: `X-Inbox-Chat: ${chatId}\r\n`,
        },
      },
    );
    await context.route('https://appsforoffice.microsoft.com/**', (route) =>
      route.fulfill({ status: 200, contentType: 'application/javascript', body: OFFICE_MOCK }),
    );
    const page = await context.newPage();
    await page.goto(`${server.url}/addin/read.html`);
    await page.evaluate(
      ({ token, address }) =>
        localStorage.setItem(
          'inbox-chat.addin.session',
          JSON.stringify({ token, address, expiresAt: new Date(Date.now() + 864e5).toISOString() }),
        ),
      { token: reader, address: READER },
    );
    await page.reload();
    await page.locator('.ic-panel[data-status="online"]').waitFor();
    await seen(page, 'Update 21:');

    type Box = { top: number; bottom: number };
    // A string, so the test runner's helpers (esbuild's __name) stay out of the page.
    const layout = (await page.evaluate(`(function () {
      function rect(sel) { var r = document.querySelector(sel).getBoundingClientRect(); return { top: r.top, bottom: r.bottom }; }
      var app = document.getElementById('app');
      var list = document.querySelector('.ic-scroll');
      return {
        viewport: window.innerHeight,
        page: document.scrollingElement.scrollHeight,
        app: { scroll: app.scrollHeight, client: app.clientHeight },
        list: { scroll: list.scrollHeight, client: list.clientHeight },
        header: rect('.ic-header'),
        draft: rect('.ic-draft'),
        send: rect('.ic-send')
      };
    })()`)) as {
      viewport: number;
      page: number;
      app: { scroll: number; client: number };
      list: { scroll: number; client: number };
      header: Box;
      draft: Box;
      send: Box;
    };
    const where = JSON.stringify(layout);
    assert.ok(layout.page <= layout.viewport, `the page does not scroll: ${where}`);
    assert.ok(layout.app.scroll <= layout.app.client, `the pane does not scroll either: ${where}`);
    assert.ok(layout.list.scroll > layout.list.client * 1.5, `the message list scrolls inside the panel: ${where}`);
    for (const part of ['header', 'draft', 'send'] as const) {
      assert.ok(layout[part].top >= 0 && layout[part].bottom <= layout.viewport, `${part} is on screen: ${where}`);
    }
    // The message box works without scrolling anything.
    await say(page, 'Read all 21, thanks');
    await seen(page, 'Read all 21, thanks');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'outlook-read-narrow.png') });
  });

  it('the built event runtime (commands.html / events.js) syncs the audience on send and ends a chat whose panel was removed', async () => {
    const OWNER = 'frida@contoso.example';
    const token = await signInApi(OWNER);
    const kept = await startChat(token, 'Kept', ['gus@contoso.example']);
    const dropped = await startChat(token, 'Dropped', ['gus@contoso.example']);
    const panelLink = (id: string) => `<div>Hi</div><table><tr><td><a href="${server.url}/c/${id}">Open the chat</a></td></tr></table>`;

    async function send(chatId: string, body: string, to: string[]) {
      const context = await browser.newContext();
      contexts.push(context);
      await context.addInitScript(
        (cfg) => {
          window.__OUTLOOK__ = cfg;
        },
        {
          me: OWNER,
          item: {
            kind: 'compose',
            subject: 'x',
            from: OWNER,
            to,
            body,
            customProperties: { inboxChatId: chatId, inboxChatDraftKey: `k-${chatId}` },
          },
        },
      );
      await context.route('https://appsforoffice.microsoft.com/**', (route) =>
        route.fulfill({ status: 200, contentType: 'application/javascript', body: OFFICE_MOCK }),
      );
      const page = await context.newPage();
      // The session the panes left behind (same browser profile, same server origin).
      await page.goto(`${server.url}/addin/commands.html`);
      await page.evaluate(
        ({ token, address }) =>
          localStorage.setItem(
            'inbox-chat.addin.session',
            JSON.stringify({ token, address, expiresAt: new Date(Date.now() + 864e5).toISOString() }),
          ),
        { token, address: OWNER },
      );
      await page.reload();
      await page.waitForFunction(() => typeof window.__outlook?.state.actions.onMessageSend === 'function');
      // A string, so the test runner's helpers (esbuild's __name) stay out of the page.
      return page.evaluate(
        'new Promise(function (resolve) { window.__outlook.state.actions.onMessageSend({ completed: function (o) { resolve(o || {}); } }); })',
      );
    }

    assert.deepEqual(await send(kept, panelLink(kept), ['gus@contoso.example', 'hana@contoso.example']), { allowEvent: true });
    const keptChat = (await api(server, 'GET', `/api/chats/${kept}`, undefined, token)).body;
    assert.ok(
      keptChat.audience.some((a: { address: string }) => a.address === 'hana@contoso.example'),
      'audience synced on send',
    );
    assert.equal(keptChat.endedAt, null);

    assert.deepEqual(await send(dropped, '<div>Hi, no chat after all</div>', ['gus@contoso.example']), { allowEvent: true });
    assert.notEqual((await api(server, 'GET', `/api/chats/${dropped}`, undefined, token)).body.endedAt, null, 'panel removed: chat ended');
  });
});
