/**
 * The interface in the reader's language, on the real chat page: real server, PostgreSQL,
 * Redis, SMTP capture and Chromium. The header's language picker switches the whole page
 * (shared chat panel included) at runtime, without a reload, and the choice is the reader's
 * own language on the server, so it survives a reload. Arabic is laid out right to left with
 * my bubbles mirrored; Arabic and Japanese pages are screenshotted at 320 px and wide, and
 * checked by axe-core. The home page with its settings, and the sign-in page of a browser in that
 * language, are shown in Arabic and Japanese with none of their English left.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  SCREENSHOTS,
  signInThroughPage,
  watchForPageProblems,
} from '../support/browser.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import en from '../../ui/src/i18n/messages/en.json' with { type: 'json' };
import ar from '../../ui/src/i18n/messages/ar.json' with { type: 'json' };
import ja from '../../ui/src/i18n/messages/ja.json' with { type: 'json' };

const ANN = 'ann@example.com';
const BEA = 'bea@example.org';

describe('the interface in the reader’s language (Chromium)', function () {
  this.timeout(180_000);
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let annToken: string;
  let chatId: string;
  const pageProblems: string[] = [];

  const panel = () => page.locator('.ic-panel[data-status="online"]');
  const box = () => page.locator('textarea.ic-draft');
  /** The root's language and direction once the page has switched. */
  const waitForLanguage = (lang: string, dir: 'ltr' | 'rtl') =>
    page.locator(`html[lang="${lang}"][dir="${dir}"]`).waitFor({ state: 'attached' });

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    const ann = await signIn(server, ANN);
    annToken = ann.token;
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'Planning', audience: { to: [BEA] } }, annToken)).body.id;
    const bea = await signIn(server, BEA);
    assert.equal((await api(server, 'POST', `/api/chats/${chatId}/open`, {}, bea.token)).status, 200);
    const post = (token: string, clientId: string, body: string) =>
      api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId, body }, token).then((r) =>
        assert.equal(r.status, 201, JSON.stringify(r.body)),
      );
    await post(annToken, 'c0a80101-0000-4000-8000-000000000001', 'Shall we meet on Thursday?');
    await post(bea.token, 'c0a80101-0000-4000-8000-000000000002', 'Thursday works. 木曜日で大丈夫です。 الخميس مناسب.');

    browser = await launchChromium();
    // An English browser: the page starts in English until the reader picks a language.
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1024, height: 760 } });
    context.setDefaultTimeout(30_000);
    watchForPageProblems(context, pageProblems);
    page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, ANN);
    await page.getByRole('heading', { name: 'My chats' }).waitFor();
    await page.goto(`${server.url}/c/${chatId}`);
    await panel()
      .waitFor()
      .catch(async (err: Error) => {
        await page.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-languages-not-online.png') });
        throw new Error(`${err.message}\npage problems: ${pageProblems.join('\n')}`);
      });
  });
  after(async () => {
    await context?.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });
  afterEach(() => assert.deepEqual(pageProblems.splice(0), []));

  /** Horizontal overflow of the page in px, and the first elements sticking out. */
  const overflowOf = (p: Page) =>
    p.evaluate(() => {
      const wide = [...document.querySelectorAll('body *')].filter(
        (e) => e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1,
      );
      return {
        px: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        wide: wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}`),
      };
    });
  /** English sentences of the home, settings and sign-in views (two words or more, no values). */
  const pageEnglish = Object.entries(en)
    .filter(([k, v]) => /^(home|settings|alerts|visibility|signin)\./.test(k) && !v.includes('{') && v.split(' ').length >= 2)
    .map(([, v]) => v);
  const catalogues = { ar, ja };

  it('switches the page and the chat panel to Arabic at runtime, right to left, keeping the draft', async () => {
    await waitForLanguage('en', 'ltr');
    // Writable once the chat is joined.
    await page.locator('textarea.ic-draft[placeholder="Write a message"]').waitFor();
    await box().fill('a draft not sent yet');
    // A marker that a reload would wipe.
    await page.evaluate(() => Object.assign(window, { stillThisPage: true }));

    await page.getByRole('combobox', { name: 'Language' }).selectOption('ar');

    await waitForLanguage('ar', 'rtl');
    await page.locator('textarea.ic-draft[placeholder="اكتب رسالة"]').waitFor();
    await page.getByRole('button', { name: 'إرسال', exact: true }).waitFor();
    await page.getByRole('button', { name: 'تسجيل الخروج' }).waitFor();
    assert.equal(await page.locator('.ic-log li.ic-mine .ic-author').first().textContent(), 'أنت');
    assert.equal(await box().inputValue(), 'a draft not sent yet');
    assert.equal(await page.evaluate(() => 'stillThisPage' in window), true, 'the page was not reloaded');

    // Mirrored: my bubble on the left, the other person's on the right.
    const mine = (await page.locator('.ic-log li.ic-mine').first().boundingBox())!;
    const theirs = (await page.locator('.ic-log li.ic-text:not(.ic-mine)').first().boundingBox())!;
    assert.ok(mine.x + mine.width / 2 < theirs.x + theirs.width / 2, `mine ${JSON.stringify(mine)} theirs ${JSON.stringify(theirs)}`);

    // The choice is the reader's language on the server: it comes back after a reload.
    const me = await api(server, 'GET', '/api/me', undefined, annToken);
    assert.equal(me.body.language, 'ar');
    await page.reload();
    await panel().waitFor();
    await waitForLanguage('ar', 'rtl');
    await page.getByRole('button', { name: 'إرسال', exact: true }).waitFor();
  });

  it('switches from Arabic to Japanese at runtime, back to left to right', async () => {
    await page.getByRole('combobox', { name: 'اللغة' }).selectOption('ja');
    await waitForLanguage('ja', 'ltr');
    await page.locator('textarea.ic-draft[placeholder="メッセージを入力"]').waitFor();
    await page.getByRole('button', { name: '送信', exact: true }).waitFor();
    // The title follows too (an unread count may stand before it).
    assert.match(await page.title(), /Planning · Inbox Chat$/);
    const mine = (await page.locator('.ic-log li.ic-mine').first().boundingBox())!;
    const theirs = (await page.locator('.ic-log li.ic-text:not(.ic-mine)').first().boundingBox())!;
    assert.ok(mine.x + mine.width / 2 > theirs.x + theirs.width / 2, 'my bubble is on the right again');
  });

  for (const lang of ['ar', 'ja'] as const) {
    for (const width of [320, 1280]) {
      it(`shows the chat page in ${lang} at ${width} px without overflow or accessibility problems`, async () => {
        assert.equal((await api(server, 'PUT', '/api/me/language', { language: lang }, annToken)).status, 200);
        await page.setViewportSize({ width, height: width === 320 ? 640 : 800 });
        await page.reload();
        await panel().waitFor();
        await waitForLanguage(lang, lang === 'ar' ? 'rtl' : 'ltr');
        await page.locator('.ic-log li.ic-text').nth(1).waitFor();
        // The picture first, so a failure below has it to look at.
        await page.screenshot({ path: path.join(SCREENSHOTS, `chat-page-${lang}-${width}.png`), fullPage: true });
        const overflow = await page.evaluate(() => {
          const wide = [...document.querySelectorAll('body *')].filter(
            (e) => e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1,
          );
          return {
            px: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            wide: wide.slice(0, 5).map((e) => `${e.tagName}.${e.className}`),
          };
        });
        assert.ok(overflow.px <= 0, `${overflow.px}px of horizontal overflow: ${overflow.wide.join(', ')}`);
        assert.deepEqual(await accessibilityProblems(page), []);
      });
    }
  }

  for (const lang of ['ar', 'ja'] as const) {
    const words = catalogues[lang];
    const dir = lang === 'ar' ? 'rtl' : 'ltr';

    it(`shows the home page and its settings in ${lang}, dates included, with no English left`, async () => {
      assert.equal((await api(server, 'PUT', '/api/me/language', { language: lang }, annToken)).status, 200);
      const dnd = await api(server, 'PUT', '/api/me/availability', { dnd: true, mode: 'DIGEST', resendMinutes: 60 }, annToken);
      assert.equal(dnd.status, 200, JSON.stringify(dnd.body));
      await page.setViewportSize({ width: 320, height: 640 });
      // A new load (from #settings to #settings would only change the hash).
      await page.goto('about:blank');
      await page.goto(`${server.url}/#settings`);
      await waitForLanguage(lang, dir);
      await page.getByRole('heading', { name: words['home.startTitle'] }).waitFor();
      await page.getByRole('heading', { name: words['visibility.title'] }).waitFor();
      const settings = page.locator('#settings');
      await settings.getByRole('heading', { name: words['alerts.title'], exact: true }).waitFor();
      await settings.getByLabel(words['settings.displayName']).waitFor();
      await settings.getByRole('button', { name: words['signin.emailCode'] }).waitFor();
      // Do not disturb's start, written by Intl in the language (no English month, no AM/PM).
      const since = settings.locator('p.form-help', { hasText: lang === 'ar' ? 'مفعّل منذ' : 'からオン。' });
      const sinceText = (await since.textContent()) ?? '';
      assert.doesNotMatch(sinceText, /On since|AM|PM|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec/, sinceText);
      // The per-chat alerts list the chat, and their boxes are labelled in the language.
      await settings.locator(`li[data-chat-id="${chatId}"]`).getByLabel(words['alerts.mute']).waitFor();
      await page.screenshot({ path: path.join(SCREENSHOTS, `home-settings-${lang}-320.png`), fullPage: true });

      const shown = (
        await Promise.all(
          ['section[aria-labelledby="new-chat-title"]', '#settings', 'section[aria-labelledby="presence-title"]'].map((css) =>
            page.locator(css).innerText(),
          ),
        )
      ).join('\n');
      assert.deepEqual(
        pageEnglish.filter((sentence) => shown.includes(sentence)),
        [],
        'English left on the home page',
      );
      const overflow = await overflowOf(page);
      assert.ok(overflow.px <= 0, `${overflow.px}px of horizontal overflow: ${overflow.wide.join(', ')}`);
      assert.deepEqual(await accessibilityProblems(page), []);
      assert.equal(
        (await api(server, 'PUT', '/api/me/availability', { dnd: false, mode: 'DIGEST', resendMinutes: 60 }, annToken)).status,
        200,
      );
    });

    it(`shows the sign-in page of a browser set to ${lang} in ${lang}, its code step too`, async () => {
      const other = await browser.newContext({ locale: lang, viewport: { width: 320, height: 640 } });
      other.setDefaultTimeout(30_000);
      watchForPageProblems(other, pageProblems);
      try {
        const signInPage = await other.newPage();
        await signInPage.goto(`${server.url}/`);
        await signInPage.locator(`html[lang="${lang}"][dir="${dir}"]`).waitFor({ state: 'attached' });
        await signInPage.getByRole('heading', { name: words['signin.toApp'] }).waitFor();
        await signInPage.getByLabel(words['signin.address']).fill(BEA);
        await signInPage.getByText(words['signin.addressHelp']).waitFor();
        assert.deepEqual(await accessibilityProblems(signInPage), [], 'the address step');
        await signInPage.getByRole('button', { name: words['signin.emailCode'] }).click();
        await signInPage.getByRole('heading', { name: words['signin.checkEmail'] }).waitFor();
        await signInPage.getByLabel(words['signin.code']).waitFor();
        await signInPage.getByRole('button', { name: words['signin.other'] }).waitFor();
        await signInPage.screenshot({ path: path.join(SCREENSHOTS, `sign-in-${lang}-320.png`), fullPage: true });
        const text = await signInPage.locator('.sign-in').innerText();
        assert.ok(text.includes(BEA), 'the code step names the address');
        assert.deepEqual(
          pageEnglish.filter((sentence) => text.includes(sentence)),
          [],
          'English left on the sign-in page',
        );
        const overflow = await overflowOf(signInPage);
        assert.ok(overflow.px <= 0, `${overflow.px}px of horizontal overflow: ${overflow.wide.join(', ')}`);
        assert.deepEqual(await accessibilityProblems(signInPage), [], 'the code step');
      } finally {
        await other.close();
      }
    });
  }
});
