import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

/** A child process spoken to over IPC: send a command, await the first reply of a given type. */
export class Child {
  private waiters: { type: string; resolve(m: unknown): void; reject(e: Error): void }[] = [];
  private exited = false;
  readonly exit: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
  ) {
    proc.on('message', (m: { type?: string } | null) => {
      const i = this.waiters.findIndex((w) => w.type === m?.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    });
    this.exit = new Promise((resolve) =>
      proc.once('exit', (code) => {
        this.exited = true;
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${code}) while we waited for ${w.type}`));
        resolve(code);
      }),
    );
  }

  /** `T` is what the child sends for `type` (the child scripts in bench/ are the other side). */
  next<T = unknown>(type: string): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    return new Promise<T>((resolve, reject) => this.waiters.push({ type, resolve: (m) => resolve(m as T), reject }));
  }

  ask<T = unknown>(command: { type: string; [key: string]: unknown }, replyType = command.type): Promise<T> {
    const reply = this.next<T>(replyType);
    this.proc.send(command);
    return reply;
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.proc.send({ type: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await this.exit;
    clearTimeout(timer);
  }
}

export interface ServerChild extends Child {
  url: string;
}

const scripts = {
  server: 'server-child.ts',
  baseline: 'baseline-server.ts',
  'persist-first': 'persist-first-server.ts',
};

/** Starts bench/server-child.ts (the real backend) or one of the baselines as its own Node process with --expose-gc. */
export async function startServerChild(kind: keyof typeof scripts, env: Record<string, string>): Promise<ServerChild> {
  const script = here(scripts[kind]);
  const execArgv = ['--expose-gc', '--import', 'tsx'];
  // Its own session, hence its own scheduler autogroup, like a service of its own (see prioritise in run.ts).
  const proc = fork(script, [], {
    execArgv,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const child = new Child(kind, proc);
  const ready = await child.next<{ url: string }>('ready');
  return Object.assign(child, { url: ready.url });
}

export async function startWorker(id: number): Promise<Child> {
  const proc = fork(here('load-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_WORKER_ID: String(id) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const child = new Child(`worker-${id}`, proc);
  await child.next('up');
  return child;
}

/** The process's hard limit on open files, which caps sockets per process (root cannot raise it in this container). */
export async function openFileLimit(): Promise<number> {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('sh', ['-c', 'ulimit -Hn']).toString().trim();
  return out === 'unlimited' ? Infinity : Number(out);
}
