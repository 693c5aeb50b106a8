/**
 * `npm run bench`: load, latency and memory of the real server against a bare Socket.IO
 * baseline, on this machine. See docs/performance.md for the method and the results.
 * `npm run bench -- calls`: call signalling latency and server CPU per call (bench/calls.ts, docs/calls.md).
 *
 * Environment knobs (all optional):
 *   BENCH_QUICK=1          short run (fewer chats, 5 s windows, 2,000 idle members)
 *   BENCH_ONLY=load,baseline,memory   phases to run
 *   BENCH_CHATS=250        chats in the load phases (4 members each: BENCH_MEMBERS)
 *   BENCH_RATES=2000,5000,12000       offered messages/s, summed over all members
 *   BENCH_WARMUP_S=4 BENCH_MEASURE_S=12 BENCH_DRAIN_S=5
 *   BENCH_WORKERS=2        load-generator processes
 *   BENCH_IDLE=20000       idle members for the memory phase; BENCH_IDLE_WORKERS=4; BENCH_IDLE_JOIN=1
 *   BENCH_PROFILE=dir      write a V8 CPU profile of each load scenario into dir (tsx bench/profile-summary.ts)
 *   BENCH_SERVER_ENV='K=V,K=V'        extra env for the server child (e.g. DB_POOL_SIZE=4)
 *   BENCH_JSON=path        also write the results as JSON
 *   BENCH_NICE=-10         scheduling priority of the bench's own processes (server, baseline, generators,
 *                          and the PostgreSQL backends serving the bench database); 0 leaves them alone.
 *                          The machine is shared: without it, other work on the 2 cores decides the numbers.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { checkSeqIntegrity, countMessages, createBenchDatabase, seedChats, type SeededMember } from './lib/database.ts';
import { Child, openFileLimit, startServerChild, startWorker, type ServerChild } from './lib/processes.ts';
import { fmt, percentiles, ratio, type Percentiles } from './lib/stats.ts';
import type { ClientSpec, RunResult } from './load-worker.ts';

const env = process.env;
const quick = env.BENCH_QUICK === '1';
const num = (name: string, full: number, short: number) => Number(env[name] ?? (quick ? short : full));
const opts = {
  phases: new Set((env.BENCH_ONLY ?? 'load,baseline,memory').split(',').map((s) => s.trim())),
  chats: num('BENCH_CHATS', 250, 100),
  members: num('BENCH_MEMBERS', 4, 4),
  rates: (env.BENCH_RATES ?? (quick ? '2000,5000' : '2000,5000,12000')).split(',').map(Number),
  warmupMs: num('BENCH_WARMUP_S', 4, 2) * 1000,
  measureMs: num('BENCH_MEASURE_S', 12, 5) * 1000,
  drainMs: num('BENCH_DRAIN_S', 5, 3) * 1000,
  workers: num('BENCH_WORKERS', 2, 2),
  idle: num('BENCH_IDLE', 20_000, 2_000),
  idleWorkers: num('BENCH_IDLE_WORKERS', 4, 2),
  idleJoin: (env.BENCH_IDLE_JOIN ?? '1') === '1',
  bodyChars: num('BENCH_BODY_CHARS', 100, 100),
  profileDir: env.BENCH_PROFILE,
  nice: Number(env.BENCH_NICE ?? -10),
  serverEnv: Object.fromEntries(
    (env.BENCH_SERVER_ENV ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string]),
  ),
};

// One value for every server child of the run: the nodes must share the code-hashing key.
const BENCH_SECRET_KEY = randomBytes(32).toString('base64url');
const BENCH_METRICS_TOKEN = randomBytes(24).toString('base64url');

const serverEnv = (databaseUrl: string): Record<string, string> => ({
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'silent',
  SMTP_URL: 'smtp://127.0.0.1:1', // nothing in these runs sends mail; no catcher in the measured process
  SOCKET_EVENTS_PER_10S: '1000000',
  SOCKET_KB_PER_10S: '1000000',
  // Every simulated client connects from 127.0.0.1.
  SOCKETS_PER_IP: '1000000',
  SOCKETS_PER_IDENTITY: '1000000',
  HTTP_REQUESTS_PER_MINUTE: '1000000',
  // Production with a shared database needs the code-hashing key; /metrics needs its token.
  SECRET_KEY: BENCH_SECRET_KEY,
  METRICS_TOKEN: BENCH_METRICS_TOKEN,
  ...opts.serverEnv,
});

interface Scenario {
  target: 'ours' | 'baseline';
  offered: number;
  persistedPerS: number;
  deliveriesPerS: number;
  message: Percentiles;
  receipt: Percentiles;
  ack: Percentiles;
  skipped: number;
  incomplete: number;
  errors: Record<string, number>;
  serverCpuPct: number;
  /** Server CPU time per acknowledged message: less sensitive to other load on a shared machine than throughput. */
  serverCpuUsPerMessage: number;
  generatorCpuPct: number;
  avgBatch?: number;
}

