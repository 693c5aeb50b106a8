/**
 * Login CSRF on the chat page (Chromium): a link from an email signs in whoever's address it
 * was sent to, and anyone can send their own link to someone else. A signed-in visitor who opens
 * another person's link is asked, naming both addresses, and keeps their session unless they accept.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { SessionView } from '../../protocol/index.ts';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  personalLink,
  signInThroughPage,
  storedSession,
  watchForPageProblems,
} from '../support/browser.ts';
import { api, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';

const VISITOR = 'visitor@example.com';
const MALLORY = 'mallory@example.net';

describe('account switch: a link for someone else asks first (Chromium)', function () {
  let server: TestServer;
  let browser: Browser;
  let mallory: SessionView;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    browser = await launchChromium();
    mallory = await signIn(server, MALLORY);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });
  afterEach(() => assert.deepEqual(problems.splice(0), []));

  /** A visitor's browser, signed in as VISITOR through the page. */
  async function signedInVisitor(): Promise<{ context: BrowserContext; page: Page; token: string }> {
    const context = await browser.newContext();
    contexts.push(context);
    watchForPageProblems(context, problems);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, VISITOR);
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    const stored = await storedSession(page);
    assert.equal(stored?.address, VISITOR);
    return { context, page, token: stored.token };
  }

  /** Mallory's own one-click sign-in link, which she could paste anywhere. */
  async function mallorysSignInLink(): Promise<string> {
    const before = lastMailId(server);
    assert.equal((await api(server, 'POST', '/api/auth/start', { address: MALLORY })).status, 202);
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(MALLORY));
    const link = /(https?:\/\/\S+#signin=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    assert.ok(link);
    return link;
  }

  async function isValid(token: string): Promise<boolean> {
    return (await api(server, 'GET', '/api/me', undefined, token)).status === 200;
  }

  it("declining another person's #signin= link keeps the visitor's session", async () => {
    const { context, token } = await signedInVisitor();
    // Opened from an email: a new tab on the visitor's signed-in browser.
    const page = await context.newPage();
    await page.goto(await mallorysSignInLink());
    const question = page.locator('.account-switch');
    await page.getByRole('heading', { name: 'Switch accounts?' }).waitFor();
    const text = await question.innerText();
    assert.ok(text.includes(VISITOR) && text.includes(MALLORY), text);
    assert.equal(new URL(page.url()).hash, '', 'the one-time token left the address bar');
    // Nothing was switched while the question is open.
    assert.equal((await storedSession(page))?.token, token);
    assert.deepEqual(await accessibilityProblems(page), []);

    await page.getByRole('button', { name: `Stay signed in as ${VISITOR}` }).click();
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    assert.equal(await page.locator('.page-address').innerText(), VISITOR);
    assert.equal((await storedSession(page))?.token, token);
    assert.ok(await isValid(token), "the visitor's session still works");
    await page.reload();
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    assert.equal(await page.locator('.page-address').innerText(), VISITOR);
  });

  it("accepting switches to the link's account and ends the old session", async () => {
    const { context, token } = await signedInVisitor();
    const page = await context.newPage();
    await page.goto(await mallorysSignInLink());
    await page.getByRole('button', { name: `Switch to ${MALLORY}` }).click();
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    assert.equal(await page.locator('.page-address').innerText(), MALLORY);
    assert.equal((await storedSession(page))?.address, MALLORY);
    assert.equal(await isValid(token), false, 'the session left behind is signed out');
  });

  it("another person's personal #link= from an email asks too, instead of signing the visitor out", async () => {
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Bait', audience: { to: [] }, source: 'STANDALONE' }, mallory.token);
    assert.equal(chat.status, 201);
    const before = lastMailId(server);
    // Mallory invites an address of her own and forwards the invitation's personal link.
    const invited = await api(
      server,
      'POST',
      `/api/chats/${chat.body.id}/invitations`,
      { address: 'mallory.alt@example.net' },
      mallory.token,
    );
    assert.equal(invited.status, 201);
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes('mallory.alt@example.net'));
    const link = personalLink(mail.text);

    const { context, token } = await signedInVisitor();
    const page = await context.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Switch accounts?' }).waitFor();
    assert.match(await page.locator('.account-switch').innerText(), /mallory\.alt@example\.net/);
    await page.getByRole('button', { name: `Stay signed in as ${VISITOR}` }).click();
    // The chat page opens for the visitor, who is not in that chat's audience.
    await page.locator('.page-address', { hasText: VISITOR }).waitFor();
    assert.equal((await storedSession(page))?.token, token);
    assert.ok(await isValid(token));
  });
});
