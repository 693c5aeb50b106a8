/**
 * `npm run bench -- calls`: call signalling through the real server (its own process and
 * database): how long a ring takes to reach the callee, how long the offer/answer round trip and
 * the candidates take through the server, and the server's CPU per call set up and per active
 * call. Media never passes through the server (browser to browser, or through coturn), so an
 * active call costs it nothing until someone joins, leaves or an ICE restart signals again.
 *
 * Then a browser phase (bench/calls-browser.ts): BENCH_BROWSER_CALLS calls between two headless
 * Chromium pages, timed from the press on Video call to the callee's first decoded video frame.
 * Knobs: BENCH_CALLS=40 (calls, one after another, then all held together), BENCH_HOLD_S=10,
 * BENCH_CANDIDATES=8 (ICE candidates each side sends), BENCH_BROWSER_CALLS=5 (0 skips the phase).
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { ringToFirstFrame } from './calls-browser.ts';
import { createBenchDatabase, seedChats, type SeededMember } from './lib/database.ts';
import { startServerChild, type Child } from './lib/processes.ts';
import { fmt, percentiles } from './lib/stats.ts';

const env = process.env;
const CALLS = Number(env.BENCH_CALLS ?? 40);
const HOLD_MS = Number(env.BENCH_HOLD_S ?? 10) * 1000;
const CANDIDATES = Number(env.BENCH_CANDIDATES ?? 8);
const BROWSER_CALLS = Number(env.BENCH_BROWSER_CALLS ?? 5);

const log = (s: string) => console.log(s);

function connect(url: string, token: string): Promise<Socket> {
  const s = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function next<T>(s: Socket, event: string, match: (p: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const h = (p: T) => {
      if (!match(p)) return;
      s.off(event, h);
      resolve(p);
    };
    s.on(event, h);
  });
}

async function ask<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  const r: { ok: boolean; error?: { code: string } } & T = await s.timeout(10_000).emitWithAck(event, payload);
  if (!r.ok) throw new Error(`${event}: ${JSON.stringify(r.error)}`);
  return r;
}

async function cpuMs(child: Child): Promise<number> {
  const c = await child.ask<{ user: number; system: number }>({ type: 'cpu' });
  return (c.user + c.system) / 1000;
}

interface Joined {
  call: { id: string; participants: string[] };
}

/** One call: ring, accept, offer/answer, candidates both ways. Times in ms. */
async function oneCall(
  url: string,
  [a, b]: SeededMember[],
): Promise<{ ring: number; answer: number; signalled: number; sockets: Socket[] }> {
  const [sa, sb] = await Promise.all([connect(url, a!.token), connect(url, b!.token)]);
  const chatId = a!.chatId;
  const t0 = performance.now();
  const rung = next(sb, 'call:ring');
  const started = await ask<Joined>(sa, 'call:start', { chatId, media: 'video' });
  await rung;
  const ring = performance.now() - t0;
  const callId = started.call.id;
  const joined = await ask<Joined>(sb, 'call:accept', { chatId, callId });
  const [aHandle, bHandle] = joined.call.participants;
  // Bob answers Alice's offer and both trickle candidates, as the panel does.
  sb.on('call:signal', (n: { signal: { kind: string } }) => {
    if (n.signal.kind === 'offer') void ask(sb, 'call:signal', { chatId, callId, to: aHandle, signal: { kind: 'answer', sdp: SDP } });
  });
  const t1 = performance.now();
  const answered = next(sa, 'call:signal', (n: { signal: { kind: string } }) => n.signal.kind === 'answer');
  let aGot = 0;
  let bGot = 0;
  const allCandidates = new Promise<void>((resolve) => {
    const check = () => aGot >= CANDIDATES && bGot >= CANDIDATES && resolve();
    sa.on('call:signal', (n: { signal: { kind: string } }) => n.signal.kind === 'ice' && (aGot++, check()));
    sb.on('call:signal', (n: { signal: { kind: string } }) => n.signal.kind === 'ice' && (bGot++, check()));
  });
  await ask(sa, 'call:signal', { chatId, callId, to: bHandle, signal: { kind: 'offer', sdp: SDP } });
  await answered;
  const answer = performance.now() - t1;
  await Promise.all(
    Array.from({ length: CANDIDATES }, (_, i) => [
      ask(sa, 'call:signal', { chatId, callId, to: bHandle, signal: candidate(i) }),
      ask(sb, 'call:signal', { chatId, callId, to: aHandle, signal: candidate(i) }),
    ]).flat(),
  );
  await allCandidates;
  return { ring, answer, signalled: performance.now() - t0, sockets: [sa, sb] };
}

