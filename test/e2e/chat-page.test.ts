/**
 * The web chat page end to end: real server, real PostgreSQL, real SMTP catcher, real Chromium.
 * People sign in through the page with the code from the email they were sent, chat live,
 * lose their connection and catch up, and ask the owner for access.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { UI_DIST } from '../../backend/src/http/app.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { screenshotDir } from '../support/screenshots.ts';
import { accessibilityProblems, launchChromium } from '../support/browser.ts';
import { UUID_PATTERN } from '../../protocol/patterns.ts';

const SCREENSHOTS = screenshotDir();
const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const CAROL = 'carol@example.org';

/** Signs in through the page the way a person does: address, then the code from the caught email. */
async function signInThroughPage(
  page: Page,
  server: TestServer,
  address: string,
  opts: { wrongCodeFirst?: boolean; screenshot?: string } = {},
) {
  const before = lastMailId(server);
  await page.getByLabel('Your email address').fill(address);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const code = await codeFromMail(server, address, before);
  const codeBox = page.getByLabel('6-digit code');
  if (opts.wrongCodeFirst) {
    const wrong = code === '000000' ? '111111' : '000000';
    await codeBox.fill(wrong);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const error = page.getByRole('alert').filter({ hasText: 'not right' });
    await error.waitFor();
    assert.match(await error.innerText(), /That code is not right; \d+ tries left/);
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
  }
  await codeBox.fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const NETWORK = { latency: 0, downloadThroughput: -1, uploadThroughput: -1 };
/** Marks bob's browser in its User-Agent, so the server side can find his WebSocket connections. */
const BOB_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36 InboxChatTest/bob';

/**
 * Takes a page really offline: Chromium's offline emulation blocks new connections (so
 * reconnecting fails), and the open WebSocket is cut at the TCP level the way a lost network
 * cuts it. (Offline emulation alone leaves an already-open WebSocket alone, and a polite
 * close from the page could wait on a closing handshake the emulation blocks.)
 */
async function goOffline(context: BrowserContext, page: Page, connections: Set<Duplex>): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: true, ...NETWORK });
  assert.ok(connections.size > 0, 'the page had an open WebSocket to cut');
  for (const socket of connections) socket.destroy();
  return cdp;
}

async function goOnline(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.emulateNetworkConditions', { offline: false, ...NETWORK });
  await cdp.detach();
}

const composer = (page: Page) => page.getByRole('textbox', { name: 'Message' });

