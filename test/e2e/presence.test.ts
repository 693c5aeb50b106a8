/**
 * Presence dots in the shared chat panel and the contacts view, in real Chromium against a
 * real server, PostgreSQL and Socket.IO: another member's dot goes available, away (after the
 * delay, with "last seen") and disappears when they choose "Nobody" on their own home page;
 * a member who hides their presence never gets a dot, while connected and visible.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, type ClientSocket, connectSocket, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { accessibilityProblems, assertUiBuilt, launchChromium, signInThroughPage, watchForPageProblems } from '../support/browser.ts';

const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const CAT = 'cat@example.com';

/** As the browser does when the tab goes to the background or comes back (headless pages are always shown). */
const setVisibility = (page: Page, visible: boolean) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => ${visible ? "'visible'" : "'hidden'"} });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${!visible} });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

describe('presence dots (Chromium)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let catSocket: ClientSocket | undefined;

  before(async () => {
    assertUiBuilt();
    // Realistic timings, scaled down (production: away after 120 s, heartbeat 15 s).
    server = await startTestServer({ PRESENCE_AWAY_MS: '1200', PRESENCE_HEARTBEAT_MS: '300' });
    browser = await launchChromium();
  });
  after(async () => {
    catSocket?.close();
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  async function pageOf(address: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    context.setDefaultTimeout(20_000);
    watchForPageProblems(context, problems);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, address);
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    return page;
  }

  it("shows another member's presence change live, hides it when they choose Nobody, and never shows a hidden member's", async () => {
    const ann = await signIn(server, ANN);
    const cat = await signIn(server, CAT);
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Lunch?', audience: { to: [BOB, CAT] } }, ann.token);
    const chatId: string = chat.body.id;
    // Cat accepted the chat, is connected and looking, but lets nobody see it.
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, cat.token)).status, 200);
    assert.equal((await api(server, 'PUT', '/api/me/presence', { visibility: 'NOBODY' }, cat.token)).status, 200);
    catSocket = await connectSocket(server.url, cat.token);
    catSocket.emit('presence:visibility', { visible: true });

    const bob = await pageOf(BOB);
    await bob.goto(`${server.url}/c/${chatId}`);
    await bob.locator('.ic-panel[data-status="online"]').waitFor();
    await bob.locator('.ic-members summary').click();
    const annRow = bob.locator('.ic-members-list li', { hasText: ANN });
    const catRow = bob.locator('.ic-members-list li', { hasText: CAT });
    await annRow.getByRole('img', { name: 'Offline' }).waitFor();

    const annPage = await pageOf(ANN);
    await annPage.goto(`${server.url}/c/${chatId}`);
    await annPage.locator('.ic-panel[data-status="online"]').waitFor();
    await annRow.getByRole('img', { name: 'Available' }).waitFor();
    // Bob sees his own dot too; Cat's row never has one.
    await bob
      .locator('.ic-members-list li', { hasText: `${BOB} (you)` })
      .getByRole('img', { name: 'Available' })
      .waitFor();
    assert.equal(await catRow.locator('.ic-presence').count(), 0);

    const hiddenAt = Date.now();
    await setVisibility(annPage, false);
    await annRow.getByRole('img', { name: /^Away, last seen / }).waitFor();
    assert.ok(Date.now() - hiddenAt >= 1_000, 'away only after the delay');
    assert.deepEqual(await accessibilityProblems(bob), []);

    // Ann chooses "Nobody" on her home page: Bob's dot for her goes at once.
    await annPage.goto(`${server.url}/`);
    await annPage.getByLabel('Nobody').check();
    await annPage.getByText('Saved.').waitFor();
    await annRow.locator('.ic-presence').waitFor({ state: 'detached' });
    assert.equal(await catRow.locator('.ic-presence').count(), 0);
    assert.deepEqual(problems, []);
  });

  it('the contacts view lists people I accepted a chat with, removes one and blocks an address', async () => {
    const bob = await browser.contexts()[0]!.pages()[0]!;
    await bob.goto(`${server.url}/`);
    const contacts = bob.getByRole('list', { name: 'My contacts' });
    const ann = contacts.getByRole('listitem').filter({ hasText: ANN });
    // Ann hides her presence from everyone now: listed, without a dot that says anything.
    await ann.getByRole('img', { name: 'Presence not shared' }).waitFor();
    await contacts.getByRole('listitem').filter({ hasText: CAT }).waitFor();
    assert.deepEqual(await accessibilityProblems(bob), []);

    await bob.getByRole('button', { name: `Remove ${ANN}` }).click();
    await bob.getByText(`${ANN} is no longer a contact.`).waitFor();
    await ann.waitFor({ state: 'detached' });
    await bob.getByRole('button', { name: `Block ${CAT}` }).click();
    await bob.getByRole('list', { name: 'Blocked addresses' }).getByText(CAT).waitFor();
    await contacts.getByRole('listitem').filter({ hasText: CAT }).waitFor({ state: 'detached' });
    assert.deepEqual((await api(server, 'GET', '/api/me/blocks', undefined, (await signIn(server, BOB)).token)).body.addresses, [CAT]);
    assert.deepEqual(problems, []);
  });
});
