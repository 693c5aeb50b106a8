/**
 * Issue 12's messenger basics in the shared chat panel, with two people in two Chromium contexts
 * on the web page: an edit shows as "edited" live for the other, reactions appear live, and the
 * author reads the earlier text. Real server, PostgreSQL, SMTP catcher and Chromium.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { accessibilityProblems, assertUiBuilt, launchChromium, signInThroughPage, watchForPageProblems } from '../support/browser.ts';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

describe('messenger basics in the chat panel: edit, reactions (Chromium, two people)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });
  afterEach(() => assert.deepEqual(problems.splice(0), []));

  /** A person's own browser, signed in through the page and showing the chat. */
  async function personAt(address: string, chatId: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    watchForPageProblems(context, problems);
    const page = await context.newPage();
    await page.goto(`${server.url}/c/${chatId}`);
    await signInThroughPage(page, server, address);
    await page.locator('.ic-panel[data-status="online"]').waitFor();
    return page;
  }

  async function chatWithBob(): Promise<{ chatId: string; alicePage: Page; bobPage: Page }> {
    const alice = await signIn(server, ALICE);
    const created = await api(server, 'POST', '/api/chats', { subject: 'Plans', audience: { to: [BOB] } }, alice.token);
    assert.equal(created.status, 201);
    const chatId = created.body.id as string;
    const alicePage = await personAt(ALICE, chatId);
    const bobPage = await personAt(BOB, chatId);
    return { chatId, alicePage, bobPage };
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.keyboard.press('Enter');
    await page.locator('.ic-mine .ic-body', { hasText: text }).waitFor();
  }

  it('an edit shows live as "edited" for the other person, and the author can read the earlier text', async () => {
    const { alicePage, bobPage } = await chatWithBob();
    await say(alicePage, 'Meet at 10');
    const bobsCopy = bobPage.locator('.ic-text', { hasText: 'Meet at 10' });
    await bobsCopy.waitFor();
    assert.equal(await bobsCopy.locator('.ic-edited').count(), 0);

    const mine = alicePage.locator('.ic-mine', { hasText: 'Meet at 10' });
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit this message' }).click();
    const box = alicePage.getByLabel('Edit message');
    assert.equal(await box.inputValue(), 'Meet at 10');
    await box.fill('Meet at 11, room B');
    await box.press('Enter');

    const edited = bobPage.locator('.ic-text', { hasText: 'Meet at 11, room B' });
    await edited.locator('.ic-edited', { hasText: 'edited' }).waitFor();
    assert.equal(await bobPage.locator('.ic-text', { hasText: 'Meet at 10' }).count(), 0, 'the old text is gone for bob');
    assert.equal(await edited.locator('button.ic-edited').count(), 0, 'bob sees that it was edited, not what it said');

    const aliceEdited = alicePage.locator('.ic-mine', { hasText: 'Meet at 11, room B' });
    await aliceEdited.getByRole('button', { name: 'edited' }).click();
    await aliceEdited.locator('.ic-revisions li', { hasText: 'Meet at 10' }).waitFor();
    assert.deepEqual(await accessibilityProblems(alicePage), [], 'with an edited message and its earlier texts');

    // A reload shows the current text, still marked: it came from the server, not the page's memory.
    await bobPage.reload();
    await bobPage.locator('.ic-text', { hasText: 'Meet at 11, room B' }).locator('.ic-edited').waitFor();
  });

  it('a reaction appears live for the other person, counted and pressed for its author, and can be taken back', async () => {
    const { alicePage, bobPage } = await chatWithBob();
    await say(alicePage, 'Shipped the release');
    const bobsCopy = bobPage.locator('.ic-text', { hasText: 'Shipped the release' });
    await bobsCopy.waitFor();
    await bobsCopy.hover();
    await bobsCopy.getByLabel('Add a reaction').click();
    await bobsCopy.getByRole('button', { name: 'React 🎉' }).click();

    const chipForBob = bobsCopy.locator('.ic-reaction', { hasText: '🎉' });
    await chipForBob.and(bobPage.locator('[aria-pressed="true"]')).waitFor();
    const chipForAlice = alicePage.locator('.ic-mine', { hasText: 'Shipped the release' }).locator('.ic-reaction', { hasText: '🎉' });
    await chipForAlice.waitFor();
    assert.equal(await chipForAlice.locator('.ic-reaction-count').innerText(), '1');
    assert.equal(await chipForAlice.getAttribute('aria-pressed'), 'false');
    assert.match((await chipForAlice.getAttribute('title')) ?? '', new RegExp(BOB.replace('.', '\\.')));

    // Alice adds the same one: two; bob takes his back: one, hers.
    await chipForAlice.click();
    await chipForBob.locator('.ic-reaction-count', { hasText: '2' }).waitFor();
    await chipForBob.click();
    await chipForAlice.locator('.ic-reaction-count', { hasText: '1' }).waitFor();
    await chipForAlice.and(alicePage.locator('[aria-pressed="true"]')).waitFor();
    await bobsCopy.hover();
    await bobsCopy.getByLabel('Add a reaction').click();
    assert.deepEqual(await accessibilityProblems(bobPage), [], 'with reactions and the picker open');
  });

  it('typing @ offers the members; the mention is highlighted, and stands out for the mentioned person only', async () => {
    const { alicePage, bobPage } = await chatWithBob();
    const box = alicePage.getByLabel('Message', { exact: true });
    await box.pressSequentially('Thanks @bo');
    const option = alicePage.getByRole('listbox', { name: 'Mention someone' }).getByRole('option', { name: BOB });
    await option.waitFor();
    assert.equal(await box.getAttribute('aria-activedescendant'), await option.getAttribute('id'), 'the first member is the active option');
    assert.deepEqual(await accessibilityProblems(alicePage), [], 'with the mention list open');
    await box.press('Enter');
    assert.equal(await box.inputValue(), `Thanks @${BOB} `, 'picking fills in the name and keeps the message unsent');
    await box.pressSequentially('for the review');
    await box.press('Enter');

    const bobsCopy = bobPage.locator('.ic-text', { hasText: 'for the review' });
    await bobsCopy.waitFor();
    assert.match((await bobsCopy.getAttribute('class')) ?? '', /\bic-mentions-me\b/);
    assert.equal(await bobsCopy.locator('mark.ic-mention').innerText(), `@${BOB}`);
    const alicesCopy = alicePage.locator('.ic-mine', { hasText: 'for the review' });
    await alicesCopy.locator('mark.ic-mention').waitFor();
    assert.doesNotMatch((await alicesCopy.getAttribute('class')) ?? '', /\bic-mentions-me\b/, 'the author is not mentioned');

    // Text that only looks like a mention is not one.
    await alicePage.getByLabel('Message', { exact: true }).fill(`mail @${BOB} later`);
    await alicePage.keyboard.press('Escape');
    await alicePage.keyboard.press('Enter');
    const plain = bobPage.locator('.ic-text', { hasText: 'later' });
    await plain.waitFor();
    assert.equal(await plain.locator('mark.ic-mention').count(), 0);
    assert.doesNotMatch((await plain.getAttribute('class')) ?? '', /\bic-mentions-me\b/);
  });

  it('a display name set on the settings page shows instead of the address, with the address on hover', async () => {
    const { chatId, alicePage, bobPage } = await chatWithBob();
    await say(bobPage, 'Hello from bob');
    await alicePage.locator('.ic-text .ic-author', { hasText: BOB }).waitFor();

    // Bob names himself on the home page's settings, in the same browser.
    await bobPage.goto(`${server.url}/#settings`);
    const nameBox = bobPage.getByLabel('Display name');
    await nameBox.fill('Bobby Tables');
    await bobPage.getByRole('button', { name: 'Save name' }).click();
    await bobPage.getByText('Saved: you show as Bobby Tables.').waitFor();

    // Alice's open chat refreshes by itself: the author line, the people list and a new message.
    const author = alicePage.locator('.ic-text', { hasText: 'Hello from bob' }).locator('.ic-author');
    await author.filter({ hasText: 'Bobby Tables' }).waitFor();
    assert.equal(await author.getAttribute('title'), BOB);
    const person = alicePage.locator('.ic-members .ic-address', { hasText: 'Bobby Tables' });
    await person.waitFor({ state: 'attached' });
    assert.equal(await person.getAttribute('title'), BOB);

    // The mention list offers him by name too.
    const box = alicePage.getByLabel('Message', { exact: true });
    await box.pressSequentially('@bobby');
    await alicePage
      .getByRole('listbox', { name: 'Mention someone' })
      .getByRole('option', { name: `Bobby Tables ${BOB}` })
      .waitFor();
    await box.press('Escape');
    await box.fill('');

    // And My chats names him.
    await alicePage.goto(`${server.url}/`);
    const item = alicePage.locator(`.chat-item[data-chat-id="${chatId}"]`);
    await item.locator(`.chat-people span[title="${BOB}"]`, { hasText: 'Bobby Tables' }).waitFor();
    await item.locator('.chat-last', { hasText: 'Bobby Tables: Hello from bob' }).waitFor();
  });
});