async function say(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Texts of the chat's text messages as rendered, in DOM order. */
async function transcriptTexts(page: Page): Promise<string[]> {
  return page.locator('.ic-log .ic-text .ic-body').allInnerTexts();
}

async function seqsInDom(page: Page): Promise<number[]> {
  return page.locator('.ic-log .ic-msg').evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-seq'))));
}

describe('web chat page (Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let aliceContext: BrowserContext;
  let bobContext: BrowserContext;
  let alice: Page;
  let bob: Page;
  let chatUrl = '';
  /** Uncaught exceptions and CSP violations on any page: the last test asserts there were none. */
  const pageProblems: string[] = [];
  const watchForPageProblems = (context: BrowserContext) => {
    context.on('page', (page) => {
      page.on('pageerror', (err) => pageProblems.push(`${page.url()}: ${err.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageProblems.push(`${page.url()}: ${m.text()}`);
      });
    });
  };
  const bobConnections = new Set<Duplex>();

  before(async function () {
    if (!existsSync(path.join(UI_DIST, 'chat.html'))) {
      throw new Error(`dist/ui/chat.html is missing: run \`npm run build:ui\` before this test (npm test does).`);
    }
    server = await startTestServer();
    browser = await launchChromium();
    aliceContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    // Bob uses a 320 px wide window: the width of Outlook's task pane.
    bobContext = await browser.newContext({ viewport: { width: 320, height: 640 }, userAgent: BOB_AGENT });
    // Only watches the upgrade requests (Socket.IO still handles them): remembers bob's live WebSockets.
    server.httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
      if (req.headers['user-agent'] !== BOB_AGENT) return;
      bobConnections.add(socket);
      socket.once('close', () => bobConnections.delete(socket));
    });
    for (const c of [aliceContext, bobContext]) c.setDefaultTimeout(30_000);
    for (const c of [aliceContext, bobContext]) watchForPageProblems(c);
    alice = await aliceContext.newPage();
    bob = await bobContext.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the owner signs in on the home page and starts a chat for bob', async () => {
    await alice.goto(`${server.url}/`);
    await signInThroughPage(alice, server, ALICE);
    await alice.getByRole('heading', { name: 'My chats' }).waitFor();
    await alice.getByText('No chats yet').waitFor();
    await alice.getByLabel('Subject').fill('Quarterly plan');
    await alice.getByLabel('People').fill(BOB);
    await alice.getByRole('button', { name: 'Start chat' }).click();
    await alice.waitForURL(new RegExp(`/c/${UUID_PATTERN}$`));
    chatUrl = alice.url();
    await alice.locator('.ic-panel[data-status="online"]').waitFor();
    await alice.getByRole('heading', { name: 'Quarterly plan' }).first().waitFor();
    // The message box opens once the chat is joined.
    await alice.locator('textarea.ic-draft:enabled').waitFor();
  });

  it('bob opens the chat link, proves his address with the emailed code, and joins', async () => {
    await bob.goto(chatUrl);
    await bob.getByRole('heading', { name: 'Sign in to join this chat' }).waitFor();
    await signInThroughPage(bob, server, BOB);
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await bob.locator('.ic-system', { hasText: `${BOB} joined` }).waitFor();
    // Alice sees bob join live.
    await alice.locator('.ic-system', { hasText: `${BOB} joined` }).waitFor();
  });

  it('they chat live both ways, with a typing indicator', async () => {
    await say(alice, 'Hi Bob, did you see the numbers?');
    await bob.locator('.ic-log .ic-body', { hasText: 'Hi Bob, did you see the numbers?' }).waitFor();

    await composer(bob).pressSequentially('Yes, looking', { delay: 20 });
    await alice.locator('.ic-typing', { hasText: `${BOB} is typing` }).waitFor();
    await composer(bob).press('Enter');
    await alice.locator('.ic-log .ic-body', { hasText: 'Yes, looking' }).waitFor();

    // User text is never markup.
    await say(alice, '<img src=x onerror="document.title=1"> & <b>bold</b>');
    const shown = bob.locator('.ic-log .ic-body', { hasText: '<b>bold</b>' });
    await shown.waitFor();
    assert.equal(await bob.locator('.ic-log img, .ic-log b').count(), 0);
    // Shift+Enter starts a new line; Enter sends.
    await composer(bob).pressSequentially('line one');
    await composer(bob).press('Shift+Enter');
    await composer(bob).pressSequentially('line two');
    await composer(bob).press('Enter');
    await alice.locator('.ic-log .ic-body', { hasText: 'line two' }).waitFor();
    assert.equal(await alice.locator('.ic-log .ic-body', { hasText: 'line two' }).innerText(), 'line one\nline two');
    assert.equal(await composer(bob).inputValue(), '');
    assert.deepEqual(await transcriptTexts(bob), await transcriptTexts(alice));
  });

  it('web and mail addresses in a message are safe links; other schemes stay text', async () => {
    await say(alice, 'Plan at https://example.com/plan?q=1 or mail carol@example.org, not javascript:alert(1) or data:text/html,hi');
    const body = bob.locator('.ic-log .ic-body', { hasText: 'Plan at' });
    await body.waitFor();
    const links = await body.locator('a').evaluateAll((as) =>
      as.map((a) => ({
        href: a.getAttribute('href'),
        rel: a.getAttribute('rel'),
        target: a.getAttribute('target'),
        text: a.textContent,
      })),
    );
    assert.deepEqual(links, [
      { href: 'https://example.com/plan?q=1', rel: 'noopener noreferrer nofollow', target: '_blank', text: 'https://example.com/plan?q=1' },
      { href: 'mailto:carol@example.org', rel: 'noopener noreferrer nofollow', target: '_blank', text: 'carol@example.org' },
    ]);
    assert.equal(
      await body.innerText(),
      'Plan at https://example.com/plan?q=1 or mail carol@example.org, not javascript:alert(1) or data:text/html,hi',
    );
  });

  it('a message over the limit is refused whole with the count, never cut, and stays in the box', async () => {
    const long = `${'word '.repeat(820)}end`; // 4,103 characters
    await composer(alice).fill(long);
    await composer(alice).press('Enter');
    const count = alice.locator('.ic-count-over');
    await count.waitFor();
    assert.equal(await count.innerText(), '4,103 characters: 103 over the limit of 4,000. Shorten the message or send it in parts.');
    assert.equal(await composer(alice).inputValue(), long);
    assert.equal(await composer(alice).getAttribute('aria-invalid'), 'true');
    await composer(alice).fill(long.slice(0, 3990));
    assert.equal(await count.count(), 0);
    await composer(alice).press('Enter');
    await bob.locator('.ic-log .ic-body', { hasText: long.slice(3900, 3990).trim() }).waitFor();
    assert.equal(await composer(alice).inputValue(), '');
  });

  it('bob goes offline, alice sends 3 messages, bob comes back and sees each exactly once, in order', async () => {
    const cdp = await goOffline(bobContext, bob, bobConnections);
    await bob.locator('.ic-panel[data-status="offline"]').waitFor();
    await bob.getByText('Connection lost. Reconnecting…').waitFor();
    mkdirSync(SCREENSHOTS, { recursive: true });
    await bob.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-offline.png') });

    const offline = ['While you were away 1', 'While you were away 2', 'While you were away 3'];
    for (const text of offline) {
      await say(alice, text);
      await alice.locator('.ic-log .ic-body', { hasText: text }).waitFor();
    }
    // Bob really is offline: none of them reached his page.
    for (const text of offline) assert.equal(await bob.locator('.ic-log .ic-body', { hasText: text }).count(), 0);

    await goOnline(cdp);
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await bob.locator('.ic-log .ic-body', { hasText: offline[2]! }).waitFor();
    for (const text of offline) {
      assert.equal(await bob.locator('.ic-log .ic-body').getByText(text, { exact: true }).count(), 1, text);
    }
    const texts = await transcriptTexts(bob);
    const positions = offline.map((t) => texts.indexOf(t));
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'in send order',
    );
    const seqs = await seqsInDom(bob);
    assert.deepEqual(
      seqs,
      [...new Set(seqs)].sort((a, b) => a - b),
      'each seq once, ascending',
    );
    assert.deepEqual(texts, await transcriptTexts(alice));
  });

  it('a message written while offline waits, then is delivered exactly once after reconnecting', async () => {
    const cdp = await goOffline(bobContext, bob, bobConnections);
    await bob.locator('.ic-panel[data-status="offline"]').waitFor();
    await say(bob, 'Written while offline');
    await bob.locator('.ic-outbox .ic-pending', { hasText: 'Written while offline' }).waitFor();
    assert.equal(await alice.locator('.ic-log .ic-body', { hasText: 'Written while offline' }).count(), 0);

    await goOnline(cdp);
    await alice.locator('.ic-log .ic-body', { hasText: 'Written while offline' }).waitFor();
    await bob.locator('.ic-log .ic-body', { hasText: 'Written while offline' }).waitFor();
    await bob.locator('.ic-outbox li').first().waitFor({ state: 'detached' });
    for (const page of [alice, bob]) {
      assert.equal(await page.locator('.ic-body').getByText('Written while offline', { exact: true }).count(), 1);
    }
  });

  it('a message left unsent when the page closed offline is delivered once the chat is opened again', async () => {
    await goOffline(bobContext, bob, bobConnections);
    await bob.locator('.ic-panel[data-status="offline"]').waitFor();
    await say(bob, 'Kept across a closed tab');
    await bob.locator('.ic-outbox .ic-pending', { hasText: 'Kept across a closed tab' }).waitFor();
    await bob.close();

    bob = await bobContext.newPage();
    await bob.goto(chatUrl);
    await bob.locator('.ic-log .ic-body', { hasText: 'Kept across a closed tab' }).waitFor();
    await alice.locator('.ic-log .ic-body', { hasText: 'Kept across a closed tab' }).waitFor();
    assert.equal(await bob.locator('.ic-outbox li').count(), 0);
    for (const page of [alice, bob]) {
      assert.equal(await page.locator('.ic-body').getByText('Kept across a closed tab', { exact: true }).count(), 1);
    }
    assert.equal(await bob.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('inbox-chat.unsent.')).length), 0);
  });

  it('a reload keeps the session and shows each message once', async () => {
    const before = await transcriptTexts(bob);
    await bob.reload();
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await bob
      .locator('.ic-log .ic-body')
      .getByText(before[before.length - 1]!, { exact: true })
      .waitFor();
    assert.deepEqual(await transcriptTexts(bob), before);
  });

  it('a draft is kept per chat across a reload, and sending it clears it', async () => {
    await composer(bob).fill('Half a thought,\nstill typing');
    await bob.reload();
    await bob.locator('textarea.ic-draft:enabled').waitFor();
    assert.equal(await composer(bob).inputValue(), 'Half a thought,\nstill typing');
    await composer(bob).press('Enter');
    await alice.locator('.ic-log .ic-body', { hasText: 'still typing' }).waitFor();
    await bob.reload();
    await bob.locator('textarea.ic-draft:enabled').waitFor();
    assert.equal(await composer(bob).inputValue(), '');
  });

  it("bob's home page lists the chat and follows new messages live", async () => {
    const home = await bobContext.newPage();
    try {
      await home.goto(`${server.url}/`);
      const item = home.locator('.chat-item', { hasText: 'Quarterly plan' });
      await item.waitFor();
      await say(alice, 'Ping for the list');
      await item.locator('.chat-last', { hasText: `${ALICE}: Ping for the list` }).waitFor();
    } finally {
      await home.close();
    }
  });

  it('one mistyped address does not refuse the chat: the others are invited and it is named', async () => {
    const home = await aliceContext.newPage();
    try {
      await home.goto(`${server.url}/`);
      await home.getByLabel('Subject').fill('Typo test');
      await home.getByLabel('People').fill('dave@example.org, not-an-address');
      await home.getByRole('button', { name: 'Start chat' }).click();
      const error = home.locator('.form-error', { hasText: 'not-an-address is not an email address' });
      await error.waitFor();
      assert.match(
        await error.innerText(),
        /The chat was started, but these invitations were not sent: not-an-address is not an email address\./,
      );
      await error.getByRole('link', { name: 'Open the chat' }).click();
      await home.getByRole('heading', { name: 'Typo test' }).first().waitFor();
      await home.locator('.ic-panel[data-status="online"]').waitFor();
    } finally {
      await home.close();
    }
  });

  it('deleting my own message leaves a tombstone for everyone', async () => {
    await say(alice, 'Oops, wrong chat');
    await bob.locator('.ic-log .ic-body', { hasText: 'Oops, wrong chat' }).waitFor();
    const mine = alice.locator('.ic-log .ic-msg', { hasText: 'Oops, wrong chat' });
    await mine.getByRole('button', { name: 'Delete this message' }).click();
    await mine.getByRole('button', { name: 'Delete for everyone?' }).click();
    for (const page of [alice, bob]) {
      await page.locator('.ic-log .ic-body', { hasText: 'Oops, wrong chat' }).waitFor({ state: 'detached' });
    }
    const seq = await alice.locator('.ic-log .ic-deleted').last().getAttribute('data-seq');
    assert.equal(await bob.locator(`.ic-log [data-seq="${seq}"] .ic-tombstone`).innerText(), 'Message deleted');
    // Only my own messages offer deletion.
    assert.equal(await bob.locator('.ic-log .ic-msg:not(.ic-mine) .ic-delete').count(), 0);
  });

  it('someone outside the audience asks for access; after the owner approves, they get in', async () => {
    const carolContext = await browser.newContext({ viewport: { width: 800, height: 700 } });
    watchForPageProblems(carolContext);
    carolContext.setDefaultTimeout(30_000);
    const carol = await carolContext.newPage();
    try {
      await carol.goto(chatUrl);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await signInThroughPage(carol, server, CAROL, {
        wrongCodeFirst: true,
        screenshot: path.join(SCREENSHOTS, 'chat-page-sign-in.png'),
      });
      await carol.getByRole('heading', { name: 'You are not in this chat' }).waitFor();
      await carol.getByLabel('Note to the chat owner (optional)').fill('Bob forwarded me the email');
      await carol.getByRole('button', { name: 'Request access' }).click();
      await carol.getByRole('heading', { name: 'Waiting for the chat owner' }).waitFor();

      const request = alice.locator('.request', { hasText: CAROL });
      await request.waitFor();
      assert.match(await request.innerText(), /Bob forwarded me the email/);
      await alice.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-access-request.png') });
      await carol.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-waiting.png') });
      await alice.getByRole('button', { name: `Approve ${CAROL}` }).click();
      await request.waitFor({ state: 'detached' });

      // Carol's waiting page opens the chat by itself, with the history so far.
      await carol.locator('.ic-panel[data-status="online"]').waitFor();
      await carol.locator('.ic-log .ic-body', { hasText: 'While you were away 3' }).waitFor();
      await alice.locator('.ic-system', { hasText: `${CAROL} joined` }).waitFor();
      await say(carol, 'Thanks for letting me in');
      await bob.locator('.ic-log .ic-body', { hasText: 'Thanks for letting me in' }).waitFor();
    } finally {
      await carolContext.close();
    }
  });

  it('a declined request says so', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    try {
      await page.goto(chatUrl);
      await signInThroughPage(page, server, 'dave@example.net');
      await page.getByRole('button', { name: 'Request access' }).click();
      await page.getByRole('heading', { name: 'Waiting for the chat owner' }).waitFor();
      await alice.getByRole('button', { name: 'Decline dave@example.net' }).click();
      await page.getByRole('heading', { name: 'Request declined' }).waitFor();
      // Coming back later shows the same answer.
      await page.reload();
      await page.getByRole('heading', { name: 'Request declined' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('a chat link with an unknown id says the chat was not found', async () => {
    const page = await aliceContext.newPage();
    try {
      await page.goto(`${server.url}/c/7b0c2f7e-8a51-4d7e-9d4e-2f1d2c3b4a59`);
      await page.getByRole('heading', { name: 'Chat not found' }).waitFor();
      await page.goto(`${server.url}/c/not-a-uuid`);
      await page.getByRole('heading', { name: 'Chat not found' }).waitFor();
    } finally {
      await page.close();
    }
  });

  it('the magic link in the email signs in and opens the chat; used a second time, it says so', async () => {
    const chatId = new URL(chatUrl).pathname.split('/').pop()!;
    const before = lastMailId(server);
    const start = await api(server, 'POST', '/api/auth/start', { address: BOB, chatId });
    assert.equal(start.status, 202);
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(BOB));
    const link = /(https?:\/\/\S+#signin=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link, 'the email carries a sign-in link');
    assert.equal(new URL(link).pathname, `/c/${chatId}`);

    const first = await browser.newContext();
    const second = await browser.newContext();
    try {
      const page = await first.newPage();
      await page.goto(link);
      await page.locator('.ic-panel[data-status="online"]').waitFor();
      await page.locator('.ic-log .ic-body', { hasText: 'Thanks for letting me in' }).waitFor();
      assert.equal(new URL(page.url()).hash, '', 'the one-time token is removed from the address bar');

      const again = await second.newPage();
      await again.goto(link);
      await again.getByRole('alert').filter({ hasText: 'expired or was already used' }).waitFor();
      await again.getByLabel('Your email address').waitFor();
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a long chat opens at its newest messages and pages back with "Load earlier messages"', async () => {
    const owner = await signIn(server, ALICE);
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Long chat', audience: { to: [BOB] }, source: 'STANDALONE' },
      owner.token,
    );
    assert.equal(created.status, 201);
    const id: string = created.body.id;
    const total = 560;
    for (let start = 1; start <= total; start += 40) {
      await Promise.all(
        Array.from({ length: Math.min(40, total - start + 1) }, (_, i) =>
          api(server, 'POST', `/api/chats/${id}/messages`, { clientId: `long-${start + i}`, body: `Long ${start + i}` }, owner.token),
        ),
      );
    }
    const page = await aliceContext.newPage();
    try {
      await page.goto(`${server.url}/c/${id}`);
      await page
        .locator('.ic-log .ic-body', { hasText: `Long ${total}` })
        .first()
        .waitFor();
      const earlier = page.getByRole('button', { name: 'Load earlier messages' });
      await earlier.waitFor();
      const shownBefore = await page.locator('.ic-log .ic-msg').count();
      assert.ok(shownBefore < total, 'not the whole transcript at once');
      await earlier.click();
      await page.waitForFunction((n) => document.querySelectorAll('.ic-log .ic-msg').length > n, shownBefore);
      const seqs = await seqsInDom(page);
      assert.deepEqual(
        seqs,
        [...new Set(seqs)].sort((a, b) => a - b),
        'each seq once, ascending',
      );
      assert.equal(seqs[seqs.length - 1]! - seqs[0]! + 1, seqs.length, 'no holes between pages');

      // The owner ends the chat: it stays readable but takes no new messages.
      await page.getByRole('button', { name: 'End chat' }).click();
      await page.getByRole('button', { name: 'End for everyone?' }).click();
      await page.getByText('This chat has ended. It is read only.').waitFor();
      await page.locator('textarea.ic-draft:disabled').waitFor();
    } finally {
      await page.close();
    }
  });

  it('a "Reply with IM" chat shows the answered email as a quote, as text', async () => {
    const owner = await signIn(server, BOB);
    const quote = { from: ALICE, text: 'Hi Bob,\n\nCan we move the review to <b>Friday</b>?\n\nAlice' };
    const created = await api(server, 'POST', '/api/chats', { subject: 'Re: Review', audience: { to: [ALICE] }, quote }, owner.token);
    assert.equal(created.status, 201);
    const page = await aliceContext.newPage();
    try {
      await page.goto(`${server.url}/c/${created.body.id}`);
      const block = page.locator('.ic-log .ic-quote');
      await block.waitFor();
      assert.equal(await block.locator('figcaption').innerText(), `Email from ${ALICE}`);
      assert.equal(await block.locator('blockquote').innerText(), quote.text);
      assert.equal(await block.locator('b').count(), 0);
      assert.equal(await seqsInDom(page).then((s) => s[0]), 1, 'the quote is the first history entry');
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-quote.png') });
    } finally {
      await page.close();
    }
  });

  it('the keyboard path: focus lands in the message box, reaching it takes as many Tabs however long the chat, arrows walk the messages', async () => {
    const page = await aliceContext.newPage();
    const tabsToComposer = async () => {
      await page.goto(chatUrl);
      await page.locator('textarea.ic-draft:enabled').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.className), 'ic-draft', 'focus starts in the message box');
      await page.evaluate(() => (document.activeElement as HTMLElement).blur());
      for (let tabs = 1; tabs <= 60; tabs++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(() => document.activeElement?.className === 'ic-draft')) return tabs;
      }
      throw new Error('the message box is not reachable with Tab');
    };
    try {
      const before = await tabsToComposer();
      // Six more messages of alice's own, each with a Delete button.
      for (let i = 1; i <= 6; i++) await say(alice, `Keyboard check ${i}`);
      assert.equal(await tabsToComposer(), before);
      // Shift+Tab goes back to the conversation (its messages' buttons are not Tab stops), then the arrows move between messages.
      // (the attach and record buttons sit between them: a fixed number of stops, however long the chat).
      for (let i = 0; i < 4 && (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) !== 'Conversation'; i++) {
        await page.keyboard.press('Shift+Tab');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Conversation');
      await page.keyboard.press('ArrowUp');
      assert.match(await page.evaluate(() => (document.activeElement as HTMLElement).innerText), /Keyboard check 6/);
      await page.keyboard.press('ArrowUp');
      assert.match(await page.evaluate(() => (document.activeElement as HTMLElement).innerText), /Keyboard check 5/);
      // The focused message's own Delete is the next Tab stop.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Delete this message');
    } finally {
      await page.close();
    }
  });

  it('follows the system dark mode, with no contrast problems axe-core can find', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const dark = await browser.newContext({
      colorScheme: 'dark',
      viewport: { width: 1100, height: 760 },
      storageState: await aliceContext.storageState(),
    });
    try {
      const page = await dark.newPage();
      await page.goto(chatUrl);
      await page.locator('.ic-panel[data-status="online"]').waitFor();
      const colours = await page.evaluate(() => ({
        page: getComputedStyle(document.body).backgroundColor,
        panel: getComputedStyle(document.querySelector('.ic-panel')!).backgroundColor,
      }));
      assert.deepEqual(colours, { page: 'rgb(1, 4, 9)', panel: 'rgb(13, 17, 23)' });
      assert.deepEqual(await accessibilityProblems(page), []);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-dark.png') });
    } finally {
      await dark.close();
    }
  });

  it('has no WCAG 2 A/AA problems axe-core can find: sign-in, home, chat wide and at 320 px', async () => {
    const problems: string[] = [];
    const context = await browser.newContext();
    try {
      const signInPage = await context.newPage();
      await signInPage.goto(chatUrl);
      await signInPage.getByLabel('Your email address').waitFor();
      problems.push(...(await accessibilityProblems(signInPage)).map((p) => `sign-in: ${p}`));
    } finally {
      await context.close();
    }
    const home = await aliceContext.newPage();
    try {
      await home.goto(`${server.url}/`);
      await home.locator('.chat-item').first().waitFor();
      problems.push(...(await accessibilityProblems(home)).map((p) => `home: ${p}`));
    } finally {
      await home.close();
    }
    problems.push(...(await accessibilityProblems(alice)).map((p) => `chat: ${p}`));
    problems.push(...(await accessibilityProblems(bob)).map((p) => `chat 320px: ${p}`));
    assert.deepEqual(problems, []);
  });

  it('saves screenshots of the chat page, wide and at 320 px', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await bob.locator('.ic-log .ic-body', { hasText: 'Thanks for letting me in' }).waitFor();
    await alice.screenshot({ path: path.join(SCREENSHOTS, 'chat-page.png') });
    await bob.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-narrow.png') });
    // Alice's home page lists the chat with bob's and carol's unread messages.
    const home = await aliceContext.newPage();
    try {
      await home.goto(`${server.url}/`);
      const item = home.locator('.chat-item', { hasText: 'Quarterly plan' });
      await item.waitFor();
      await home.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-home.png') });
    } finally {
      await home.close();
    }
    assert.deepEqual(pageProblems, [], 'no uncaught errors or CSP violations on any page');
    // Nothing overflows sideways in the narrow pane.
    const overflow = await bob.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0);
  });
});
