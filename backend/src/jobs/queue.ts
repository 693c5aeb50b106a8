import type pg from 'pg';
import type { JobCounts } from '../ops/metrics.ts';

/** Anything that runs SQL: the pool, or a client inside a transaction (enqueue with the change it belongs to). */
export type Sql = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface EnqueueOptions {
  /** When to run, in ms from now. */
  delayMs?: number;
  /**
   * While a job with this key is pending, enqueueing another is a no-op: that is how a burst
   * of messages becomes one email (the first message schedules it, the rest ride along).
   */
  dedupeKey?: string;
  maxAttempts?: number;
}

export interface JobRow {
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
}

/** Returns the new job's id, or null when a pending job with the same dedupe key absorbed it. */
export async function enqueue(sql: Sql, queue: string, payload: unknown, opts: EnqueueOptions = {}): Promise<string | null> {
  const res = await sql.query<{ id: string }>(
    `INSERT INTO job (queue, payload, dedupe_key, run_at, max_attempts)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8 / 1000), $5)
     ON CONFLICT (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL DO NOTHING
     RETURNING id`,
    [queue, JSON.stringify(payload), opts.dedupeKey ?? null, opts.delayMs ?? 0, opts.maxAttempts ?? 25],
  );
  return res.rows[0]?.id ?? null;
}

/** Counts of the job table by queue and state, for the metrics (see JobCounts in ops/metrics.ts). */
export async function jobCounts(sql: Sql): Promise<JobCounts[]> {
  const res = await sql.query<{ queue: string; due: string; scheduled: string; retrying: string; failed: string }>(
    `SELECT queue,
            count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= now()) AS due,
            count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL AND run_at > now()) AS scheduled,
            count(*) FILTER (WHERE done_at IS NULL AND failed_at IS NULL AND last_error IS NOT NULL) AS retrying,
            count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed
       FROM job
      WHERE done_at IS NULL
      GROUP BY queue`,
  );
  return res.rows.map((r) => ({
    queue: r.queue,
    due: Number(r.due),
    scheduled: Number(r.scheduled),
    retrying: Number(r.retrying),
    failed: Number(r.failed),
  }));
}
