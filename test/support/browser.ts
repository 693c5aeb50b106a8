/**
 * Shared pieces for browser tests of the chat page: Chromium through playwright-core, signing
 * in the way a person does (code from the caught email), page-problem watching and axe-core.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { UI_DIST } from '../../backend/src/http/app.ts';
import { CATALOGUES, type Catalogue } from '../../ui/src/i18n/catalogues.ts';
import { pickUiLanguage } from '../../ui/src/i18n/languages.ts';
import { screenshotDir } from './screenshots.ts';
import { codeFromMail, lastMailId, type TestServer } from './server.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** test-results/ unless UPDATE_SCREENSHOTS=1 (then docs/screenshots), like the other e2e suites. */
export const SCREENSHOTS = screenshotDir();

/** The page is served from dist/ui; fail with the fix rather than with a blank page. */
export function assertUiBuilt(): void {
  if (!existsSync(path.join(UI_DIST, 'chat.html'))) {
    throw new Error('dist/ui/chat.html is missing: run `npm run build:ui` before this test (npm test does).');
  }
}

/**
 * Debian's Chromium, never a downloaded one (ENVIRONMENT.md lists the flags that work here).
 * With `outlookFraming`, a public https page (the tests' stand-in for outlook.office.com) may
 * frame pages on http://localhost: Chromium's Local Network Access check would otherwise ask the
 * user, as it does when a developer sideloads against localhost in Outlook on the web.
 */
export async function launchChromium(opts: { outlookFraming?: boolean; args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run \`flock /tmp/apt.lock apt-get install -y chromium\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(opts.outlookFraming ? ['--disable-features=LocalNetworkAccessChecks'] : []),
      ...(opts.args ?? []),
    ],
  });
}

/** Collects uncaught exceptions and CSP violations of every page a context opens. */
export function watchForPageProblems(context: BrowserContext, problems: string[]): void {
  context.on('page', (page) => {
    page.on('pageerror', (err) => problems.push(`${page.url()}: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
  });
}

/** Signs in through the page's form: address, then the 6-digit code from the caught email. */
export async function signInThroughPage(page: Page, server: TestServer, address: string): Promise<void> {
  const before = lastMailId(server);
  // The form speaks the browser's language: find its fields by what they say in it.
  await page.locator('#signin-address').waitFor();
  const words = await pageWords(page);
  await page.getByLabel(words['signin.address']).fill(address);
  await page.getByRole('button', { name: words['signin.emailCode'] }).click();
  const code = await codeFromMail(server, address, before);
  await page.getByLabel(words['signin.code']).fill(code);
  await page.getByRole('button', { name: words['page.signIn'], exact: true }).click();
}

/** The interface catalogue of the language the page is shown in. */
export async function pageWords(page: Page): Promise<Catalogue> {
  const lang = await page.evaluate(() => document.documentElement.lang);
  return CATALOGUES[pickUiLanguage([lang])];
}

/** The one-click personal link (`/c/<id>#link=<token>`) in a caught email. */
export function personalLink(text: string): string {
  const link = /(https?:\/\/\S+#link=[0-9a-f]{40})/.exec(text)?.[1];
  assert.ok(link, `the email carries a personal link:\n${text}`);
  return link;
}

/** The session this page's origin keeps in localStorage. */
export function storedSession(page: Page): Promise<{ token: string; address: string; chatId?: string | null } | null> {
  return page.evaluate(() => {
    const raw = localStorage.getItem('inbox-chat.session');
    return raw ? JSON.parse(raw) : null;
  });
}

declare global {
  interface Window {
    /** axe-core, once accessibilityProblems() has injected it. */
    axe?: { run(ctx: Document, o: object): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> };
  }
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2 A/AA problems axe-core finds, evaluated through the DevTools protocol (outside the page's CSP). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = window.axe;
    if (!axe) throw new Error('axe-core did not load in the page');
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  });
}
