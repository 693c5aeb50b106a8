/**
 * The fault suite's own dependencies, so it can break them on purpose without touching the
 * shared PostgreSQL and Redis other suites use: a PostgreSQL cluster (initdb/pg_ctl, run as
 * the postgres user) and a redis-server, each on a spare loopback port, each able to go down
 * and come back on the same port. Server nodes are real `npm start` processes; clients are
 * the shared panel's own transport, outbox, transcript and reorder window, wired as the
 * panel wires them (ui/src/chat-panel/index.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MessageView } from '../../protocol/index.ts';
import { GapWatch } from '../../ui/src/chat-panel/gap-watch.ts';
import { Outbox } from '../../ui/src/chat-panel/outbox.ts';
import { Transcript } from '../../ui/src/chat-panel/transcript.ts';
import { SocketTransport } from '../../ui/src/socket-transport.ts';
import type { ConnectionStatus } from '../../ui/src/transport.ts';

const run = promisify(execFile);
const PG_BIN = process.env.FAULTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until check() is truthy; fails naming `what` after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await sleep(25);
  }
}

/** As root we may not run PostgreSQL; run its tools as the postgres user then. */
function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export class PostgresCluster {
  private dir = '';
  port = 0;

  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async init(): Promise<void> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'faults-pg-'));
    if (process.getuid?.() === 0) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      await chown(this.dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await chmod(this.dir, 0o700);
    this.port = await freePort();
    await run(
      ...asPostgres(path.join(PG_BIN, 'initdb'), [
        '-D',
        path.join(this.dir, 'data'),
        '-U',
        'postgres',
        '--auth=trust',
        '-E',
        'UTF8',
        '--no-sync',
      ]),
    );
    await this.start();
  }

  async start(): Promise<void> {
    const opts = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await run(
      ...asPostgres(path.join(PG_BIN, 'pg_ctl'), [
        '-D',
        path.join(this.dir, 'data'),
        '-o',
        opts,
        '-l',
        path.join(this.dir, 'log'),
        '-w',
        'start',
      ]),
    );
  }

  /** Fast shutdown: sessions are terminated, as in a failover or a restart of the database. */
  async stop(): Promise<void> {
    await run(...asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']));
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

export class RedisServer {
  private child: ChildProcess | null = null;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(
      'redis-server listening',
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(this.port, '127.0.0.1', () => {
            s.destroy();
            resolve(true);
          });
          s.on('error', () => resolve(false));
        }),
    );
  }

  /** Killed outright: every connection drops and nothing in it survives (no persistence). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** pino lines of a node's output, parsed; other lines (the start banner) are skipped. */
export function logLines(output: string): { level: number; msg: string; time: string; [k: string]: unknown }[] {
  const out = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return out;
}

export interface Acked {
  clientId: string;
  body: string;
  seq: number;
  at: number;
}

/**
 * A member's chat panel without the DOM: the same transport, outbox, transcript and reorder
 * window, joined and resynced the way mountChatPanel does it.
 */
export class PanelClient {
  readonly transport: SocketTransport;
  readonly transcript = new Transcript();
  readonly outbox: Outbox;
  private readonly gaps: GapWatch;
  readonly statuses: { status: ConnectionStatus; at: number }[] = [];
  readonly acked: Acked[] = [];
  /** Bodies in the order they were typed. */
  readonly typed: string[] = [];
  joins = 0;
  /** Re-joins because a hole in the seqs stayed open past the reorder window. */
  gapRejoins = 0;
  /** For failure messages: each hole that outlived the window, and when each seq arrived live. */
  readonly gapLog: string[] = [];
  private readonly arrivedAt = new Map<number, number>();
  /** Live messages that arrived with a hole before them (each one a re-join without the window). */
  outOfOrder = 0;
  /** My per-chat member handle (views name authors by it, not by identity id); known after the first join. */
  memberHandle: string | null = null;
  private joining: Promise<void> | null = null;
  private joinAgain = false;
  private closed = false;

  constructor(
    url: string,
    token: string,
    readonly chatId: string,
    readonly identityId: string,
  ) {
    this.transport = new SocketTransport({ url, getToken: () => token });
    this.outbox = new Outbox(
      (clientId, body) => this.transport.send(chatId, clientId, body),
      () => {},
      (m) => {
        this.acked.push({ clientId: m.clientId ?? '', body: m.body, seq: m.seq, at: Date.now() });
        this.apply([m]);
      },
    );
    this.gaps = new GapWatch(
      () => this.transcript.size > 0 && this.transcript.resumeSeq < this.transcript.lastSeq,
      () => {
        this.gapRejoins++;
        const from = this.transcript.resumeSeq;
        this.gapLog.push(`hole after seq ${from} (highest ${this.transcript.lastSeq}) at ${Date.now()}`);
        void this.join().then(() => {
          const filled = [...Array(this.transcript.lastSeq - from).keys()].map((i) => from + 1 + i).filter((s) => !this.arrivedAt.has(s));
          this.gapLog.push(`after re-join at ${Date.now()}: seqs never seen live: ${filled.join(',')}`);
        });
      },
    );
    this.transport.on('status', (s) => {
      this.statuses.push({ status: s, at: Date.now() });
      if (s === 'online') void this.join();
    });
    this.transport.on('message', (m) => {
      if (m.chatId !== chatId) return;
      if (!this.arrivedAt.has(m.seq)) this.arrivedAt.set(m.seq, Date.now());
      if (this.transcript.size > 0 && m.seq > this.transcript.lastSeq + 1) this.outOfOrder++;
      this.apply([m]);
      this.gaps.check();
    });
    this.transport.on('chat:updated', (c) => {
      if (c.chatId === chatId) void this.join();
    });
  }

  get online(): boolean {
    return this.transport.status === 'online';
  }

  send(body: string): void {
    this.typed.push(body);
    this.outbox.add(body);
  }

  /** Seqs of visible messages, in order. */
  seqs(): number[] {
    return this.transcript.visible().map((m) => m.seq);
  }

  /** Seqs this client has but never got as a live event (they came from a join). */
  neverLive(): number[] {
    return this.seqs().filter((s) => !this.arrivedAt.has(s));
  }

  bodies(): string[] {
    return this.transcript.visible().map((m) => m.body);
  }

  close(): void {
    this.closed = true;
    this.gaps.stop();
    this.outbox.stop();
    this.transport.close();
  }

  private apply(messages: MessageView[]): void {
    const { added } = this.transcript.merge(messages);
    for (const m of added) if (this.memberHandle && m.authorId === this.memberHandle && m.clientId) this.outbox.settle(m.clientId);
  }

  private join(): Promise<void> {
    if (this.joining) {
      this.joinAgain = true;
      return this.joining;
    }
    this.joining = (async () => {
      do {
        this.joinAgain = false;
        if (this.closed) return;
        this.joins++;
        let r = await this.transport.join(this.chatId, this.transcript.size ? this.transcript.resumeSeq : 0);
        this.memberHandle = r.chat.me.identityId;
        this.apply(r.missed);
        while (r.hasMore && !this.closed) {
          r = await this.transport.join(this.chatId, this.transcript.resumeSeq);
          this.apply(r.missed);
        }
        this.outbox.retryAll();
      } while (this.joinAgain && !this.closed);
    })()
      .catch(() => {
        // Offline or timed out: the next 'online' joins again, as the panel does.
      })
      .finally(() => {
        this.joining = null;
      });
    return this.joining;
  }
}
