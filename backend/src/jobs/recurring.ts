import type pg from 'pg';
import { enqueue } from './queue.ts';
import type { JobRunner } from './runner.ts';

/**
 * Work done once per period by whichever node gets there first, as a durable job: each run
 * books the next one before it works, so a run that fails (and is retried) or a node that dies
 * mid-run does not end the chain. A run is named by its period slot (the dedupe key), so every
 * node seeding at start, and a run booking its successor, agree on one pending job per slot.
 */
export class RecurringJob {
  constructor(
    private readonly pool: pg.Pool,
    private readonly queue: string,
    private readonly periodMs: number,
  ) {}

  register(runner: JobRunner, work: () => Promise<void>): void {
    runner.register(this.queue, async () => {
      await this.bookNext();
      await work();
    });
  }

  /** Called by every node at start: the next slot's run, unless one is already booked. */
  async bookNext(): Promise<void> {
    const now = Date.now();
    const slot = Math.floor(now / this.periodMs) + 1;
    await enqueue(this.pool, this.queue, {}, { dedupeKey: `${this.queue}@${slot}`, delayMs: slot * this.periodMs - now, maxAttempts: 3 });
  }
}
