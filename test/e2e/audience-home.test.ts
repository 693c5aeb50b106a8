/**
 * Issue 12 in the browser: a chat I am in the audience of appears on my home page the moment it
 * is created, before I open it, marked as new; opening it joins it and the mark goes away.
 * Real server, real PostgreSQL, real SMTP catcher, real Chromium.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { UI_DIST } from '../../backend/src/http/app.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { launchChromium } from '../support/browser.ts';

async function signInThroughPage(page: Page, server: TestServer, address: string) {
  const before = lastMailId(server);
  await page.getByLabel('Your email address').fill(address);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  const code = await codeFromMail(server, address, before);
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('home page: chats I am in the audience of (Chromium)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    if (!existsSync(path.join(UI_DIST, 'chat.html'))) throw new Error('dist/ui is missing: run `npm run build:ui` first');
    server = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('a chat created for me shows up live, marked new, and is no longer new once opened', async () => {
    const alice = await signIn(server, 'alice@example.com');
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(30_000);
    const home = await context.newPage();
    await home.goto(`${server.url}/`);
    await signInThroughPage(home, server, 'bob@example.com');
    await home.getByRole('heading', { name: 'My chats' }).waitFor();
    await home.getByText('No chats yet').waitFor();

    // Alice starts a chat for bob (Bcc: hidden from others, still in bob's own list).
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Budget review', audience: { from: ['alice@example.com'], bcc: ['bob@example.com'] } },
      alice.token,
    );
    assert.equal(created.status, 201);
    const chatId: string = created.body.id;
    await api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId: 'a1', body: 'Numbers attached' }, alice.token);

    // No reload: the watcher is told and the list refreshes.
    const item = home.locator(`.chat-item[data-chat-id="${chatId}"]`);
    await item.waitFor();
    assert.match((await item.getAttribute('class')) ?? '', /\bchat-new\b/);
    await item.locator('.badge-new', { hasText: 'new' }).waitFor();
    await item.locator('.chat-last', { hasText: 'alice@example.com: Numbers attached' }).waitFor();

    await item.locator('a.chat-link').click();
    await home.waitForURL(new RegExp(`/c/${chatId}$`));
    await home.locator('.ic-panel[data-status="online"]').waitFor();
    await home.locator('.ic-text .ic-body', { hasText: 'Numbers attached' }).waitFor();

    await home.goto(`${server.url}/`);
    const after = home.locator(`.chat-item[data-chat-id="${chatId}"]`);
    await after.waitFor();
    assert.equal(await after.locator('.badge-new').count(), 0);
    assert.doesNotMatch((await after.getAttribute('class')) ?? '', /\bchat-new\b/);
    await context.close();
  });
});