const log = (...a: unknown[]) => console.log(...a);

/**
 * Raises the priority of processes this bench started (see BENCH_NICE). Linux schedules by
 * autogroup (one per session) first, so a process's own nice only counts inside its session:
 * the server and generators run in sessions of their own and get the nice on their autogroup.
 */
function prioritise(pids: (number | undefined)[], autogroup = true): void {
  if (!opts.nice) return;
  for (const pid of pids) {
    if (pid === undefined) continue;
    try {
      setPriority(pid, opts.nice);
      if (autogroup) writeFileSync(`/proc/${pid}/autogroup`, String(opts.nice));
    } catch {
      // not permitted here: run at normal priority
    }
  }
}

/** The PostgreSQL backends serving the bench database exist only for this run. */
async function prioritiseDatabase(url: string): Promise<void> {
  if (!opts.nice) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  await c.end();
  // Their autogroup is the whole PostgreSQL service, shared with others: only the process nice.
  prioritise(
    r.rows.map((x) => x.pid),
    false,
  );
}

async function batchStats(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } })).text();
  const pick = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sum: pick('inbox_chat_commit_batch_size_sum'), count: pick('inbox_chat_commit_batch_size_count') };
}

async function cpuMs(child: Child): Promise<number> {
  const c = await child.ask<{ user: number; system: number }>({ type: 'cpu' });
  return (c.user + c.system) / 1000;
}

/** Gives each worker whole chats, so one process (one clock) sees every receipt of a message. */
async function connectWorkers(url: string, chats: SeededMember[][], count: number, join: boolean, firstId = 0): Promise<Child[]> {
  const workers = await Promise.all(Array.from({ length: count }, (_, i) => startWorker(firstId + i)));
  const shares: ClientSpec[][] = workers.map(() => []);
  chats.forEach((members, i) => shares[i % count]!.push(...members));
  const started = Date.now();
  const replies = await Promise.all(
    workers.map((w, i) =>
      w.ask<{ ok: number; failed: number; firstError?: string }>(
        { type: 'connect', url, clients: shares[i]!, join, concurrency: 50 },
        'connected',
      ),
    ),
  );
  const ok = replies.reduce((s, r) => s + r.ok, 0);
  const failed = replies.reduce((s, r) => s + r.failed, 0);
  log(
    `  connected ${ok} clients${join ? ' and joined their chats' : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? `, ${failed} failed (${replies.find((r) => r.firstError)?.firstError})` : ''}`,
  );
  if (failed > 0) throw new Error('clients failed to connect');
  return workers;
}

async function closeWorkers(workers: Child[]): Promise<void> {
  await Promise.all(workers.map((w) => w.ask({ type: 'close' }, 'closed').catch(() => {})));
  await Promise.all(workers.map((w) => w.exit));
}

