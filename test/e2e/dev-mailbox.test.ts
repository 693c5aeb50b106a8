/**
 * The dev mailbox as a newcomer uses it, end to end: real server with its embedded SMTP
 * catcher, real inbound SMTP listener, real PostgreSQL, real Chromium. A member who is offline
 * gets the chat's email; in the dev mailbox page (styled, links clickable) they type a reply,
 * which goes over real SMTP to the listener and lands in the chat with only the new text. The
 * mailbox survives a restart of the server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ConfigError, loadConfig } from '../../backend/src/config/index.ts';
import type { MessageView } from '../../protocol/index.ts';
import { launchChromium, watchForPageProblems } from '../support/browser.ts';
import { api, createTestDatabase, signIn, startTestServer, type TestDatabase, type TestServer } from '../support/server.ts';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const SUBJECT = 'Offsite agenda';

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dev mailbox: reply by email without a DNS server (Chromium)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'dev-mailbox-'));
  const file = path.join(dir, 'dev-mailbox.jsonl');
  // Realistic, non-zero timings (production: 120 s batch window, 60 s offline delay), scaled down.
  const env = {
    DEV_MAILBOX_FILE: file,
    DEV_LOOPBACK_AUTH: 'true',
    EMAIL_BATCH_WINDOW_MS: '300',
    EMAIL_OFFLINE_DELAY_MS: '1000',
    PRESENCE_HEARTBEAT_MS: '300',
    JOBS_POLL_MS: '50',
  };
  let database: TestDatabase;
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let alice: { token: string };
  let chatId = '';

  before(async () => {
    database = await createTestDatabase();
    server = await startTestServer(env, database);
    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(20_000);
    watchForPageProblems(context, problems);
    page = await context.newPage();
    alice = await signIn(server, ALICE);
    const bob = await signIn(server, BOB);
    const chat = await api(server, 'POST', '/api/chats', { subject: SUBJECT, audience: { from: [ALICE], to: [BOB] } }, alice.token);
    assert.equal(chat.status, 201, JSON.stringify(chat.body));
    chatId = chat.body.id;
    // Bob opens the chat once and leaves: from now on he is reached by email.
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, undefined, bob.token)).status, 200);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an offline member answers the chat email from the dev mailbox page, and only the new text is posted', async () => {
    const sent = await api(
      server,
      'POST',
      `/api/chats/${chatId}/messages`,
      { clientId: 'agenda-1', body: 'Can you bring the agenda?' },
      alice.token,
    );
    assert.equal(sent.status, 201);
    const mail = await server.catcher!.waitFor(
      (m) => m.to.includes(BOB) && m.subject.includes(SUBJECT) && /^reply\+/.test(m.replyTo ?? ''),
      20_000,
    );

    await page.goto(`${server.url}/dev/mail`);
    const article = page.locator(`#mail-${mail.id}`);
    await article.waitFor();
    // Styled: the stylesheet is a file the app's CSP allows, not an inline style it blocks.
    assert.equal(await article.evaluate((el) => getComputedStyle(el).borderTopLeftRadius), '8px');
    // Links in the mail are clickable.
    const link = article.locator('pre a[href^="http"]').first();
    assert.match((await link.getAttribute('href')) ?? '', new RegExp(`^${server.url}/`));

    await article.getByLabel(/^Reply by email to reply\+/).fill('Yes, I will bring it.\n\nBob');
    await article.getByLabel('From').selectOption(BOB);
    await article.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /^Reply sent\./);

    const posted = await until('the reply in the chat', async () => {
      const history = await api<{ messages: MessageView[] }>(server, 'GET', `/api/chats/${chatId}/messages`, undefined, alice.token);
      return history.body.messages.find((m) => m.body.startsWith('Yes, I will'));
    });
    // The form quoted the original below the new text, as a mail client does; none of it is posted.
    assert.equal(posted.body, 'Yes, I will bring it.\n\nBob');
    assert.deepEqual(problems, []);
  });

  it('a refused reply says why on the page (a From that is not a member of the chat)', async () => {
    const mail = server.catcher!.list().find((m) => m.to.includes(BOB) && /^reply\+/.test(m.replyTo ?? ''))!;
    // The form offers the mail's recipients; here someone edits it to name another address.
    await page.goto(`${server.url}/dev/mail`);
    const article = page.locator(`#mail-${mail.id}`);
    await article.getByLabel('From').evaluate((select) => {
      const option = document.createElement('option');
      option.textContent = 'mallory@example.org';
      select.append(option);
    });
    await article.getByLabel('From').selectOption('mallory@example.org');
    await article.getByLabel(/^Reply by email to reply\+/).fill('Let me in');
    await article.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('status').waitFor();
    const res = await page.getByRole('status').innerText();
    assert.match(res, /^Reply refused\. .*550/);
  });

  it('the reply form takes posts only from its own page', async () => {
    const mail = server.catcher!.list().find((m) => m.to.includes(BOB) && /^reply\+/.test(m.replyTo ?? ''))!;
    const post = (headers: Record<string, string>) =>
      fetch(`${server.url}/dev/mail/${mail.id}/reply`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams({ from: BOB, text: 'Posted by another site' }),
      });
    assert.equal((await post({ 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await post({ Origin: 'https://evil.example.org' })).status, 403);
    assert.equal((await post({ Origin: 'not a url' })).status, 403);
    const same = await post({ Origin: server.url, 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(same.status, 303);
    assert.match(decodeURIComponent(same.headers.get('location') ?? ''), /status=sent/, same.headers.get('location') ?? '');
    const history = await api<{ messages: MessageView[] }>(server, 'GET', `/api/chats/${chatId}/messages`, undefined, alice.token);
    assert.equal(
      history.body.messages.filter((m) => m.body === 'Posted by another site').length,
      1,
      'only the same-origin post went through',
    );
  });

  it('keeps the caught mail across a restart (DEV_MAILBOX_FILE, readable by its owner only)', async () => {
    const before = server.catcher!.list();
    assert.ok(before.length > 0);
    assert.equal(statSync(file).mode & 0o077, 0, 'no group or other access to mail holding sign-in codes');
    await server.close();
    server = await startTestServer(env, database);
    const after = await api<{ mail: { id: number; subject: string }[] }>(server, 'GET', '/dev/mail.json');
    assert.deepEqual(
      after.body.mail.map((m) => [m.id, m.subject]),
      before.map((m) => [m.id, m.subject]),
    );
    // New mail continues the numbering instead of reusing an id the page already links to.
    await signIn(server, ALICE);
    assert.equal(server.catcher!.list()[0]!.id, before[0]!.id + 1);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, before.length + 1);
  });

  it('the loopback rule cannot be turned on in production or with SMTP_URL, and is on only in development', () => {
    const base = { DATABASE_URL: 'postgres://x/y', SECRET_KEY: 'k'.repeat(40) };
    assert.throws(() => loadConfig({ ...base, NODE_ENV: 'production', DEV_LOOPBACK_AUTH: 'true' }), ConfigError);
    assert.throws(
      () => loadConfig({ ...base, NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example.com', DEV_LOOPBACK_AUTH: 'true' }),
      ConfigError,
    );
    assert.equal(loadConfig({ ...base, NODE_ENV: 'production' }).bridge.inboundLoopbackAuth, false);
    assert.equal(loadConfig({ ...base, NODE_ENV: 'development', SMTP_URL: 'smtp://mail.example.com' }).bridge.inboundLoopbackAuth, false);
    assert.equal(loadConfig({ ...base, NODE_ENV: 'test' }).bridge.inboundLoopbackAuth, false);
    assert.equal(loadConfig({ ...base, NODE_ENV: 'development' }).bridge.inboundLoopbackAuth, true);
  });
});
