/**
 * The chat page tells the server whether anyone can see it: real server, real PostgreSQL, real
 * SMTP catcher, real Chromium. Headless Chromium always shows its pages, so the page is hidden
 * the way the browser does it for a background tab: document.visibilityState turns 'hidden'
 * and a visibilitychange event fires. A member whose only page is hidden is emailed what
 * they have not read; showing the page again makes them present and marks it read.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { api, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { assertUiBuilt, launchChromium, signInThroughPage, watchForPageProblems } from '../support/browser.ts';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

/** As the browser does when the tab goes to the background or comes back. */
const setVisibility = (page: Page, visible: boolean) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => ${visible ? "'visible'" : "'hidden'"} });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${!visible} });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

describe('page visibility and the offline email (Chromium)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  const pageProblems: string[] = [];

  /** Open connections the server counts for the identity of this address (views carry per-chat handles, not identity ids). */
  const present = async (address: string): Promise<number> => {
    const c = new pg.Client({ connectionString: server.database.url });
    await c.connect();
    try {
      return (
        await c.query<{ n: number }>(
          `SELECT coalesce(sum(p.connections), 0)::int AS n FROM presence p JOIN email_address e ON e.identity_id = p.identity_id WHERE e.address = $1`,
          [address],
        )
      ).rows[0]!.n;
    } finally {
      await c.end();
    }
  };
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  before(async () => {
    assertUiBuilt();
    // Realistic, non-zero timings, scaled down (production: 120 s, 60 s, 15 s).
    server = await startTestServer({
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1500',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 900, height: 700 } });
    context.setDefaultTimeout(30_000);
    watchForPageProblems(context, pageProblems);
  });
  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('a hidden chat page is away: the member is emailed what was said; shown again, it is read', async () => {
    const alice = await signIn(server, ALICE);
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Background tab', audience: { to: [BOB] } }, alice.token);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, BOB);
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    await page.goto(`${server.url}/c/${chat.body.id}`);
    await page.locator('.ic-panel[data-status="online"]').waitFor();
    await until('the visible page makes bob present', async () => (await present(BOB)) === 1);

    await setVisibility(page, false);
    await until('the hidden page makes bob away', async () => (await present(BOB)) === 0);
    const before = lastMailId(server);
    const sent = await api(
      server,
      'POST',
      `/api/chats/${chat.body.id}/messages`,
      { clientId: 'bg1', body: 'Are you there, Bob?' },
      alice.token,
    );
    // The hidden page receives it live but does not mark it read; the email goes out.
    await page.locator('.ic-log .ic-body', { hasText: 'Are you there, Bob?' }).waitFor();
    const mail = await server.catcher!.waitFor((m) => m.id > before && m.to.includes(BOB) && m.subject === 'Re: Background tab', 15_000);
    assert.match(mail.text, /Are you there, Bob\?/);

    await setVisibility(page, true);
    await until('shown again, bob is present', async () => (await present(BOB)) === 1);
    await until('and has read it', async () => {
      const d = await api(server, 'GET', `/api/chats/${chat.body.id}/delivery`, undefined, alice.token);
      return d.body.members.find((m: { address: string }) => m.address === BOB)?.readSeq >= sent.body.seq;
    });
    assert.deepEqual(pageProblems, []);
  });
});
