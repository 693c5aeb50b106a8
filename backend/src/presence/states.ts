/**
 * What each person's presence is now (rule.ts, presenceState), from the visible and open
 * clients Presence keeps per node and the do-not-disturb setting; and, for someone hidden
 * less than the away delay, a call back when they turn "away" so it can be pushed.
 */
import type pg from 'pg';
import type { Presence } from '../email-bridge/presence.ts';
import type { PresenceView } from '../../../protocol/index.ts';
import { presenceState } from './rule.ts';

export class PresenceStates {
  private readonly rechecks = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly presence: Presence,
    private readonly awayMs: number,
    private readonly turnsAway: (identityId: string) => void,
  ) {}

  async of(identityIds: string[]): Promise<Map<string, PresenceView>> {
    const [facts, dnd] = await Promise.all([
      this.presence.states(identityIds),
      this.pool.query<{ identity_id: string }>(`SELECT identity_id FROM availability WHERE dnd AND identity_id = ANY($1::uuid[])`, [
        identityIds,
      ]),
    ]);
    const inDnd = new Set(dnd.rows.map((r) => r.identity_id));
    const now = Date.now();
    const out = new Map<string, PresenceView>();
    for (const id of identityIds) {
      const f = facts.get(id)!;
      const { state, recheckInMs } = presenceState({ ...f, dnd: inDnd.has(id) }, now, this.awayMs);
      if (recheckInMs !== null) this.recheck(id, recheckInMs);
      out.set(id, { state, lastSeenAt: f.lastSeenAt?.toISOString() ?? null });
    }
    return out;
  }

  stop(): void {
    for (const t of this.rechecks.values()) clearTimeout(t);
    this.rechecks.clear();
  }

  private recheck(identityId: string, inMs: number): void {
    clearTimeout(this.rechecks.get(identityId));
    const t = setTimeout(() => {
      this.rechecks.delete(identityId);
      this.turnsAway(identityId);
    }, inMs + 50);
    t.unref?.();
    this.rechecks.set(identityId, t);
  }
}
