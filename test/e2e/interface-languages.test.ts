/**
 * The interface in the reader's language, on the real chat page: real server, PostgreSQL,
 * Redis, SMTP capture and Chromium. The header's language picker switches the whole page
 * (shared chat panel included) at runtime, without a reload, and the choice is the reader's
 * own language on the server, so it survives a reload. Arabic is laid out right to left with
 * my bubbles mirrored; Arabic and Japanese pages are screenshotted at 320 px and wide, and
 * checked by axe-core, with an edited message, reactions and the open members list in view. The
 * panel's edit, reaction and mention controls are used in both languages, and their lists are
 * checked to sit on the side a line starts from (the right in Arabic). The home page with its
 * settings, and the sign-in page of a browser in that language, are shown in Arabic and Japanese
 * with none of their English left. The server's English system lines ("… joined") are said in the
 * reader's language.
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
      api(server, 'POST', `/api/chats/${chatId}/messages`, { clientId, body }, token).then((r) => {
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.seq as number;
      });
    const annSeq = await post(annToken, 'c0a80101-0000-4000-8000-000000000001', 'Shall we meet on Thursday?');
    const beaSeq = await post(bea.token, 'c0a80101-0000-4000-8000-000000000002', 'Thursday works. 木曜日で大丈夫です。 الخميس مناسب.');
    // Ann corrects her message (an "edited" mark with its time) and both react to Bea's (a count of two, "you" among the names).
    const edit = await api(
      server,
      'PATCH',
      `/api/chats/${chatId}/messages/${annSeq}`,
      { body: 'Shall we meet on Thursday at 10?' },
      annToken,
    );
    assert.equal(edit.status, 200, JSON.stringify(edit.body));
    for (const token of [annToken, bea.token]) {
      const r = await api(server, 'POST', `/api/chats/${chatId}/messages/${beaSeq}/reactions`, { emoji: '👍', on: true }, token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    // Bea mentions Ann: that message's edge marks it for her.
    const annHandle = (await api(server, 'GET', `/api/chats/${chatId}`, undefined, bea.token)).body.members.find(
      (m: { address: string }) => m.address === ANN,
    ).identityId as string;
    const mention = await api(
      server,
      'POST',
      `/api/chats/${chatId}/messages`,
      { clientId: 'c0a80101-0000-4000-8000-000000000003', body: `@${ANN} see you then`, mentions: [annHandle] },
      bea.token,
    );
    assert.equal(mention.status, 201, JSON.stringify(mention.body));

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
    // The server stored "bea@example.org joined" in English; the panel says it in Japanese, in place.
    await page.locator('.ic-log li.ic-system p', { hasText: `${BEA} が参加しました` }).waitFor();
    assert.equal(await page.locator('.ic-log li.ic-system', { hasText: 'joined' }).count(), 0, 'no English system line left');
  });

  /** What the panel's later parts say in each language (written out here, not read from the catalogue). */
  const PANEL_WORDS = {
    ar: {
      edited: 'معدّلة',
      editedTitle: /^عُدّلت في .+ الساعة .+/,
      reactionLabel: /^👍 [2٢] تفاعلان: .*أنت/,
      members: /^الأشخاص \(انضم .+ من .+\)$/,
      joined: 'انضم',
      edit: 'تعديل هذه الرسالة',
      editBox: 'تعديل الرسالة',
      save: 'حفظ',
      cancel: 'إلغاء',
      revisions: 'النسخ السابقة',
      addReaction: 'إضافة تفاعل',
      react: 'التفاعل بـ 🎉',
      mention: 'إشارة إلى شخص',
    },
    ja: {
      edited: '編集済み',
      editedTitle: /^.+ .+ に編集$/,
      reactionLabel: /^👍 2 件のリアクション：.*あなた/,
      members: /^メンバー（2 人中 2 人が参加）$/,
      joined: '参加済み',
      edit: 'このメッセージを編集',
      editBox: 'メッセージを編集',
      save: '保存',
      cancel: 'キャンセル',
      revisions: '以前の版',
      addReaction: 'リアクションを追加',
      react: '🎉 でリアクション',
      mention: 'メンバーをメンション',
    },
  } as const;

  /** Reloads the page in the reader's language at this width. */
  async function showIn(lang: 'ar' | 'ja', width: number): Promise<void> {
    assert.equal((await api(server, 'PUT', '/api/me/language', { language: lang }, annToken)).status, 200);
    await page.setViewportSize({ width, height: width === 320 ? 640 : 800 });
    await page.reload();
    await panel().waitFor();
    await waitForLanguage(lang, lang === 'ar' ? 'rtl' : 'ltr');
    await page.locator('.ic-log li.ic-text').nth(1).waitFor();
  }

  for (const lang of ['ar', 'ja'] as const) {
    for (const width of [320, 1280]) {
      it(`shows the chat page in ${lang} at ${width} px without overflow or accessibility problems`, async () => {
        await showIn(lang, width);
        const words = PANEL_WORDS[lang];
        // The edited mark, the reaction chip and the members list, open, in the reader's language.
        const edited = page.locator('.ic-log li.ic-mine .ic-edited');
        assert.equal(await edited.textContent(), words.edited);
        assert.match((await edited.getAttribute('title')) ?? '', words.editedTitle);
        const chip = page.locator('.ic-log li.ic-text:not(.ic-mine) .ic-reaction');
        assert.match((await chip.getAttribute('aria-label')) ?? '', words.reactionLabel);
        assert.equal(await chip.getAttribute('aria-pressed'), 'true');
        await page.locator('.ic-members summary').click();
        assert.match((await page.locator('.ic-members summary').textContent()) ?? '', words.members);
        await page.locator('.ic-members-list .ic-member-state', { hasText: words.joined }).first().waitFor();
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

    it(`edits, reacts and mentions in ${lang}, the lists on the side a line starts from`, async () => {
      await showIn(lang, 1024);
      const words = PANEL_WORDS[lang];
      const rtl = lang === 'ar';
      const mine = page.locator('.ic-log li.ic-mine').first();

      // The author's edited mark opens the earlier versions, indented from the start side.
      await mine.getByRole('button', { name: words.edited, exact: true }).click();
      const revisions = mine.getByRole('list', { name: words.revisions });
      await revisions.getByText('Shall we meet on Thursday?').waitFor();
      const indent = await revisions.evaluate((n) => {
        const style = getComputedStyle(n);
        return { left: parseFloat(style.paddingLeft), right: parseFloat(style.paddingRight) };
      });
      // Only from the start side: a physical padding-left indented Arabic from both sides (the list's own start padding stayed).
      assert.ok(rtl ? indent.right > 0 && indent.left === 0 : indent.left > 0 && indent.right === 0, JSON.stringify(indent));

      // Edit opens a labelled box with Save and Cancel in the language; Cancel leaves the text.
      await mine.getByRole('button', { name: words.edit, exact: true }).click();
      await page.getByRole('textbox', { name: words.editBox }).waitFor();
      await mine.getByRole('button', { name: words.save, exact: true }).waitFor();
      await mine.getByRole('button', { name: words.cancel, exact: true }).click();
      await mine.locator('.ic-body', { hasText: 'Shall we meet on Thursday at 10?' }).waitFor();

      // A reaction through the picker: the chip says how many, in the language.
      await mine.getByLabel(words.addReaction).click();
      await mine.getByRole('button', { name: words.react, exact: true }).click();
      const chip = mine.locator('.ic-reaction', { hasText: '🎉' });
      await chip.waitFor();
      assert.equal(await chip.getAttribute('aria-pressed'), 'true');

      // "@" opens the mention list at the start side of the message box (the right in Arabic).
      await box().fill('');
      await box().pressSequentially('@bea');
      const mentions = page.getByRole('listbox', { name: words.mention });
      await mentions.getByRole('option', { name: BEA }).waitFor();
      const list = (await mentions.boundingBox())!;
      const composer = (await page.locator('.ic-composer').boundingBox())!;
      const fromStart = rtl ? composer.x + composer.width - (list.x + list.width) : list.x - composer.x;
      assert.ok(fromStart >= 0 && fromStart < 40, `the list is ${fromStart}px from the box's start side`);

      // A message that mentions me has its edge on the start side too.
      const edge = await page.locator('.ic-log li.ic-mentions-me').evaluate((n) => {
        const style = getComputedStyle(n);
        return { left: parseFloat(style.borderLeftWidth), right: parseFloat(style.borderRightWidth) };
      });
      assert.ok(rtl ? edge.right > edge.left : edge.left > edge.right, JSON.stringify(edge));

      await page.screenshot({ path: path.join(SCREENSHOTS, `chat-panel-controls-${lang}.png`) });
      assert.deepEqual(await accessibilityProblems(page), []);
      await box().press('Escape');
      await box().fill('');
      // Taken back, so the next language's page starts from the same reactions.
      await chip.click();
      await chip.waitFor({ state: 'detached' });
    });
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
