import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { failureLogger } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { JobRow } from './queue.ts';

export interface JobContext {
  id: string;
  attempt: number;
}

/**
 * A handler throws to be retried with backoff; `Retry.after` reschedules without counting as a failure.
 * `P` is the payload its queue is fed (each queue has one producer module and one handler).
 */
export type JobHandler<P = unknown> = (payload: P, job: JobContext) => Promise<void>;

export class RetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`retry in ${delayMs} ms`);
  }
}

/** A failure that retrying cannot fix (e.g. the SMTP server refused the recipient with 5xx). */
export class GiveUp extends Error {}

export interface RunnerOptions {
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A claimed job not finished within this lease is taken over by another node (crash recovery). */
  leaseMs: number;
  concurrency: number;
}

/**
 * Runs durable jobs from the `job` table. Any number of nodes may run one: a claim is an
 * UPDATE over rows picked with FOR UPDATE SKIP LOCKED, so no job is run by two at once, and
 * a job is marked done only after its handler resolved. A crash between "handler done" and
 * "marked done" re-runs the job after its lease; handlers are written to tolerate that
 * (outbound mail keeps a fixed Message-ID per job).
 */
export class JobRunner {
  readonly nodeId = `node-${randomUUID()}`;
  private readonly handlers = new Map<string, JobHandler>();
  /** Polls run several times a second: while the database is down, say so once per window. */
  private readonly logPollFailure: ReturnType<typeof failureLogger>;
  private readonly scrubbers = new Map<string, (payload: unknown) => unknown>();
  private lastHousekeeping = 0;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = new Set<Promise<void>>();
  private polling: Promise<void> | null = null;
  private wakeRequested = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly opts: RunnerOptions,
  ) {
    this.logPollFailure = failureLogger(log);
  }

  /**
   * `scrub` rewrites a finished job's payload: an outbound email carries one-time tokens in
   * its text, and they must not outlive the send in clear (tokens are stored hashed).
   */
  register<P>(queue: string, handler: JobHandler<P>, opts: { scrub?: (payload: P) => unknown } = {}): void {
    // The payload stored for this queue is the P its producer enqueued.
    this.handlers.set(queue, handler as JobHandler);
    if (opts.scrub) this.scrubbers.set(queue, opts.scrub as (payload: unknown) => unknown);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Look for due jobs now (e.g. right after enqueueing one due immediately). */
  wake(): void {
    if (!this.running) return;
    if (this.polling) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(0);
  }

  /** Stops claiming; resolves when every job already claimed has finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.poll().finally(() => {
        this.polling = null;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? 0 : this.opts.pollMs);
      });
    }, ms);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    if (Date.now() - this.lastHousekeeping > 10 * 60_000) {
      this.lastHousekeeping = Date.now();
      await this.housekeeping();
    }
    const free = this.opts.concurrency - this.inFlight.size;
    if (free <= 0 || this.handlers.size === 0) return;
    let jobs: JobRow[];
    try {
      const res = await this.pool.query<JobRow>(
        `UPDATE job SET locked_by = $1, locked_until = now() + make_interval(secs => $2::float8 / 1000),
                attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM job
             WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now()
               AND (locked_until IS NULL OR locked_until < now()) AND queue = ANY($3)
             ORDER BY run_at, id
             LIMIT $4
             FOR UPDATE SKIP LOCKED)
         RETURNING id, queue, payload, attempts, max_attempts`,
        [this.nodeId, this.opts.leaseMs, [...this.handlers.keys()], free],
      );
      jobs = res.rows;
    } catch (err) {
      this.logPollFailure(err, {}, 'job poll failed');
      return;
    }
    for (const job of jobs) {
      const p = this.run(job).finally(() => {
        this.inFlight.delete(p);
      });
      this.inFlight.add(p);
    }
    if (jobs.length === free) this.wakeRequested = true;
  }

  /** Finished jobs are kept a week for inspection, failed ones a month; expired mail tokens go too. */
  private async housekeeping(): Promise<void> {
    await this.pool
      .query(
        `WITH a AS (DELETE FROM job WHERE done_at < now() - interval '7 days' OR failed_at < now() - interval '30 days'),
              b AS (DELETE FROM reply_address WHERE expires_at < now() - interval '30 days'),
              c AS (DELETE FROM chat_link WHERE expires_at < now() - interval '1 day'),
              d AS (DELETE FROM address_link WHERE expires_at < now() - interval '1 day')
         DELETE FROM presence WHERE seen_at < now() - interval '7 days' AND beat_at < now() - interval '7 days'`,
      )
      .catch((err) => this.log.warn({ err }, 'job housekeeping failed'));
  }

  private async run(job: JobRow): Promise<void> {
    const handler = this.handlers.get(job.queue)!;
    try {
      await handler(job.payload, { id: String(job.id), attempt: job.attempts });
      const scrub = this.scrubbers.get(job.queue);
      await this.pool.query(
        `UPDATE job SET done_at = now(), locked_until = NULL, last_error = NULL, payload = COALESCE($3::jsonb, payload)
          WHERE id = $1 AND locked_by = $2`,
        [job.id, this.nodeId, scrub ? JSON.stringify(scrub(job.payload)) : null],
      );
    } catch (err) {
      if (err instanceof RetryLater) {
        // Not a failure: the attempt is given back.
        await this.release(job, err.delayMs, null, true);
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      if (job.attempts >= job.max_attempts || err instanceof GiveUp) {
        this.log.error({ err, jobId: job.id, queue: job.queue }, 'job failed for good');
        await this.pool
          .query(
            `UPDATE job SET failed_at = now(), locked_until = NULL, last_error = $2, payload = COALESCE($3::jsonb, payload) WHERE id = $1`,
            [job.id, message, this.scrubbers.has(job.queue) ? JSON.stringify(this.scrubbers.get(job.queue)!(job.payload)) : null],
          )
          .catch((e) => this.log.warn({ err: e }, 'could not mark job failed'));
        return;
      }
      const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (job.attempts - 1));
      this.log.warn({ jobId: job.id, queue: job.queue, attempt: job.attempts, retryInMs: delay, error: message }, 'job failed; will retry');
      await this.release(job, delay, message, false);
    }
  }

  private async release(job: JobRow, delayMs: number, error: string | null, giveBack: boolean): Promise<void> {
    await this.pool
      .query(
        `UPDATE job SET locked_until = NULL, locked_by = NULL, last_error = COALESCE($3, last_error),
                run_at = now() + make_interval(secs => $2::float8 / 1000),
                attempts = attempts - $4
          WHERE id = $1`,
        [job.id, delayMs, error, giveBack ? 1 : 0],
      )
      .catch((err) => this.log.warn({ err, jobId: job.id }, 'could not release job; its lease will expire'));
  }
}