// A Chromium offer's size (audio and video, one bundle) without its meaning: the server only relays it.
const SDP = `v=0\r\no=- ${Date.now()} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=x-bench:' + 'x'.repeat(70) + '\r\n'}`.repeat(60);
const candidate = (i: number) => ({
  kind: 'ice',
  candidate: {
    candidate: `candidate:${i} 1 udp 2122260223 192.0.2.${i + 1} ${50000 + i} typ host generation 0`,
    sdpMid: '0',
    sdpMLineIndex: 0,
  },
});

async function benchCalls(): Promise<void> {
  log(`Calls bench: ${CALLS} calls one after another through the real server, then all ${CALLS} held ${HOLD_MS / 1000} s`);
  const db = await createBenchDatabase();
  const server = await startServerChild('server', {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    SMTP_URL: 'smtp://127.0.0.1:1',
    SECRET_KEY: randomBytes(32).toString('base64url'),
    METRICS_TOKEN: randomBytes(24).toString('base64url'),
    SOCKET_EVENTS_PER_10S: '1000000',
    SOCKETS_PER_IP: '1000000',
    HTTP_REQUESTS_PER_MINUTE: '1000000',
    CALLS_PER_HOUR: '1000000',
  });
  const sockets: Socket[] = [];
  try {
    const chats = await seedChats(db.url, CALLS, 2, 'calls');
    const rings: number[] = [];
    const answers: number[] = [];
    const signalled: number[] = [];
    const cpu0 = await cpuMs(server);
    const wall0 = performance.now();
    for (const chat of chats) {
      const r = await oneCall(server.url, chat);
      rings.push(r.ring);
      answers.push(r.answer);
      signalled.push(r.signalled);
      sockets.push(...r.sockets);
    }
    const setupCpu = (await cpuMs(server)) - cpu0;
    const setupWall = performance.now() - wall0;
    const p = (xs: number[]) => {
      const q = percentiles(xs);
      return `p50 ${fmt(q.p50)} ms, p95 ${fmt(q.p95)} ms, max ${fmt(q.max)} ms`;
    };
    log(`  start -> ring at the callee:              ${p(rings)}`);
    log(`  offer -> answer back (two relays):        ${p(answers)}`);
    log(`  start -> all ${CANDIDATES}+${CANDIDATES} candidates delivered:   ${p(signalled)}`);
    log(
      `  server CPU per call set up (incl. connect, history line): ${fmt(setupCpu / CALLS)} ms (${fmt(setupWall / 1000)} s wall for ${CALLS})`,
    );
    const cpu1 = await cpuMs(server);
    await new Promise((r) => setTimeout(r, HOLD_MS));
    const holdCpu = (await cpuMs(server)) - cpu1;
    log(
      `  server CPU with ${CALLS} active calls held: ${fmt((100 * holdCpu) / HOLD_MS, 2)} % of a core in total, ${fmt((100 * holdCpu) / HOLD_MS / CALLS, 3)} % per call`,
    );
    for (const s of sockets.splice(0)) s.close();
    if (BROWSER_CALLS > 0) {
      log(`  browsers: ${BROWSER_CALLS} video calls one after another between two headless Chromium pages (fake devices)`);
      const frames = await ringToFirstFrame(server.url, await seedChats(db.url, BROWSER_CALLS, 2, 'browser-calls'));
      log(`  Video call pressed -> callee's first decoded frame: ${p(frames.startToFrame)}`);
      log(`  Accept pressed -> callee's first decoded frame:     ${p(frames.acceptToFrame)}`);
    }
  } finally {
    for (const s of sockets) s.close();
    await server.stop();
    await db.drop();
  }
}

benchCalls().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
