import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import { enqueue } from '../jobs/queue.ts';
import type { AvailabilityBody, AvailabilityView } from '../../../protocol/index.ts';
import type { BridgeContext } from './context.ts';
import { DIGEST_QUEUE } from './notifier.ts';

/**
 * Do not disturb, per identity. While on, notification emails are held. RESEND: held for
 * the first resend interval, then the unread messages are emailed and re-sent every
 * interval until read. DIGEST: nothing goes out until do-not-disturb ends; then one digest
 * email carries everything still unread in every chat.
 */
export class Availability {
  constructor(private readonly ctx: BridgeContext) {}

  async get(caller: Caller): Promise<AvailabilityView> {
    const res = await this.ctx.pool.query<{ dnd: boolean; dnd_mode: 'RESEND' | 'DIGEST'; resend_minutes: number; dnd_since: Date | null }>(
      `SELECT dnd, dnd_mode, resend_minutes, dnd_since FROM availability WHERE identity_id = $1`,
      [caller.identityId],
    );
    const r = res.rows[0];
    return {
      dnd: r?.dnd ?? false,
      mode: r?.dnd_mode ?? 'DIGEST',
      resendMinutes: r?.resend_minutes ?? 60,
      since: r?.dnd_since?.toISOString() ?? null,
    };
  }

  async set(caller: Caller, body: AvailabilityBody): Promise<AvailabilityView> {
    if (caller.chatScope) throw new AppError('FORBIDDEN', 'Sign in with a code to change your availability');
    const before = await this.get(caller);
    const mode = body.mode ?? before.mode;
    await this.ctx.pool.query(
      `INSERT INTO availability (identity_id, dnd, dnd_mode, resend_minutes, dnd_since)
       VALUES ($1, $2, $3::"DndMode", $4, CASE WHEN $2 THEN now() END)
       ON CONFLICT (identity_id) DO UPDATE SET dnd = EXCLUDED.dnd, dnd_mode = EXCLUDED.dnd_mode,
         resend_minutes = EXCLUDED.resend_minutes,
         dnd_since = CASE WHEN EXCLUDED.dnd THEN COALESCE(availability.dnd_since, now()) END`,
      [caller.identityId, body.dnd, mode, body.resendMinutes ?? before.resendMinutes],
    );
    if (before.dnd !== body.dnd) this.ctx.availabilityChanged(caller.identityId);
    if (before.dnd && !body.dnd && before.mode === 'DIGEST') {
      await enqueue(this.ctx.pool, DIGEST_QUEUE, { identityId: caller.identityId }, { dedupeKey: `digest:${caller.identityId}` });
      this.ctx.runner.wake();
    }
    return this.get(caller);
  }
}