async function runScenario(target: Scenario['target'], server: ServerChild, workers: Child[], offered: number): Promise<Scenario> {
  prioritise([server.proc.pid, ...workers.map((w) => w.proc.pid)]);
  if (target === 'ours') await prioritiseDatabase(databaseUrl);
  const load = (await import('node:os')).loadavg()[0]!;
  const batch0 = target === 'ours' ? await batchStats(server.url) : undefined;
  if (opts.profileDir) await server.ask({ type: 'profile-start' });
  const cpu0 = await cpuMs(server);
  const wall0 = Date.now();
  const results = await Promise.all(
    workers.map((w) =>
      w.ask<RunResult>(
        {
          type: 'run',
          startAt: Date.now() + 300,
          warmupMs: opts.warmupMs,
          measureMs: opts.measureMs,
          drainMs: opts.drainMs,
          rate: offered / workers.length,
          maxOutstanding: 3000,
          bodyChars: opts.bodyChars,
        },
        'result',
      ),
    ),
  );
  const wallMs = Date.now() - wall0;
  const cpu1 = await cpuMs(server);
  if (opts.profileDir) {
    mkdirSync(opts.profileDir, { recursive: true });
    await server.ask({ type: 'profile-stop', file: join(opts.profileDir, `${target}-${offered}.cpuprofile`) });
  }
  const batch1 = target === 'ours' ? await batchStats(server.url) : undefined;
  const secs = opts.measureMs / 1000;
  const sum = (f: (r: RunResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const errors: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.ackErrors)) errors[k] = (errors[k] ?? 0) + v;
  const s: Scenario = {
    target,
    offered,
    persistedPerS: sum((r) => r.ackedInWindow) / secs,
    deliveriesPerS: sum((r) => r.receiptsInWindow) / secs,
    message: percentiles(results.flatMap((r) => r.messageLatency)),
    receipt: percentiles(results.flatMap((r) => r.receiptLatency)),
    ack: percentiles(results.flatMap((r) => r.ackLatency)),
    skipped: sum((r) => r.skipped),
    incomplete: sum((r) => r.incomplete),
    errors,
    serverCpuPct: ((cpu1 - cpu0) / wallMs) * 100,
    serverCpuUsPerMessage:
      ((cpu1 - cpu0) * 1000) /
      Math.max(
        1,
        sum((r) => r.acked),
      ),
    generatorCpuPct: (sum((r) => r.cpuMs) / wallMs) * 100,
    avgBatch: batch0 && batch1 ? (batch1.sum - batch0.sum) / (batch1.count - batch0.count) : undefined,
  };
  log(
    `  ${target.padEnd(8)} offered ${fmt(offered)}/s: persisted ${fmt(s.persistedPerS)}/s, deliveries ${fmt(s.deliveriesPerS)}/s, ` +
      `all-members p50/p95/p99 ${fmt(s.message.p50)}/${fmt(s.message.p95)}/${fmt(s.message.p99)} ms, ` +
      `per-receipt ${fmt(s.receipt.p50)}/${fmt(s.receipt.p95)}/${fmt(s.receipt.p99)} ms, ack p50/p99 ${fmt(s.ack.p50)}/${fmt(s.ack.p99)} ms, ` +
      `server CPU ${fmt(s.serverCpuPct, 0)}% (${fmt(s.serverCpuUsPerMessage, 0)} µs/message), generators ${fmt(s.generatorCpuPct, 0)}%, load average before ${load.toFixed(2)}` +
      (s.avgBatch !== undefined ? `, avg commit batch ${fmt(s.avgBatch)}` : '') +
      (s.skipped ? `, ${s.skipped} sends skipped (3,000 in flight per generator)` : '') +
      (s.incomplete ? `, ${s.incomplete} not fully delivered within the drain` : '') +
      (Object.keys(errors).length ? `, errors ${JSON.stringify(errors)}` : ''),
  );
  return s;
}

interface MemoryResult {
  target: 'ours' | 'baseline';
  clients: number;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  externalBefore: number;
  externalAfter: number;
  kbPerClientRss: number;
  kbPerClientHeap: number;
  connectSeconds: number;
}

async function memoryPhase(target: MemoryResult['target'], server: ServerChild, chats: SeededMember[][]): Promise<MemoryResult> {
  prioritise([server.proc.pid]);
  const before = await server.ask<{ rss: number; heapUsed: number; heapTotal: number; external: number; gc: boolean }>({ type: 'memory' });
  if (!before.gc) throw new Error('server child has no global.gc');
  const t0 = Date.now();
  const workers = await connectWorkers(server.url, chats, opts.idleWorkers, opts.idleJoin, 100);
  const connectSeconds = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 10_000)); // let the connection burst's garbage and buffers settle
  const after = await server.ask<{ rss: number; heapUsed: number; heapTotal: number; external: number }>({ type: 'memory' });
  const clients = chats.length * opts.members;
  await closeWorkers(workers);
  const r: MemoryResult = {
    target,
    clients,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    externalBefore: before.external,
    externalAfter: after.external,
    kbPerClientRss: (after.rss - before.rss) / 1024 / clients,
    kbPerClientHeap: (after.heapUsed - before.heapUsed) / 1024 / clients,
    connectSeconds,
  };
  log(
    `  ${target.padEnd(8)} ${clients} idle clients: RSS ${fmt(before.rss / 2 ** 20)} -> ${fmt(after.rss / 2 ** 20)} MiB, heap ${fmt(before.heapUsed / 2 ** 20)} -> ${fmt(after.heapUsed / 2 ** 20)} MiB (committed ${fmt(before.heapTotal / 2 ** 20)} -> ${fmt(after.heapTotal / 2 ** 20)}), external ${fmt(before.external / 2 ** 20)} -> ${fmt(after.external / 2 ** 20)} MiB: ` +
      `${fmt(r.kbPerClientRss, 2)} KB/client RSS, ${fmt(r.kbPerClientHeap, 2)} KB/client heap`,
  );
  return r;
}

