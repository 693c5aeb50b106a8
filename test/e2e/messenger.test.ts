/**
 * The messenger in real Chromium against a real server, PostgreSQL, Redis and Socket.IO: chats
 * switch in place (no page load, the address bar and Back follow), unread counts move live,
 * search finds a message by a word and opens the chat at it (paging history back to it), the
 * filters, one side at a time at 320 px, starting a chat with a contact, axe-core, screenshots.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LIMITS } from '../../protocol/limits.ts';
import { UUID_PATTERN } from '../../protocol/patterns.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  SCREENSHOTS,
  signInThroughPage,
  watchForPageProblems,
} from '../support/browser.ts';
import { waitUntil } from '../support/wait.ts';

const ANN = 'ann@example.com';
const BOB = 'bob@example.org';
const CAT = 'cat@example.net';

describe('the messenger (Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let annState: Awaited<ReturnType<BrowserContext['storageState']>>;
  let bobToken = '';
  let annToken = '';
  const ids = { budget: '', lunch: '', old: '', fresh: '' };
  let giraffeSeq = 0;

  const post = async (token: string, p: string, body: object = {}) => {
    const r = await api(server, 'POST', p, body, token);
    assert.ok(r.status < 300, `${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const say = async (token: string, chatId: string, body: string): Promise<number> =>
    (await post(token, `/api/chats/${chatId}/messages`, { clientId: crypto.randomUUID(), body })).seq;

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    browser = await launchChromium();
    const [ann, bob, cat] = await Promise.all([signIn(server, ANN), signIn(server, BOB), signIn(server, CAT)]);
    bobToken = bob.token;
    annToken = ann.token;
    ids.budget = (await post(ann.token, '/api/chats', { subject: 'Budget review', audience: { to: [BOB] } })).id;
    await post(bob.token, `/api/chats/${ids.budget}/open`);
    giraffeSeq = await say(bob.token, ids.budget, 'The giraffe budget is approved <img src=x onerror=alert(1)>');
    // More than one first join carries: the hit is only reached by paging history back.
    for (let i = 0; i < LIMITS.catchUp + 40; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => say(ann.token, ids.budget, `Line ${i + k} of the spreadsheet`)));
    }
    ids.lunch = (await post(bob.token, '/api/chats', { subject: 'Lunch plans', audience: { to: [ANN] } })).id;
    await post(ann.token, `/api/chats/${ids.lunch}/open`);
    await say(bob.token, ids.lunch, 'Pizza at noon?');
    ids.old = (await post(ann.token, '/api/chats', { subject: 'Old project', audience: { to: [CAT] } })).id;
    await post(cat.token, `/api/chats/${ids.old}/open`);
    await say(cat.token, ids.old, 'All wrapped up');
    assert.equal((await api(server, 'DELETE', `/api/chats/${ids.old}`, undefined, ann.token)).status, 200);
    // In Ann's audience, never opened by her: "new", so it counts as unread.
    ids.fresh = (await post(bob.token, '/api/chats', { subject: 'Fresh idea', audience: { to: [ANN] } })).id;

    const context = await newContext({ width: 1280, height: 800 });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, ANN);
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    annState = await context.storageState();
    await context.close();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    assert.deepEqual(problems, []);
  });

  async function newContext(viewport: { width: number; height: number }, colorScheme: 'light' | 'dark' = 'light'): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport, colorScheme, ...(annState ? { storageState: annState } : {}) });
    context.setDefaultTimeout(20_000);
    watchForPageProblems(context, problems);
    contexts.push(context);
    return context;
  }

  /** Ann's messenger at `path`, with a mark in the page's memory that a page load would wipe out. */
  async function annAt(p: string, viewport = { width: 1280, height: 800 }, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await (await newContext(viewport, colorScheme)).newPage();
    await page.goto(`${server.url}${p}`);
    await page.locator('.messenger').waitFor();
    await page.evaluate(() => Object.assign(window, { messengerMark: 'same page' }));
    return page;
  }
  const samePage = async (page: Page) =>
    assert.equal(await page.evaluate(() => (window as { messengerMark?: string }).messengerMark), 'same page');
  const listItem = (page: Page, chatId: string) => page.locator(`.chat-list [data-chat-id="${chatId}"]`);
  const panelTitle = (page: Page) => page.locator('.messenger-pane .ic-panel .ic-title');
  const countLoads = (page: Page) => {
    const loads: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && loads.push(f.url()));
    page.on('load', () => loads.push('load'));
    return loads;
  };

  it('switches between chats without loading a page; the address bar, Back and reload follow; unread moves live', async () => {
    const page = await annAt('/');
    const loads = countLoads(page);
    await listItem(page, ids.budget).getByRole('link').click();
    await page.waitForURL(`**/c/${ids.budget}`);
    await waitUntil('the budget chat opens', async () => (await panelTitle(page).textContent()) === 'Budget review');
    await listItem(page, ids.lunch).getByRole('link').click();
    await page.waitForURL(`**/c/${ids.lunch}`);
    await page.locator('.messenger-pane .ic-msg', { hasText: 'Pizza at noon?' }).waitFor();
    assert.equal(await page.locator('.messenger-pane .ic-panel').count(), 1, 'the previous panel is unmounted');
    assert.equal(await listItem(page, ids.lunch).getByRole('link').getAttribute('aria-current'), 'page');
    // The open chat gets read: its unread badge goes; one in another chat appears live.
    await listItem(page, ids.lunch).locator('.badge-unread').waitFor({ state: 'detached' });
    await say(bobToken, ids.budget, 'One more thing');
    await listItem(page, ids.budget).locator('.badge-unread', { hasText: '1 unread' }).waitFor();
    await page.goBack();
    await page.waitForURL(`**/c/${ids.budget}`);
    await waitUntil('Back reopens the budget chat', async () => (await panelTitle(page).textContent()) === 'Budget review');
    await page.locator('.messenger-pane .ic-msg', { hasText: 'One more thing' }).waitFor();
    await listItem(page, ids.budget).locator('.badge-unread').waitFor({ state: 'detached' });
    await samePage(page);
    assert.deepEqual(
      loads.filter((l) => l === 'load'),
      [],
      `no page load while switching: ${loads.join(', ')}`,
    );
    // The address is a real link: a reload opens the same chat.
    await page.reload();
    await waitUntil('reload opens the chat in the address bar', async () => (await panelTitle(page).textContent()) === 'Budget review');
  });

  it('finds a message by a word, highlights it as text, and opens the chat at it (paging back)', async () => {
    const page = await annAt(`/c/${ids.lunch}`);
    await page.locator('.messenger-pane .ic-msg', { hasText: 'Pizza at noon?' }).waitFor();
    await page.getByLabel('Search my chats').fill('giraf');
    const hit = page.locator(`.search-hit[data-field="message"][data-seq="${giraffeSeq}"]`);
    await hit.waitFor();
    assert.ok(await page.locator('.chat-list-view').isHidden(), 'results replace the list');
    assert.equal(await hit.locator('mark').textContent(), 'giraffe');
    // The markup someone typed is shown as text, never made into an element.
    assert.match((await hit.locator('.search-hit-text').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
    assert.equal(await page.locator('.search-results img').count(), 0);
    await hit.click();
    await page.waitForURL(`**/c/${ids.budget}`);
    const found = page.locator(`.messenger-pane .ic-msg[data-seq="${giraffeSeq}"]`);
    await found.waitFor();
    await waitUntil('the hit is marked', async () => (await found.getAttribute('class'))?.includes('ic-found') ?? false);
    await waitUntil('the hit is visible', () => found.isVisible());
    const inView = await found.evaluate((n) => {
      const r = n.getBoundingClientRect();
      const box = n.closest('.ic-scroll')?.getBoundingClientRect() ?? document.documentElement.getBoundingClientRect();
      return r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
    });
    assert.ok(inView, 'scrolled into view');
    await samePage(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'messenger-search.png') });
  });

  it('filters the list: unread, ended, with a person', async () => {
    // Read, whichever tests ran before: the budget and lunch chats. Unread: the ended one; new: the fresh one.
    const mine = await api<{ chats: { id: string; lastSeq: number }[] }>(server, 'GET', '/api/chats', undefined, annToken);
    for (const c of mine.body.chats.filter((x) => x.id === ids.budget || x.id === ids.lunch)) {
      await post(annToken, `/api/chats/${c.id}/read`, { seq: c.lastSeq });
    }
    const page = await annAt('/');
    await listItem(page, ids.old).waitFor();
    const shown = async () =>
      (await page.locator('.chat-list [data-chat-id]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-chat-id')))).sort();
    assert.deepEqual(await shown(), [ids.budget, ids.lunch, ids.old, ids.fresh].sort());
    await page.getByLabel('Unread', { exact: true }).check();
    await waitUntil(
      'only the chats with unread messages or never opened',
      async () => JSON.stringify(await shown()) === JSON.stringify([ids.old, ids.fresh].sort()),
    );
    await page.getByLabel('Ended', { exact: true }).check();
    await waitUntil('only the ended chat', async () => JSON.stringify(await shown()) === JSON.stringify([ids.old]));
    await page.getByLabel('All', { exact: true }).check();
    await page.getByLabel('With a person').selectOption(CAT);
    await waitUntil('only the chat with Cat', async () => JSON.stringify(await shown()) === JSON.stringify([ids.old]));
    await page.getByLabel('With a person').selectOption(BOB);
    await waitUntil(
      'the chats Bob is a member of',
      async () => JSON.stringify(await shown()) === JSON.stringify([ids.budget, ids.lunch, ids.fresh].sort()),
    );
  });

  it('starts a chat with a contact and opens it in place', async () => {
    const page = await annAt('/');
    // Bob became a contact by opening Ann's chat.
    await page.getByLabel(BOB, { exact: true }).check();
    await page.getByLabel('Subject').fill('Picked from contacts');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await waitUntil('the new chat opens', async () => (await panelTitle(page).textContent()) === 'Picked from contacts');
    assert.match(page.url(), new RegExp(`/c/${UUID_PATTERN}$`));
    await samePage(page);
    const chats = await api(server, 'GET', '/api/chats', undefined, bobToken);
    assert.ok(
      chats.body.chats.some((c: { subject: string }) => c.subject === 'Picked from contacts'),
      'Bob is in its audience',
    );
  });

  it('the start-a-chat picker finds a contact by display name', async () => {
    assert.equal((await api(server, 'PUT', '/api/me/display-name', { displayName: 'Roberto Quintana' }, bobToken)).status, 200);
    try {
      const page = await annAt('/');
      const bob = page.getByLabel(`Roberto Quintana (${BOB})`, { exact: true });
      const cat = page.getByLabel(CAT, { exact: true });
      await cat.waitFor();
      await page.getByLabel('Find a contact').fill('quint');
      await waitUntil('only Bob is offered', async () => (await bob.isVisible()) && !(await cat.isVisible()));
      await bob.check();
      await page.getByLabel('Find a contact').fill('nobody');
      await waitUntil('a ticked contact stays shown', async () => (await bob.isVisible()) && !(await cat.isVisible()));
      await bob.uncheck();
      await page.getByLabel('Find a contact').fill('wombat');
      await page.getByText('No contact matches.').waitFor();
    } finally {
      await api(server, 'PUT', '/api/me/display-name', { displayName: '' }, bobToken);
    }
  });

  it('shows one side at a time at 320 px, with a way back', async () => {
    const page = await annAt(`/c/${ids.lunch}`, { width: 320, height: 640 });
    await page.locator('.messenger-pane .ic-msg', { hasText: 'Pizza at noon?' }).waitFor();
    assert.ok(await page.locator('.messenger-list').isHidden(), 'the list is hidden while a chat is open');
    await page.getByRole('button', { name: '← All chats' }).click();
    await page.waitForURL(`${server.url}/`);
    await page.locator('.messenger-list').waitFor({ state: 'visible' });
    assert.ok(await page.getByRole('button', { name: '← All chats' }).isHidden());
    await listItem(page, ids.budget).getByRole('link').click();
    await waitUntil('the chat opens', async () => (await panelTitle(page).textContent()) === 'Budget review');
    assert.ok(await page.locator('.messenger-list').isHidden());
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'nothing wider than the phone');
    await samePage(page);
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no axe-core problems, wide and at 320 px, ${scheme}; screenshots`, async () => {
      for (const [name, viewport, at] of [
        ['wide', { width: 1280, height: 800 }, `/c/${ids.lunch}`],
        ['320', { width: 320, height: 640 }, '/'],
        ['320-chat', { width: 320, height: 640 }, `/c/${ids.lunch}`],
      ] as const) {
        const page = await annAt(at, viewport, scheme);
        if (at !== '/') await page.locator('.messenger-pane .ic-panel[data-status="online"]').waitFor();
        else await listItem(page, ids.lunch).waitFor();
        assert.deepEqual(await accessibilityProblems(page), [], `${name} ${scheme}`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `messenger-${name}-${scheme}.png`) });
        await page.context().close();
      }
    });
  }
});
