/**
 * Files, images and video messages in the chat page, end to end: real server, PostgreSQL, SMTP
 * catcher and Chromium, whose fake camera and microphone (--use-fake-device-for-media-stream)
 * stand in for real ones; nothing else is mocked. One person records a video message, another
 * plays it; images dropped onto the panel show as thumbnails; an uploaded HTML or SVG file is
 * downloaded, never opened as a page of the app.
 */
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { SCREENSHOTS, assertUiBuilt, launchChromium, signInThroughPage, watchForPageProblems } from '../support/browser.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';

const ALICE = 'alice@media-e2e.test';
const BOB = 'bob@media-e2e.test';

describe('media in the chat page (Chromium, fake camera)', function () {
  this.timeout(120_000);
  let server: TestServer;
  let browser: Browser;
  let chatId: string;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  let alice: Page;
  let bob: Page;

  async function open(address: string): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    watchForPageProblems(context, problems);
    await context.grantPermissions(['camera', 'microphone'], { origin: server.url });
    const page = await context.newPage();
    await page.goto(`${server.url}/c/${chatId}`);
    await signInThroughPage(page, server, address);
    await page.getByPlaceholder('Write a message').waitFor();
    return page;
  }

  before(async () => {
    assertUiBuilt();
    server = await startTestServer();
    const owner = await signIn(server, ALICE);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'Video call notes', audience: { to: [BOB] } }, owner.token)).body.id;
    browser = await launchChromium({
      args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
    });
    alice = await open(ALICE);
    bob = await open(BOB);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  it('records a video message in one browser and plays it in another, with poster and duration', async () => {
    await alice.getByRole('button', { name: 'Record video' }).click();
    const preview = alice.getByLabel('Camera preview');
    await preview.waitFor();
    await alice.waitForFunction(() => (document.querySelector('.ic-video-preview') as HTMLVideoElement | null)?.videoWidth ?? 0 > 0);
    // A first take, thrown away: its upload is cancelled and never becomes a message.
    await alice.getByRole('button', { name: 'Record', exact: true }).click();
    await alice
      .getByRole('timer')
      .filter({ hasText: /^0:01 \// })
      .waitFor({ timeout: 15_000 });
    await alice.getByRole('button', { name: 'Stop' }).click();
    await alice.getByRole('button', { name: 'Re-take' }).click();
    await alice
      .getByRole('timer')
      .filter({ hasText: /^0:00 \// })
      .waitFor();
    await alice.getByRole('button', { name: 'Record', exact: true }).click();
    // Recording for a couple of seconds, as a person would; the visible timer says how long.
    await alice
      .getByRole('timer')
      .filter({ hasText: /^0:0[2-9] \// })
      .waitFor({ timeout: 15_000 });
    await alice.getByRole('button', { name: 'Stop' }).click();
    await alice.getByText(/^Recorded 0:0\d\. Send it, or re-take\.$/).waitFor();
    await alice.getByRole('button', { name: 'Send video' }).click();
    await alice.getByRole('region', { name: 'Record a video message' }).waitFor({ state: 'detached', timeout: 30_000 });

    const video = bob.locator('video.ic-video');
    await video.waitFor({ timeout: 20_000 });
    assert.equal(await video.count(), 1, 'only the second take was posted');
    const label = await bob.locator('.ic-attachment-video .ic-duration').innerText();
    assert.match(label, /^0:0[2-9]$/, 'the message shows the recorded length');
    assert.ok(await video.getAttribute('poster'), 'the player has a poster frame');
    // Bob presses play (muted, as autoplay rules want); the player must get real frames.
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      void v.play();
    });
    const state = await bob.waitForFunction(
      () => {
        const v = document.querySelector('video.ic-video') as HTMLVideoElement | null;
        return v && v.readyState >= 2 && v.duration > 0 && v.videoWidth > 0 ? { readyState: v.readyState, duration: v.duration } : null;
      },
      undefined,
      { timeout: 20_000 },
    );
    const played = (await state.jsonValue())!;
    assert.ok(played.readyState >= 2 && played.duration > 0, JSON.stringify(played));

    // Text still goes as before in the same session.
    await alice.getByPlaceholder('Write a message').fill('Did the video come through?');
    await alice.keyboard.press('Enter');
    await bob.getByText('Did the video come through?').waitFor();
    assert.equal(await bob.locator('.ic-attachment-video').count(), 1, 'the discarded take never became a message');
    await bob.setViewportSize({ width: 900, height: 960 });
    await bob.screenshot({ path: path.join(SCREENSHOTS, 'video-message.png') });
    assert.deepEqual(problems, []);
  });

  it('an image dropped onto the panel arrives as a thumbnail that opens full size, without its metadata', async () => {
    await alice.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 800;
      canvas.height = 600;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#3a7';
      g.fillRect(0, 0, 800, 600);
      const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg'));
      // A JPEG carrying an EXIF segment (APP1) right after its start marker, as cameras write them.
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const exif = new TextEncoder().encode('Exif\0\0GPS 51.5007N 0.1246W');
      const app1 = new Uint8Array([0xff, 0xe1, 0, exif.length + 2, ...exif]);
      const withExif = new Uint8Array([...bytes.slice(0, 2), ...app1, ...bytes.slice(2)]);
      const file = new File([withExif], 'holiday.jpg', { type: 'image/jpeg' });
      const data = new DataTransfer();
      data.items.add(file);
      const panel = document.querySelector('.ic-panel')!;
      panel.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      panel.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    const thumb = bob.getByRole('img', { name: 'holiday.jpg' });
    await thumb.waitFor({ timeout: 20_000 });
    await bob.waitForFunction(() => {
      const img = document.querySelector('img.ic-thumb') as HTMLImageElement | null;
      return img !== null && img.complete && img.naturalWidth > 0 && img.naturalWidth <= 320;
    });
    const full = await bob.locator('.ic-attachment-image a').getAttribute('href');
    assert.ok(full);
    const bytes = new Uint8Array(await (await fetch(new URL(full, server.url))).arrayBuffer());
    assert.equal(bytes[0], 0xff, 'a JPEG');
    assert.ok(!Buffer.from(bytes).includes(Buffer.from('GPS 51.5007N')), 'the EXIF location did not survive');
  });

  it('an uploaded HTML or SVG file downloads instead of opening as a page that could run script', async () => {
    for (const [name, type, body] of [
      ['page.html', 'text/html', '<script>document.title = "pwned"</script>'],
      ['drawing.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg"><script>document.title = "pwned"</script></svg>'],
    ] as const) {
      await alice.locator('input[type=file]').setInputFiles({ name, mimeType: type, buffer: Buffer.from(body) });
      const link = bob.locator('.ic-attachment-file').filter({ hasText: name }).getByRole('link', { name: 'Download' });
      await bob.waitForFunction((n) => {
        const items = [...document.querySelectorAll('.ic-attachment-file')].filter((e) => e.textContent?.includes(n));
        return items.some((e) => e.querySelector('a.ic-download')?.getAttribute('href'));
      }, name);
      const href = new URL((await link.getAttribute('href'))!, server.url).toString();
      const page = await bob.context().newPage();
      const [download] = await Promise.all([page.waitForEvent('download'), page.goto(href).catch(() => null)]);
      assert.equal(download.suggestedFilename(), name);
      assert.notEqual(await page.title(), 'pwned');
      await page.close();
    }
  });
});
