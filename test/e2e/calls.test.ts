/**
 * Calls end to end: real server, PostgreSQL, Socket.IO, Chromium with fake camera and
 * microphone (`--use-fake-device-for-media-stream`), and a real coturn on loopback. Each
 * person is their own browser context on the chat page; the test reads the browsers' own
 * getStats() to check that audio and video bytes flow both ways, directly and through the
 * TURN relay over UDP and over TCP only.
 *
 * Forcing `iceTransportPolicy: 'relay'` in the page stands in for a firewall that blocks
 * direct media: every candidate but the relay's is dropped by the browser itself.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { UUID_PATTERN, type SessionView } from '../../protocol/index.ts';
import { accessibilityProblems, assertUiBuilt, CHROMIUM, SCREENSHOTS, watchForPageProblems } from '../support/browser.ts';
import { makeTurnCertificate, startCoturn, type Coturn, type TurnCertificate } from '../support/coturn.ts';
import { api, signInAll, startTestServer, startTwoNodes, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { iceServersFor } from '../../backend/src/calls/turn.ts';

declare global {
  interface Window {
    /** Every RTCPeerConnection the page made, kept by the test's init script. */
    __peerConnections?: RTCPeerConnection[];
  }
}

interface MediaFlow {
  open: number;
  audioIn: number;
  videoIn: number;
  audioOut: number;
  videoOut: number;
  /** Per open connection: the selected path's local candidate type and, for a relay, its protocol to the relay. */
  paths: string[];
}

/** Bytes in and out per kind over the page's open peer connections, from the browser's getStats(). */
function mediaFlow(page: Page): Promise<MediaFlow> {
  return page.evaluate(async () => {
    const flow = { open: 0, audioIn: 0, videoIn: 0, audioOut: 0, videoOut: 0, paths: [] as string[] };
    for (const pc of window.__peerConnections ?? []) {
      if (pc.connectionState !== 'connected') continue;
      flow.open++;
      const stats = await pc.getStats();
      let pairId = '';
      stats.forEach((r: { type: string; selectedCandidatePairId?: string }) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) pairId = r.selectedCandidatePairId;
      });
      const pair: { localCandidateId?: string } | undefined = stats.get(pairId);
      const local: { candidateType?: string; relayProtocol?: string } | undefined = pair?.localCandidateId
        ? stats.get(pair.localCandidateId)
        : undefined;
      flow.paths.push(local ? `${local.candidateType}${local.relayProtocol ? `/${local.relayProtocol}` : ''}` : 'none');
      stats.forEach((r: { type: string; kind?: string; bytesReceived?: number; bytesSent?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') flow.audioIn += r.bytesReceived ?? 0;
        if (r.type === 'inbound-rtp' && r.kind === 'video') flow.videoIn += r.bytesReceived ?? 0;
        if (r.type === 'outbound-rtp' && r.kind === 'audio') flow.audioOut += r.bytesSent ?? 0;
        if (r.type === 'outbound-rtp' && r.kind === 'video') flow.videoOut += r.bytesSent ?? 0;
      });
    }
    return flow;
  });
}

/**
 * Waits until every page has `peers` connected peer connections over which audio and video
 * arrive and leave, and keep arriving (a second reading is higher than the first).
 */
async function expectMediaFlowing(pages: Page[], peers: number): Promise<MediaFlow[]> {
  const first = await waitUntil(
    `audio and video flowing both ways on ${pages.length} pages`,
    async () => {
      const flows = await Promise.all(pages.map(mediaFlow));
      const ok = flows.every(
        (f) => f.open === peers && f.audioIn > 2_000 && f.videoIn > 20_000 && f.audioOut > 2_000 && f.videoOut > 20_000,
      );
      return ok ? flows : null;
    },
    30_000,
    250,
  );
  const later = await waitUntil(
    'bytes still arriving',
    async () => {
      const flows = await Promise.all(pages.map(mediaFlow));
      return flows.every((f, i) => f.audioIn > first[i]!.audioIn && f.videoIn > first[i]!.videoIn) ? flows : null;
    },
    10_000,
    250,
  );
  return later;
}

