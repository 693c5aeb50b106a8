import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';
import type { ReadReply } from './read-reply.ts';
import { refusals } from './refusals.ts';

export interface ReaderOptions {
  /** Longest one email may take to parse and trim; then its worker is stopped and the mail refused. */
  deadlineMs: number;
  /** Emails parsed at once (one worker thread each). */
  concurrency: number;
  /** Emails waiting for a worker; beyond that, senders are asked to retry later (451). */
  maxQueued: number;
}

export const DEFAULT_READER: ReaderOptions = { deadlineMs: 3000, concurrency: 2, maxQueued: 50 };

/** A worker thread may take this long to load the parsers (a busy machine, cold disk cache). */
const STARTUP_MS = 30_000;

type WorkerAnswer = { ready: true } | { id: number; ok: true; reply: ReadReply } | { id: number; ok: false; error: string };

interface Slot {
  worker: Worker;
  ready: Promise<void>;
}

/**
 * Parses untrusted email off the main thread. Reply trimming is linear now (reply-text.ts),
 * but a 256 KB reply still costs up to a few hundred milliseconds of CPU, and the MIME parser
 * is third-party code; on the main thread either would stall every chat on this node.
 * Here emails are parsed in long-lived worker threads, one email per worker at a time, each
 * with a deadline. A worker past its deadline is terminated (which also stops a regex
 * mid-match) and replaced, so one crafted reply costs one refused email and at most
 * `deadlineMs` of one worker thread, never the event loop.
 */
export class ReplyReader {
  private readonly idle: Slot[] = [];
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private closed = false;
  private readonly live = new Set<Worker>();

  constructor(
    private readonly log: Logger,
    private readonly opts: ReaderOptions = DEFAULT_READER,
  ) {}

  /** Starts one worker ahead of the first email, so its parsers are loaded by then. */
  warmUp(): void {
    if (this.idle.length === 0 && this.running === 0) this.idle.push(this.spawn());
  }

  async read(raw: Buffer): Promise<ReadReply> {
    if (this.closed) throw refusals.busy();
    if (this.running >= this.opts.concurrency) {
      if (this.waiting.length >= this.opts.maxQueued) throw refusals.busy();
      // Woken by a finishing read, which hands over its place (running stays as it is).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    const slot = this.idle.pop() ?? this.spawn();
    let healthy = false;
    try {
      await slot.ready;
      const reply = await this.ask(slot.worker, raw);
      healthy = true;
      return reply;
    } finally {
      if (healthy && !this.closed) this.idle.push(slot);
      else {
        void this.stop(slot.worker);
        // The next email should not wait for a thread to load its parsers.
        if (!this.closed) this.idle.push(this.spawn());
      }
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Stops every worker; emails being read fail (the listener closes after its in-flight work). */
  async close(): Promise<void> {
    this.closed = true;
    this.idle.length = 0;
    await Promise.all([...this.live].map((w) => this.stop(w)));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./read-reply.worker.ts', import.meta.url), {
      // A parse that balloons is stopped by V8 instead of taking the node down.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    worker.unref();
    this.live.add(worker);
    worker.once('exit', () => this.live.delete(worker));
    // A worker that dies between emails is noticed when it is next used.
    worker.on('error', (err) => this.log.warn({ err }, 'inbound email reader thread failed'));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('inbound email reader thread did not start')), STARTUP_MS);
      const onMessage = (m: WorkerAnswer) => {
        if (!('ready' in m)) return;
        clearTimeout(timer);
        worker.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number) => {
        clearTimeout(timer);
        reject(new Error(`inbound email reader thread exited with code ${code} while starting`));
      };
      worker.once('message', onMessage);
      worker.once('exit', onExit);
    });
    ready.catch(() => {}); // read() sees the failure; nobody else waits on it
    return { worker, ready };
  }

  private ask(worker: Worker, raw: Buffer): Promise<ReadReply> {
    const id = this.nextId++;
    return new Promise<ReadReply>((resolve, reject) => {
      const sentAt = performance.now();
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
      };
      const refuseLate = () => {
        this.log.warn({ bytes: raw.length, deadlineMs: this.opts.deadlineMs }, 'inbound email took too long to read; refused');
        reject(refusals.unreadable());
      };
      const timer = setTimeout(() => {
        done();
        refuseLate();
      }, this.opts.deadlineMs);
      const onMessage = (m: WorkerAnswer) => {
        if ('ready' in m || m.id !== id) return;
        done();
        // A stalled event loop can deliver a late answer before the due timer runs: the deadline
        // is the clock's, not the order of callbacks, so the same email is refused either way.
        if (performance.now() - sentAt > this.opts.deadlineMs) return refuseLate();
        if (m.ok) resolve(m.reply);
        else {
          this.log.warn({ err: m.error }, 'inbound email could not be parsed; refused');
          reject(refusals.unreadable());
        }
      };
      // The thread died on this email (out of memory, a crash in a parser): the same email
      // would do it again, so it is refused for good rather than retried.
      const onExit = (code: number) => {
        done();
        this.log.warn({ bytes: raw.length, code }, 'inbound email reader thread died reading an email; refused');
        reject(refusals.unreadable());
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage({ id, raw });
    });
  }

  private async stop(worker: Worker): Promise<void> {
    this.live.delete(worker);
    await worker.terminate().catch(() => {});
  }
}
