/**
 * The calls bench's browser phase: ring to first decoded video frame, as a person waits for it.
 * Two headless Chromium pages per call (fake camera and microphone) on the real server's chat
 * page; the caller presses Video call, the callee accepts the ring, and the callee's own
 * getStats() says when the first frame was decoded. ICE checks, DTLS and the first key frame are
 * all inside this figure, which the socket-only phase cannot see.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.ts';
import type { SeededMember } from './lib/database.ts';

export interface FirstFrames {
  /** Press on Video call (sends call:start) -> the callee's first decoded video frame. */
  startToFrame: number[];
  /** Accept pressed on the callee's ring -> its first decoded video frame (no human in the loop). */
  acceptToFrame: number[];
}

export async function ringToFirstFrame(url: string, pairs: SeededMember[][]): Promise<FirstFrames> {
  const browser = await launchChromium({
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
  });
  const out: FirstFrames = { startToFrame: [], acceptToFrame: [] };
  try {
    for (const [a, b] of pairs) {
      const [caller, callee] = await Promise.all([openChat(browser, url, a!), openChat(browser, url, b!)]);
      try {
        const t0 = performance.now();
        await caller.getByRole('button', { name: 'Video call' }).click();
        await callee.getByRole('alert').filter({ hasText: 'is calling' }).getByRole('button', { name: 'Accept' }).click();
        const t1 = performance.now();
        await firstDecodedFrame(callee);
        const t2 = performance.now();
        out.startToFrame.push(t2 - t0);
        out.acceptToFrame.push(t2 - t1);
        await caller.getByRole('button', { name: 'Hang up' }).click();
        await caller.getByRole('button', { name: 'Video call' }).waitFor();
      } finally {
        await Promise.all([caller.context().close(), callee.context().close()]);
      }
    }
  } finally {
    await browser.close();
  }
  return out;
}

/** A member's browser on the chat's page, signed in with their seeded session, its peer connections kept. */
async function openChat(browser: Browser, url: string, who: SeededMember): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
  context.setDefaultTimeout(30_000);
  const stored = { token: who.token, address: who.address, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), chatId: null };
  await context.addInitScript((stored) => {
    localStorage.setItem('inbox-chat.session', JSON.stringify(stored));
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as { __peerConnections?: RTCPeerConnection[] }).__peerConnections = made;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  }, stored);
  const page = await context.newPage();
  await page.goto(`${url}/c/${who.chatId}`);
  await page.getByRole('button', { name: 'Video call' }).and(page.locator(':enabled')).waitFor();
  return page;
}

/**
 * Resolves once a video frame has been decoded on any of the page's connections, polled every
 * 10 ms in the page. A string, not a function: tsx names inner functions with a helper that
 * does not exist in the page.
 */
const FIRST_DECODED_FRAME = `new Promise((resolve, reject) => {
  const until = Date.now() + 30000;
  const tick = async () => {
    for (const pc of window.__peerConnections || []) {
      let decoded = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') decoded += r.framesDecoded || 0;
      });
      if (decoded > 0) return resolve(true);
    }
    if (Date.now() > until) return reject(new Error('no video frame decoded within 30 s'));
    setTimeout(tick, 10);
  };
  tick();
})`;

async function firstDecodedFrame(page: Page): Promise<void> {
  await page.evaluate(FIRST_DECODED_FRAME);
}
