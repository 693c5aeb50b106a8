/**
 * Two members reading different languages chat on the chat page: real server, real PostgreSQL,
 * a real Apertium APy server (English <-> Spanish) and real Chromium, each browser set to its
 * person's language (navigator.language is what the page sends as their default). Each sees the
 * other's messages translated, with the original one click away; when one is away, the email
 * carries the translation above the original.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApertium, type ApertiumServer } from '../support/apertium.ts';
import {
  accessibilityProblems,
  assertUiBuilt,
  launchChromium,
  SCREENSHOTS,
  pageWords,
  signInThroughPage,
  storedSession,
  watchForPageProblems,
} from '../support/browser.ts';
import { api, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';

const ANN = 'ann@example.com';
const BEA = 'bea@example.es';

/** As the browser does when the tab goes to the background. */
const hide = (page: Page) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

describe('message translation on the chat page (Chromium, real Apertium)', function () {
  this.timeout(180_000);
  let apy: ApertiumServer;
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageProblems: string[] = [];
  let chatId: string;

  async function openAs(address: string, locale: string): Promise<Page> {
    const context = await browser.newContext({ locale, viewport: { width: 900, height: 720 } });
    context.setDefaultTimeout(30_000);
    watchForPageProblems(context, pageProblems);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await signInThroughPage(page, server, address);
    await page.getByRole('heading', { name: (await pageWords(page))['page.myChats'] }).waitFor();
    await page.goto(`${server.url}/c/${chatId}`);
    await page.locator('.ic-panel[data-status="online"]').waitFor();
    return page;
  }

  async function say(page: Page, text: string): Promise<void> {
    // The message box itself, not its label: each person's interface is in their own language.
    const box = page.locator('textarea.ic-draft');
    await box.fill(text);
    await box.press('Enter');
  }

  /** The list item of the message whose original is `text`, on the reader's page. */
  const item = (page: Page, seqOf: string) => page.locator(`.ic-log li[data-seq="${seqOf}"]`);

  before(async () => {
    assertUiBuilt();
    apy = await startApertium();
    server = await startTestServer({
      TRANSLATION_PROVIDER: 'apertium',
      TRANSLATION_URL: apy.url,
      TRANSLATION_TIMEOUT_MS: '20000',
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1500',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    const ann = await signIn(server, ANN);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'Pedido', audience: { to: [BEA] } }, ann.token)).body.id;
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    await apy?.stop();
  });

  it('each sees the other translated, with the original one click away', async () => {
    const ann = await openAs(ANN, 'en-US');
    const bea = await openAs(BEA, 'es-ES');

    await say(ann, 'The meeting is at three.');
    const annSeq = await ann.locator('.ic-log li.ic-mine').last().getAttribute('data-seq');
    const onBea = item(bea, annSeq!);
    // Bea sees it in Spanish, said to be a translation, with a control for the original.
    await onBea.locator('.ic-body', { hasText: /reunión/i }).waitFor();
    // Bea's browser is Spanish, so her interface is too.
    await onBea.getByText('Traducido del idioma: inglés').waitFor();
    assert.equal(await onBea.locator('.ic-body').getAttribute('lang'), 'es');
    await onBea.getByRole('button', { name: 'ver original' }).click();
    await onBea.locator('.ic-body', { hasText: 'The meeting is at three.' }).waitFor();
    await onBea.getByText('Original (inglés)').waitFor();
    // The control keeps the keyboard focus after the switch.
    assert.equal(await bea.evaluate(() => document.activeElement?.textContent), 'ver traducción');
    await onBea.getByRole('button', { name: 'ver traducción' }).click();
    await onBea.locator('.ic-body', { hasText: /reunión/i }).waitFor();
    // Ann, the author, sees her own words only.
    assert.equal(await item(ann, annSeq!).locator('.ic-translation-note').count(), 0);

    await say(bea, 'La reunión es mañana por la tarde.');
    const beaSeq = await bea.locator('.ic-log li.ic-mine').last().getAttribute('data-seq');
    const onAnn = item(ann, beaSeq!);
    await onAnn.locator('.ic-body', { hasText: /meeting/i }).waitFor();
    await onAnn.getByText('Translated from Spanish').waitFor();
    await onAnn.getByRole('button', { name: 'show original' }).click();
    await onAnn.locator('.ic-body', { hasText: 'La reunión es mañana por la tarde.' }).waitFor();

    // Reloaded, the page gets the stored translation with the history (no event needed).
    await bea.reload();
    await item(bea, annSeq!)
      .locator('.ic-body', { hasText: /reunión/i })
      .waitFor();

    await bea.screenshot({ path: path.join(SCREENSHOTS, 'chat-page-translated.png') });
    assert.deepEqual(await accessibilityProblems(bea), []);
    assert.deepEqual(pageProblems, []);
  });

  it('the Options menu says what messages are shown in, and a chat can be read in another language', async () => {
    const bea = contexts[1]!.pages()[0]!;
    await bea.getByText('Opciones', { exact: true }).click();
    const select = bea.getByLabel('Mostrar los mensajes en');
    assert.equal(await select.locator('option:checked').textContent(), 'Mi idioma (español)');
    await select.selectOption('en');
    // A language for this one chat changes its messages, not the interface.
    await bea.getByText('Guardado: los mensajes se muestran en inglés.').waitFor();
    // Ann's English message is now shown as written: nothing to translate for an English reader.
    const annSeq = await contexts[0]!.pages()[0]!.locator('.ic-log li.ic-mine').first().getAttribute('data-seq');
    await item(bea, annSeq!).locator('.ic-body', { hasText: 'The meeting is at three.' }).waitFor();
    assert.equal(await item(bea, annSeq!).locator('.ic-translation-note').count(), 0);
    await select.selectOption('');
    await item(bea, annSeq!)
      .locator('.ic-body', { hasText: /reunión/i })
      .waitFor();
    assert.deepEqual(pageProblems, []);
  });

  it('when Bea is away, her email carries the translation above the original', async () => {
    const [annPage, beaPage] = [contexts[0]!.pages()[0]!, contexts[1]!.pages()[0]!];
    await hide(beaPage);
    const before = lastMailId(server);
    await say(annPage, 'The invoice is ready.');
    const mail = await server.catcher!.waitFor(
      (m) => m.id > before && m.to.includes(BEA) && m.text.includes('The invoice is ready.'),
      30_000,
    );
    const translatedAt = mail.text.search(/factura/i);
    assert.ok(translatedAt >= 0, `the Spanish translation is in the email:\n${mail.text}`);
    assert.ok(translatedAt < mail.text.indexOf('The invoice is ready.'));
    // Bea reads Spanish: her email is written in Spanish too, the original kept as written.
    assert.match(mail.text, /Traducido del inglés/);
  });

  it("the home page's settings show my own language, taken from my browser, and change it", async () => {
    const bea = contexts[1]!.pages()[0]!;
    await bea.goto(`${server.url}/`);
    const select = bea.getByLabel('Mostrar los mensajes en');
    await bea.getByRole('heading', { name: 'Mi idioma' }).waitFor();
    await bea.waitForFunction(() => (document.getElementById('my-language') as HTMLSelectElement | null)?.value === 'es');
    await select.selectOption('fr');
    await bea.getByRole('region', { name: 'Mi idioma' }).getByRole('button', { name: 'Guardar' }).click();
    // My own language is the interface's: the page switches to French at once, confirmation included.
    await bea.getByText('Enregistré : les messages s’affichent en français.').waitFor();
    await bea.locator('html[lang="fr"]').waitFor({ state: 'attached' });
    const session = await storedSession(bea);
    assert.equal((await api(server, 'GET', '/api/me', undefined, session!.token)).body.language, 'fr');
    assert.deepEqual(await accessibilityProblems(bea), []);
    assert.deepEqual(pageProblems, []);
  });
});