/**
 * The operating system's side of an alert (the notification bubble, the speaker) cannot be
 * observed: as in test/e2e/alerts.test.ts, this wraps the page's own entry points (the
 * Notification constructor, OscillatorNode.start) and records each use before passing it on
 * to Chromium's real one.
 */
const ALERT_RECORDER = `(() => {
  const rec = { notifications: [], tones: 0 };
  window.__rings = rec;
  const RealNotification = window.Notification;
  class RecordedNotification extends RealNotification {
    constructor(title, options) {
      rec.notifications.push({ title, tag: options && options.tag });
      super(title, options);
      window.__lastNotification = this;
    }
  }
  Object.defineProperty(RecordedNotification, 'permission', { get: () => RealNotification.permission });
  RecordedNotification.requestPermission = (...a) => RealNotification.requestPermission(...a);
  window.Notification = RecordedNotification;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...a) { rec.tones++; return start.apply(this, a); };
})()`;

interface RecordedRings {
  notifications: { title: string; tag: string }[];
  tones: number;
}
const recordedRings = (page: Page) => page.evaluate('window.__rings') as Promise<RecordedRings>;

/** A background tab as the browser makes it (headless Chromium always shows its pages). */
const setVisibility = (page: Page, visible: boolean) =>
  page.evaluate(`(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => ${visible ? "'visible'" : "'hidden'"} });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${!visible} });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);

describe('calls in the chat page (Chromium, fake devices, coturn)', function () {
  this.timeout(120_000);
  // Relayed calls through coturn on loopback failed about one run in three in fresh-clone CI
  // (media never started). One cause found: coturn opens its UDP listener after its TCP ones,
  // and the readiness check only tried TCP (it now waits for a STUN answer over UDP too).
  // Another: on this shared 2-core machine (load average ~20) a run can hit the 120 s test
  // timeout before media is checked. Each attempt starts its own server and coturn, so a retry
  // is clean; a call path that is really broken still fails all three.
  this.retries(2);
  let browser: Browser;
  /** The `turns:` relay's self-signed certificate, trusted by this browser by its key (as a CA-signed one would be). */
  let turnCertificate: TurnCertificate;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    assertUiBuilt();
    turnCertificate = makeTurnCertificate();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        // Three fake cameras (and Chromium's three fake microphones), so a call can switch between
        // them. fake_device_1 is a 16-bit depth camera (Y16) whose frames WebRTC cannot encode.
        '--use-fake-device-for-media-stream=device-count=3',
        '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required',
        `--ignore-certificate-errors-spki-list=${turnCertificate.spki}`,
      ],
    });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
    assert.deepEqual(problems.splice(0), [], 'no page errors');
  });
  after(async () => {
    await browser?.close();
    turnCertificate?.remove();
  });

  /** A person's browser on the chat's page, signed in with their session. */
  async function openChat(
    server: TestServer,
    who: SessionView,
    chatId: string,
    opts: { relay?: boolean; recordAlerts?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 900, height: 800 } });
    contexts.push(context);
    watchForPageProblems(context, problems);
    if (opts.recordAlerts) {
      await context.grantPermissions(['notifications'], { origin: server.url });
      await context.addInitScript(ALERT_RECORDER);
    }
    const stored = { token: who.token, address: who.identity.addresses[0], expiresAt: who.expiresAt, chatId: null };
    await context.addInitScript(
      ({ stored, relay }) => {
        // about:blank (the context's first document) has no storage.
        if (location.protocol.startsWith('http')) localStorage.setItem('inbox-chat.session', JSON.stringify(stored));
        const Native = window.RTCPeerConnection;
        const made: RTCPeerConnection[] = [];
        window.__peerConnections = made;
        window.RTCPeerConnection = class extends Native {
          constructor(config?: RTCConfiguration) {
            super(relay ? { ...config, iceTransportPolicy: 'relay' } : config);
            made.push(this);
          }
        };
      },
      { stored, relay: !!opts.relay },
    );
    const page = await context.newPage();
    await page.goto(`${server.url}/c/${chatId}`);
    await page.getByRole('button', { name: 'Video call' }).and(page.locator(':enabled')).waitFor();
    return page;
  }

  async function chatOf(server: TestServer, owner: SessionView, others: SessionView[], subject: string): Promise<string> {
    const to = others.map((o) => o.identity.addresses[0]!);
    const chat = await api(server, 'POST', '/api/chats', { subject, audience: { to } }, owner.token);
    for (const o of others) await api(server, 'POST', `/api/chats/${chat.body.id}/open`, undefined, o.token);
    return chat.body.id;
  }

  /** Alice video-calls; each other page sees who calls from which chat and accepts. */
  async function callAndAnswer(caller: Page, callees: Page[], subject: string): Promise<void> {
    await caller.getByRole('button', { name: 'Video call' }).click();
    for (const p of callees) {
      const ring = p.getByRole('alert').filter({ hasText: 'is calling' });
      await ring.waitFor();
      assert.equal(await ring.locator('.ic-call-ring-text').innerText(), `alice@example.com is calling (video): ${subject}`);
      await ring.getByRole('button', { name: 'Accept' }).click();
    }
  }

  async function hangUpAndCheckHistory(caller: Page, others: Page[], names: string): Promise<void> {
    await caller.getByRole('button', { name: 'Hang up' }).click();
    for (const p of [caller, ...others]) {
      await p.locator('.ic-system', { hasText: `in the call: ${names}` }).waitFor();
      await p.getByRole('button', { name: 'Video call' }).waitFor();
    }
  }

  for (const mode of ['direct', 'relay over UDP', 'relay over TCP only', 'relay over TLS only'] as const) {
    it(`two people: audio and video both ways, ${mode}`, async () => {
      const coturn: Coturn | null =
        mode === 'direct'
          ? null
          : await startCoturn({
              tcpOnly: mode === 'relay over TCP only',
              tls: mode === 'relay over TLS only' ? turnCertificate : undefined,
            });
      const server = await startTestServer(coturn ? { TURN_URLS: coturn.urls, TURN_SECRET: coturn.secret, TURN_TTL_SECONDS: '600' } : {});
      try {
        const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
        const chatId = await chatOf(server, alice, [bob], `Call test ${mode}`);
        const relay = mode !== 'direct';
        const a = await openChat(server, alice, chatId, { relay });
        const b = await openChat(server, bob, chatId, { relay });
        await callAndAnswer(a, [b], `Call test ${mode}`);
        await a.getByText('In the call with bob@example.com').waitFor();
        await b.getByText('In the call with alice@example.com').waitFor();
        const flows = await expectMediaFlowing([a, b], 1);
        const expected = {
          direct: /^(host|srflx|prflx)$/,
          'relay over UDP': /^relay\/udp$/,
          'relay over TCP only': /^relay\/tcp$/,
          'relay over TLS only': /^relay\/tls$/,
        }[mode];
        for (const f of flows) assert.match(f.paths[0]!, expected, JSON.stringify(flows));
        // The panel shows the quality it reads from getStats, and says when media is relayed.
        const quality = b.locator('.ic-call-tile', { hasText: 'alice@example.com' }).locator('.ic-call-quality');
        await waitUntil('quality shown', async () => /good|fair|poor/.test(await quality.innerText()));
        if (relay) assert.match(await quality.innerText(), new RegExp(`relayed over ${mode.split(' ')[2]}`));
        if (coturn) {
          // coturn saw allocations by the server-issued, per-member usernames.
          assert.match(coturn.log(), new RegExp(`user <\\d+:[A-Za-z0-9_-]+\\.${UUID_PATTERN}>`));
        }
        if (mode === 'relay over UDP') {
          await a.screenshot({ path: path.join(SCREENSHOTS, 'call.png') });
          assert.deepEqual(await accessibilityProblems(a), [], 'the call bar in a call has no WCAG 2 A/AA problems axe-core can find');
        }
        // Mute and camera off act on the tracks being sent.
        await a.getByRole('button', { name: 'Mute' }).click();
        await a.getByRole('button', { name: 'Camera off' }).click();
        assert.equal(await a.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'), 'true');
        const sending = await a.evaluate(() =>
          (window.__peerConnections ?? [])
            .filter((pc) => pc.connectionState === 'connected')
            .flatMap((pc) => pc.getSenders().map((s) => `${s.track?.kind}:${s.track?.enabled}`)),
        );
        assert.deepEqual(sending.sort(), ['audio:false', 'video:false']);
        await hangUpAndCheckHistory(a, [b], 'alice@example.com and bob@example.com');
      } finally {
        await server.close();
        await coturn?.stop();
      }
    });
  }

  it('a `turns:` relay with a certificate the browser does not trust gives no relay candidate; the same relay trusted does', async () => {
    const untrusted = makeTurnCertificate();
    const relays = [await startCoturn({ tls: turnCertificate }), await startCoturn({ tls: untrusted })];
    const context = await browser.newContext();
    contexts.push(context);
    try {
      const page = await context.newPage();
      const relayCandidates = [];
      for (const relay of relays) {
        const { iceServers } = iceServersFor({ iceUrls: [relay.urls], turnSecret: relay.secret, turnTtlSeconds: 600 }, 'probe');
        relayCandidates.push(
          await page.evaluate(async (iceServers) => {
            const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: 'relay' });
            pc.createDataChannel('probe');
            const found: string[] = [];
            pc.onicecandidate = (e) => {
              // relayProtocol (the browser's leg to the relay) is newer than TypeScript's DOM types.
              const c: (RTCIceCandidate & { relayProtocol?: string }) | null = e.candidate;
              if (c?.type === 'relay') found.push(c.relayProtocol ?? '');
            };
            const done = new Promise<void>((resolve) => {
              pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
            });
            await pc.setLocalDescription(await pc.createOffer());
            await Promise.race([done, new Promise((r) => setTimeout(r, 15_000))]);
            pc.close();
            return found;
          }, iceServers),
        );
      }
      assert.deepEqual(relayCandidates, [['tls'], []]);
      // The relay saw the untrusting browser give up during the TLS handshake, before any TURN request.
      assert.match(relays[1]!.log(), /TLS\/TCP socket (buffer operation error|disconnected)/);
      assert.doesNotMatch(relays[1]!.log(), /user <\d+:probe>/);
    } finally {
      for (const r of relays) await r.stop();
      untrusted.remove();
    }
  });

  it('switches microphone and camera mid-call: the new tracks replace the old in the same connection, and bytes keep flowing', async () => {
    const server = await startTestServer();
    try {
      const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
      const chatId = await chatOf(server, alice, [bob], 'Devices');
      const a = await openChat(server, alice, chatId);
      const b = await openChat(server, bob, chatId);
      await callAndAnswer(a, [b], 'Devices');
      await expectMediaFlowing([a, b], 1);
      /** What Alice sends: per kind, the track's label, id and enabled state, and the track the encoder reads (getStats media-source). */
      const sending = () =>
        a.evaluate(async () => {
          const pc = (window.__peerConnections ?? []).find((p) => p.connectionState === 'connected')!;
          const stats = await pc.getStats();
          const encoded: Record<string, string> = {};
          stats.forEach((r: { type: string; kind?: string; trackIdentifier?: string }) => {
            if (r.type === 'media-source' && r.kind && r.trackIdentifier) encoded[r.kind] = r.trackIdentifier;
          });
          return {
            connections: (window.__peerConnections ?? []).length,
            senders: pc
              .getSenders()
              .map((s) => ({ kind: s.track!.kind, label: s.track!.label, id: s.track!.id, enabled: s.track!.enabled })),
            encoded,
          };
        });
      const before = await sending();
      const microphone = a.getByRole('combobox', { name: 'Microphone' });
      const camera = a.getByRole('combobox', { name: 'Camera' });
      assert.equal(await microphone.inputValue(), 'default');
      await a.getByRole('button', { name: 'Mute' }).click();
      await microphone.selectOption({ label: 'Fake Audio Input 1' });
      await camera.selectOption({ label: 'fake_device_2' });
      const after = await waitUntil(
        'the new devices are sent',
        async () => {
          const now = await sending();
          const labels = now.senders.map((s) => s.label).sort();
          return labels.join() === 'Fake Audio Input 1,fake_device_2' ? now : null;
        },
        15_000,
        100,
      );
      // The same one connection, its senders now reading the new tracks (the encoder too), mute kept.
      assert.equal(after.connections, 1);
      for (const s of after.senders) {
        assert.notEqual(s.id, before.senders.find((o) => o.kind === s.kind)!.id);
        assert.equal(after.encoded[s.kind], s.id, JSON.stringify(after));
      }
      assert.deepEqual(after.senders.map((s) => `${s.kind}:${s.enabled}`).sort(), ['audio:false', 'video:true']);
      await a.getByRole('button', { name: 'Unmute' }).click();
      await expectMediaFlowing([a, b], 1);
      // The picker shows what is sent, and the preview shows the new camera.
      assert.equal(await camera.locator('option:checked').innerText(), 'fake_device_2');
      assert.equal(
        await a.locator('.ic-call-local').evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream).getVideoTracks()[0]?.label),
        'fake_device_2',
      );
      await hangUpAndCheckHistory(a, [b], 'alice@example.com and bob@example.com');
    } finally {
      await server.close();
    }
  });

  it('three people: each receives audio and video from both others through the relay', async () => {
    const coturn = await startCoturn();
    const server = await startTestServer({ TURN_URLS: coturn.urls, TURN_SECRET: coturn.secret });
    try {
      const [alice, bob, carol] = await signInAll(server, ['alice@example.com', 'bob@example.com', 'carol@example.com']);
      const chatId = await chatOf(server, alice, [bob, carol], 'Three of us');
      const pages = [
        await openChat(server, alice, chatId, { relay: true }),
        await openChat(server, bob, chatId, { relay: true }),
        await openChat(server, carol, chatId, { relay: true }),
      ];
      await callAndAnswer(pages[0]!, pages.slice(1), 'Three of us');
      const flows = await expectMediaFlowing(pages, 2);
      assert.ok(
        flows.every((f) => f.paths.length === 2 && f.paths.every((p) => p.startsWith('relay'))),
        JSON.stringify(flows),
      );
      for (const p of pages) assert.equal(await p.locator('.ic-call-tile[data-handle]').count(), 2);
      // The caller hangs up; the other two keep talking, and she may join again.
      await pages[0]!.getByRole('button', { name: 'Hang up' }).click();
      await pages[0]!.getByRole('button', { name: 'Join call' }).waitFor();
      await waitUntil('the others see her leave', async () => (await pages[1]!.locator('.ic-call-tile[data-handle]').count()) === 1);
      await expectMediaFlowing(pages.slice(1), 1);
      await pages[1]!.getByRole('button', { name: 'Hang up' }).click();
      for (const p of pages)
        await p.locator('.ic-system', { hasText: 'in the call: alice@example.com, bob@example.com, and carol@example.com' }).waitFor();
    } finally {
      await server.close();
      await coturn.stop();
    }
  });

  it('two server nodes: the caller on node one, the callee on node two, audio and video both ways', async () => {
    const nodes = await startTwoNodes();
    try {
      const [alice, bob] = await signInAll(nodes.one, ['alice@example.com', 'bob@example.com']);
      const chatId = await chatOf(nodes.one, alice, [bob], 'Across nodes');
      const a = await openChat(nodes.one, alice, chatId);
      const b = await openChat(nodes.two, bob, chatId);
      await callAndAnswer(a, [b], 'Across nodes');
      await expectMediaFlowing([a, b], 1);
      await hangUpAndCheckHistory(b, [a], 'alice@example.com and bob@example.com');
    } finally {
      await nodes.close();
    }
  });

  it('a declined call leaves a "missed call" line in the chat', async () => {
    const server = await startTestServer();
    try {
      const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
      const chatId = await chatOf(server, alice, [bob], 'Missed');
      const a = await openChat(server, alice, chatId);
      const b = await openChat(server, bob, chatId);
      await a.getByRole('button', { name: 'Call', exact: true }).click();
      const ring = b.getByRole('alert').filter({ hasText: 'alice@example.com is calling: Missed' });
      await ring.waitFor();
      assert.deepEqual(await accessibilityProblems(b), [], 'the ringing prompt has no WCAG 2 A/AA problems axe-core can find');
      await ring.getByRole('button', { name: 'Decline' }).click();
      for (const p of [a, b]) await p.locator('.ic-system', { hasText: 'Missed call from alice@example.com' }).waitFor();
      await a.getByRole('button', { name: 'Call', exact: true }).waitFor();
    } finally {
      await server.close();
    }
  });

  it('rings on the home page too: the alert opens the chat in place (no page load), where the call is joined', async () => {
    const server = await startTestServer();
    try {
      const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
      const chatId = await chatOf(server, alice, [bob], 'From the list');
      const a = await openChat(server, alice, chatId);
      const b = await openChat(server, bob, chatId);
      await b.goto(`${server.url}/`);
      await b.getByRole('heading', { name: 'My chats' }).waitFor();
      await a.getByRole('button', { name: 'Video call' }).click();
      const alert = b.getByRole('alert').filter({ hasText: 'alice@example.com is calling (video): From the list' });
      await alert.waitFor();
      assert.deepEqual(await accessibilityProblems(b), [], 'the ringing alert has no WCAG 2 A/AA problems axe-core can find');
      // A page load would wipe this mark out (and drop the connection the call is set up over).
      await b.evaluate(() => Object.assign(window, { ringMark: 'same page' }));
      const loads: string[] = [];
      b.on('framenavigated', (f) => f === b.mainFrame() && loads.push(f.url()));
      b.on('load', () => loads.push('load'));
      await alert.getByRole('link', { name: 'Open the chat to answer' }).click();
      await b.waitForURL(`**/c/${chatId}`);
      await b.getByRole('button', { name: 'Join call' }).click();
      assert.equal(await b.evaluate(() => (window as { ringMark?: string }).ringMark), 'same page', 'switched in place');
      assert.deepEqual(
        loads.filter((l) => l === 'load'),
        [],
        'no page load',
      );
      assert.equal(await alert.count(), 0, 'the ring is gone once its chat is open');
      await a.getByText('In the call with bob@example.com').waitFor();
      await expectMediaFlowing([a, b], 1);
      await hangUpAndCheckHistory(b, [a], 'alice@example.com and bob@example.com');
    } finally {
      await server.close();
    }
  });

  it('a ring to a tab in the background notifies and rings; the notification opens the chat in place; mute and do-not-disturb hold', async () => {
    const server = await startTestServer({ CALL_RING_SECONDS: '8' });
    try {
      const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
      const budget = await chatOf(server, alice, [bob], 'Budget');
      const offsite = await chatOf(server, alice, [bob], 'Offsite');
      const a = await openChat(server, alice, budget);
      const aOffsite = await openChat(server, alice, offsite);
      // Bob is in another chat, his tab in the background.
      const b = await openChat(server, bob, offsite, { recordAlerts: true });
      await setVisibility(b, false);
      const before = await recordedRings(b);
      await a.getByRole('button', { name: 'Video call' }).click();
      const rang = await waitUntil('a notification for the call', async () => {
        const r = await recordedRings(b);
        return r.notifications.length > before.notifications.length ? r : null;
      });
      const note = rang.notifications.at(-1)!;
      assert.equal(note.title, 'alice@example.com is calling (video): Budget');
      assert.match(note.tag, new RegExp(`^call-${UUID_PATTERN}$`));
      await waitUntil('the ring tone plays', async () => (await recordedRings(b)).tones > before.tones);
      // A page load would wipe this mark out (and drop the connection the call is set up over).
      await b.evaluate(() => Object.assign(window, { ringMark: 'same page' }));
      await b.evaluate(`window.__lastNotification.dispatchEvent(new Event('click'))`);
      await b.waitForURL(`**/c/${budget}`);
      await setVisibility(b, true);
      await b.getByRole('button', { name: 'Join call' }).click();
      assert.equal(await b.evaluate(() => (window as { ringMark?: string }).ringMark), 'same page', 'switched in place');
      await a.getByText('In the call with bob@example.com').waitFor();
      await hangUpAndCheckHistory(b, [a], 'alice@example.com and bob@example.com');

      // The chat on screen rings too when the tab is in the background (its panel plays the tone).
      await setVisibility(b, false);
      let seen = (await recordedRings(b)).notifications.length;
      await a.getByRole('button', { name: 'Call', exact: true }).click();
      await waitUntil('a notification for the chat on screen', async () => (await recordedRings(b)).notifications.length > seen);
      assert.equal((await recordedRings(b)).notifications.at(-1)!.title, 'alice@example.com is calling: Budget');
      await a.getByRole('button', { name: 'Hang up' }).click();
      await a.getByRole('button', { name: 'Video call' }).waitFor();

      // A muted chat does not notify nor ring; neither does any chat under do-not-disturb.
      assert.equal((await api(server, 'PUT', `/api/chats/${offsite}/alerts`, { muted: true }, bob.token)).status, 200);
      seen = (await recordedRings(b)).notifications.length;
      const tones = (await recordedRings(b)).tones;
      await aOffsite.getByRole('button', { name: 'Video call' }).click();
      // The in-page prompt still comes (a muted chat is still a chat one can be called in).
      await b.getByRole('alert').filter({ hasText: 'is calling (video): Offsite' }).waitFor();
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal((await recordedRings(b)).notifications.length, seen, 'no notification from the muted chat');
      assert.equal((await recordedRings(b)).tones, tones, 'no ring from the muted chat');
      await aOffsite.getByRole('button', { name: 'Hang up' }).click();
      await aOffsite.getByRole('button', { name: 'Video call' }).waitFor();
      assert.equal((await api(server, 'PUT', '/api/me/availability', { dnd: true }, bob.token)).status, 200);
      await a.getByRole('button', { name: 'Video call' }).click();
      await b.getByRole('alert').filter({ hasText: 'is calling (video): Budget' }).waitFor();
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal((await recordedRings(b)).notifications.length, seen, 'no notification under do-not-disturb');
      // Bob has Budget on screen: its panel shows the prompt but stays silent too.
      assert.equal((await recordedRings(b)).tones, tones, 'no ring tone under do-not-disturb, not even from the chat on screen');
      await a.getByRole('button', { name: 'Hang up' }).click();
    } finally {
      await server.close();
    }
  });

  it('restarts ICE when the relay path breaks, and media flows again through the relay that came back', async () => {
    let coturn = await startCoturn();
    const server = await startTestServer({ TURN_URLS: coturn.urls, TURN_SECRET: coturn.secret });
    try {
      const [alice, bob] = await signInAll(server, ['alice@example.com', 'bob@example.com']);
      const chatId = await chatOf(server, alice, [bob], 'Network change');
      const a = await openChat(server, alice, chatId, { relay: true });
      const b = await openChat(server, bob, chatId, { relay: true });
      await callAndAnswer(a, [b], 'Network change');
      await expectMediaFlowing([a, b], 1);
      // The only path dies with the relay (as when a network goes away); the same relay comes back.
      const { port, secret } = coturn;
      await coturn.stop();
      const before = await waitUntil(
        'both sides notice the path is gone',
        async () => {
          const states = await Promise.all(
            [a, b].map((p) => p.evaluate(() => (window.__peerConnections ?? []).map((pc) => pc.connectionState))),
          );
          return states.every((s) => s.includes('disconnected') || s.includes('failed')) ? Promise.all([a, b].map(mediaFlow)) : null;
        },
        30_000,
        100,
      );
      coturn = await startCoturn({ port, secret });
      await waitUntil(
        'audio and video arrive again on both sides',
        async () => {
          const now = await Promise.all([a, b].map(mediaFlow));
          return now.every((f, i) => f.open === 1 && f.audioIn > before[i]!.audioIn + 2_000 && f.videoIn > before[i]!.videoIn + 20_000);
        },
        45_000,
        250,
      );
      // Still one connection each way: the same peer connection took the new path.
      for (const p of [a, b]) assert.equal(await p.evaluate(() => (window.__peerConnections ?? []).length), 1);
    } finally {
      await server.close();
      await coturn.stop();
    }
  });
});
