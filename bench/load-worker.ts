/**
 * One load-generator process: holds real socket.io-client connections (websocket transport) for
 * whole chats, so every member of a chat lives in this process and one clock times a message
 * from its send to its receipt by every member. Driven over IPC by bench/run.ts.
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

export interface ClientSpec {
  identityId: string;
  chatId: string;
  token: string;
}

export type WorkerCommand =
  | { type: 'connect'; url: string; clients: ClientSpec[]; join: boolean; concurrency: number }
  | {
      type: 'run';
      startAt: number;
      warmupMs: number;
      measureMs: number;
      drainMs: number;
      rate: number;
      maxOutstanding: number;
      bodyChars: number;
    }
  | { type: 'memory' }
  /** Closes every connection but stays up (the server is about to restart; a reconnect follows). */
  | { type: 'drop' }
  | { type: 'close' };

export interface RunResult {
  type: 'result';
  offered: number;
  sent: number;
  skipped: number;
  ackedInWindow: number;
  /** Acks over the whole run, warm-up and drain included (for CPU per message). */
  acked: number;
  receiptsInWindow: number;
  ackErrors: Record<string, number>;
  incomplete: number;
  /** Milliseconds, messages sent inside the window: until the last member received it. */
  messageLatency: number[];
  /** Milliseconds, every single receipt of a message sent inside the window. */
  receiptLatency: number[];
  ackLatency: number[];
  cpuMs: number;
}

interface Tracked {
  t0: number;
  left: number;
  measured: boolean;
}

const workerId = process.env.BENCH_WORKER_ID ?? '0';
let sockets: { socket: Socket; spec: ClientSpec }[] = [];
const membersPerChat = new Map<string, number>();
const tracked = new Map<string, Tracked>();
let window = { start: Infinity, end: Infinity };
let receiptsInWindow = 0;
let messageLatency: number[] = [];
let receiptLatency: number[] = [];
let runs = 0;
const round = (ms: number) => Math.round(ms * 100) / 100;

function onMessage(m: { clientId?: string }): void {
  const t = m.clientId === undefined ? undefined : tracked.get(m.clientId);
  if (!t) return;
  const now = performance.now();
  if (now >= window.start && now < window.end) receiptsInWindow++;
  if (t.measured) receiptLatency.push(round(now - t.t0));
  if (--t.left === 0) {
    tracked.delete(m.clientId!);
    if (t.measured) messageLatency.push(round(now - t.t0));
  }
}

function connectOne(url: string, spec: ClientSpec, join: boolean): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    auth: { token: spec.token, identityId: spec.identityId },
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
    socket.once('connect', () => {
      socket.on('message', onMessage);
      if (!join) return resolve(socket);
      socket
        .timeout(60_000)
        .emitWithAck('chat:join', { chatId: spec.chatId, lastSeq: 0 })
        .then(
          (r: { ok: boolean; error?: { code: string } }) => (r.ok ? resolve(socket) : reject(new Error(`join: ${r.error?.code}`))),
          reject,
        );
    });
  });
}

async function connectAll(c: Extract<WorkerCommand, { type: 'connect' }>): Promise<void> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async () => {
    while (next < c.clients.length) {
      const spec = c.clients[next++]!;
      try {
        sockets.push({ socket: await connectOne(c.url, spec, c.join), spec });
        membersPerChat.set(spec.chatId, (membersPerChat.get(spec.chatId) ?? 0) + 1);
      } catch (err) {
        failed++;
        firstError ??= String((err as Error).message ?? err);
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, lane));
  process.send!({ type: 'connected', ok: sockets.length, failed, firstError, ms: performance.now() - started });
}

async function run(c: Extract<WorkerCommand, { type: 'run' }>): Promise<RunResult> {
  // Interleave chats so consecutive sends hit different chats, as independent people would.
  const order = [...sockets].sort(() => Math.random() - 0.5);
  const body = 'x'.repeat(c.bodyChars);
  await new Promise((r) => setTimeout(r, Math.max(0, c.startAt - Date.now())));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  window = { start: t0 + c.warmupMs, end: t0 + c.warmupMs + c.measureMs };
  receiptsInWindow = 0;
  messageLatency = [];
  receiptLatency = [];
  const ackLatency: number[] = [];
  const ackErrors: Record<string, number> = {};
  let offered = 0;
  let sent = 0;
  let skipped = 0;
  let ackedInWindow = 0;
  let acked = 0;
  let counter = 0;
  // Unique across runs too: a reused id would be answered as a retry and never broadcast.
  const prefix = `w${workerId}-r${runs++}-${Date.now().toString(36)}`;

  const send = (now: number) => {
    const { socket, spec } = order[counter % order.length]!;
    const clientId = `${prefix}-${counter++}`;
    const measured = now >= window.start && now < window.end;
    tracked.set(clientId, { t0: now, left: membersPerChat.get(spec.chatId)!, measured });
    sent++;
    socket.emit('message:send', { chatId: spec.chatId, clientId, body }, (r: { ok: boolean; error?: { code: string } }) => {
      const at = performance.now();
      if (r.ok) {
        acked++;
        if (at >= window.start && at < window.end) ackedInWindow++;
        if (measured) ackLatency.push(round(at - now));
      } else {
        ackErrors[r.error?.code ?? 'unknown'] = (ackErrors[r.error?.code ?? 'unknown'] ?? 0) + 1;
        tracked.delete(clientId);
      }
    });
  };

  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      if (now >= window.end) {
        clearInterval(timer);
        return resolve();
      }
      const due = Math.floor(((now - t0) / 1000) * c.rate);
      while (offered < due) {
        offered++;
        // Past the cap the server is saturated; holding more in flight only measures queueing.
        if (tracked.size >= c.maxOutstanding) skipped++;
        else send(now);
      }
    }, 2);
  });
  const drainUntil = performance.now() + c.drainMs;
  while (tracked.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  let incomplete = 0;
  for (const t of tracked.values()) if (t.measured) incomplete++;
  tracked.clear();
  const cpu = process.cpuUsage(cpu0);
  return {
    type: 'result',
    offered,
    sent,
    skipped,
    ackedInWindow,
    acked,
    receiptsInWindow,
    ackErrors,
    incomplete,
    messageLatency,
    receiptLatency,
    ackLatency,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (raw) => {
  const c = raw as WorkerCommand;
  if (c.type === 'connect') void connectAll(c);
  else if (c.type === 'run') void run(c).then((r) => process.send!(r));
  else if (c.type === 'memory') process.send!({ type: 'memory', rss: process.memoryUsage().rss });
  else if (c.type === 'drop') {
    for (const s of sockets) s.socket.close();
    sockets = [];
    membersPerChat.clear();
    process.send!({ type: 'dropped' });
  } else if (c.type === 'close') {
    for (const s of sockets) s.socket.close();
    sockets = [];
    process.send!({ type: 'closed' }, () => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'up' });