let databaseUrl = '';

async function main(): Promise<void> {
  const startedAt = Date.now();
  log(`Inbox Chat bench on ${(await import('node:os')).cpus().length} cores, Node ${process.version}${quick ? ' (BENCH_QUICK)' : ''}`);
  log(`  identities, sessions (random token, sha256 stored), chats and members are seeded with SQL; all messaging goes through the server`);
  log(`  priority: bench processes and their PostgreSQL backends at nice ${opts.nice} (BENCH_NICE; the machine is shared)`);
  log(
    `  load: ${opts.chats} chats x ${opts.members} members = ${opts.chats * opts.members} socket.io-client websocket clients in ${opts.workers} generator processes`,
  );
  const db = await createBenchDatabase();
  databaseUrl = db.url;
  prioritise([process.pid]);
  const scenarios: Scenario[] = [];
  const memory: MemoryResult[] = [];
  let integrity: { messages: number; badChats: number } | undefined;
  let idleClients = opts.idle;
  try {
    // The server migrates the schema on start; seed after that.
    let server = await startServerChild('server', serverEnv(db.url));
    const chats = await seedChats(db.url, opts.chats, opts.members, 'load');
    if (opts.phases.has('load')) {
      log('\nReal server (separate process, own database)');
      const workers = await connectWorkers(server.url, chats, opts.workers, true);
      for (const rate of opts.rates) scenarios.push(await runScenario('ours', server, workers, rate));
      await closeWorkers(workers);
    }
    await server.stop();
    if (opts.phases.has('load')) {
      integrity = { messages: await countMessages(db.url), badChats: await checkSeqIntegrity(db.url) };
      log(`  database: ${integrity.messages} messages persisted, ${integrity.badChats} chats with a seq gap or duplicate`);
    }

    if (opts.phases.has('baseline')) {
      log('\nBaseline: bare Socket.IO broadcast server (separate process, no database)');
      const baseline = await startServerChild('baseline', {});
      const workers = await connectWorkers(baseline.url, chats, opts.workers, true);
      for (const rate of opts.rates) scenarios.push(await runScenario('baseline', baseline, workers, rate));
      await closeWorkers(workers);
      await baseline.stop();
    }

    if (opts.phases.has('memory')) {
      const limit = await openFileLimit();
      // The server process needs a few descriptors of its own (pool, listener, stdio, epoll).
      const fits = Math.floor(Math.min(limit - 200, idleClients) / opts.members) * opts.members;
      if (fits < idleClients) {
        log(
          `\n  note: open-file hard limit is ${limit} per process here (root cannot raise it in this container); idle clients capped at ${fits}`,
        );
        idleClients = fits;
      }
      log(
        `\nMemory: ${idleClients} idle members connected${opts.idleJoin ? ' and joined to their chats' : ''}, RSS/heap after global.gc()`,
      );
      const idleChats = await seedChats(db.url, idleClients / opts.members, opts.members, 'idle');
      server = await startServerChild('server', serverEnv(db.url));
      memory.push(await memoryPhase('ours', server, idleChats));
      await server.stop();
      const baseline = await startServerChild('baseline', {});
      memory.push(await memoryPhase('baseline', baseline, idleChats));
      await baseline.stop();
    }
  } finally {
    await db.drop();
  }

  report(scenarios, memory, integrity, idleClients);
  log(`\nbench finished in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
  if (env.BENCH_JSON)
    writeFileSync(
      env.BENCH_JSON,
      JSON.stringify(
        { opts: { ...opts, phases: [...opts.phases] }, scenarios: scenarios.map(({ ...s }) => s), memory, integrity },
        null,
        2,
      ),
    );
}

function report(
  scenarios: Scenario[],
  memory: MemoryResult[],
  integrity: { messages: number; badChats: number } | undefined,
  idleClients: number,
): void {
  const ours = scenarios.filter((s) => s.target === 'ours');
  const base = scenarios.filter((s) => s.target === 'baseline');
  log('\nSummary');
  log(
    '| target | offered msg/s | persisted msg/s | deliveries/s | all-members p50 / p95 / p99 ms | per-receipt p50 / p95 / p99 ms | server CPU | server CPU µs/msg |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const s of scenarios) {
    log(
      `| ${s.target} | ${fmt(s.offered)} | ${fmt(s.persistedPerS)} | ${fmt(s.deliveriesPerS)} | ${fmt(s.message.p50)} / ${fmt(s.message.p95)} / ${fmt(s.message.p99)} | ${fmt(s.receipt.p50)} / ${fmt(s.receipt.p95)} / ${fmt(s.receipt.p99)} | ${fmt(s.serverCpuPct, 0)}% | ${fmt(s.serverCpuUsPerMessage, 0)} |`,
    );
  }
  if (ours.length && base.length) {
    log('\nRatios ours / baseline at the same offered load');
    for (const o of ours) {
      const b = base.find((x) => x.offered === o.offered);
      if (!b) continue;
      log(
        `  ${fmt(o.offered)}/s: throughput ${ratio(o.persistedPerS, b.persistedPerS)}, deliveries ${ratio(o.deliveriesPerS, b.deliveriesPerS)}, ` +
          `all-members latency p50 ${ratio(o.message.p50, b.message.p50)} p95 ${ratio(o.message.p95, b.message.p95)} p99 ${ratio(o.message.p99, b.message.p99)}`,
      );
    }
  }
  const peak = (xs: Scenario[]) => xs.reduce((m, s) => Math.max(m, s.persistedPerS), 0);
  log('\nTargets');
  if (ours.length) {
    const fiveK = ours.find((s) => s.persistedPerS >= 4950 && s.incomplete === 0 && Object.keys(s.errors).length === 0);
    log(`  5,000 persisted msg/s fanned out to ${opts.members} members: ${fiveK ? 'REACHED' : 'NOT reached'} (peak ${fmt(peak(ours))}/s)`);
    const at2k = ours.find((s) => s.offered === 2000);
    if (at2k)
      log(
        `  p99 under 50 ms at 2,000 msg/s: ${at2k.message.p99 < 50 ? 'REACHED' : 'NOT reached'} (all-members p99 ${fmt(at2k.message.p99)} ms, per-receipt p99 ${fmt(at2k.receipt.p99)} ms)`,
      );
    if (base.length) {
      const r = peak(ours) / peak(base);
      // Unless the baseline ran out of capacity at some offered rate, its peak is only the offered load.
      const saturated = base.some((b) => b.skipped > 0 || b.persistedPerS < 0.95 * b.offered);
      log(
        `  at least half the baseline's throughput: ${r >= 0.5 ? (saturated ? 'REACHED' : 'not decided') : 'NOT reached'} (peak ${fmt(peak(ours))} vs ${fmt(peak(base))} msg/s = ${r.toFixed(2)}` +
          `${saturated ? '' : '; the baseline was never saturated, offer a higher rate'})`,
      );
    }
  }
  const mem = memory.find((m) => m.target === 'ours');
  if (mem) {
    const ok = mem.kbPerClientRss <= 20 && mem.clients >= 20_000;
    log(
      `  20,000 idle members at <= 20 KB each: ${ok ? 'REACHED' : 'NOT reached'} (${mem.clients} connected, ${fmt(mem.kbPerClientRss, 2)} KB RSS / ${fmt(mem.kbPerClientHeap, 2)} KB heap per client)`,
    );
    const b = memory.find((m) => m.target === 'baseline');
    if (b)
      log(
        `  memory per client ours / baseline: RSS ${ratio(mem.kbPerClientRss, b.kbPerClientRss)}, heap ${ratio(mem.kbPerClientHeap, b.kbPerClientHeap)}`,
      );
  }
  if (integrity)
    log(`  seq integrity: ${integrity.badChats === 0 ? 'ok' : `${integrity.badChats} chats broken`} over ${integrity.messages} messages`);
  void idleClients;
}

// `npm run bench -- calls`: the calls bench (bench/calls.ts) instead of the messaging one.
(process.argv[2] === 'calls' ? import('./calls.ts').then((m) => m.benchCalls()) : main()).then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
