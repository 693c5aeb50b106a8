import type pg from 'pg';
import type { Logger } from '../log.ts';

/**
 * Who has a live connection, across every backend node, kept in PostgreSQL: each node
 * upserts its own socket count per identity (only when it changes between 0 and more) and
 * refreshes `seen_at` of its rows on a heartbeat. A row counts as online only while its
 * node's heartbeat is fresh, so a node that crashed stops making people look online.
 * Chosen over Socket.IO's fetchSockets(): it works without Redis, survives restarts,
 * answers "offline since when" (which the offline delay needs), and is one SQL query
 * for the job that decides whether to email.
 */
export class Presence {
  private readonly counts = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private pending = new Set<Promise<unknown>>();

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: string,
    private readonly log: Logger,
    private readonly heartbeatMs: number,
  ) {}

  start(): void {
    this.heartbeat = setInterval(() => {
      this.track(
        this.pool.query(`UPDATE presence SET seen_at = now() WHERE node_id = $1`, [this.nodeId]),
      );
    }, this.heartbeatMs);
    this.heartbeat.unref?.();
  }

  connected(identityId: string): void {
    const n = (this.counts.get(identityId) ?? 0) + 1;
    this.counts.set(identityId, n);
    if (n === 1) this.write(identityId, 1);
  }

  disconnected(identityId: string): void {
    const n = Math.max(0, (this.counts.get(identityId) ?? 0) - 1);
    if (n === 0) {
      this.counts.delete(identityId);
      this.write(identityId, 0);
    } else this.counts.set(identityId, n);
  }

  /** Seconds-fresh rows with connections > 0 on any node mean online. */
  async isOnline(identityId: string): Promise<boolean> {
    const { offlineSince } = await this.status(identityId);
    return offlineSince === null;
  }

  /**
   * null offlineSince = online now. Otherwise when they were last seen (or epoch 0 when never):
   * the offline delay counts from there.
   */
  async status(identityId: string): Promise<{ offlineSince: Date | null }> {
    const res = await this.pool.query<{ online: boolean; last_seen: Date | null }>(
      `SELECT bool_or(connections > 0 AND seen_at > now() - make_interval(secs => $2::float8 / 1000)) AS online,
              max(seen_at) AS last_seen
         FROM presence WHERE identity_id = $1`,
      [identityId, this.heartbeatMs * 3],
    );
    const row = res.rows[0];
    if (row?.online) return { offlineSince: null };
    return { offlineSince: row?.last_seen ?? new Date(0) };
  }

  /** Forget this node's connections (clean shutdown); waits for writes in flight. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await Promise.allSettled([...this.pending]);
    await this.pool
      .query(`UPDATE presence SET connections = 0, seen_at = now() WHERE node_id = $1 AND connections > 0`, [this.nodeId])
      .catch((err) => this.log.warn({ err }, 'could not clear presence'));
  }

  // Writes for one identity are chained, so a quick connect/disconnect lands in order.
  private readonly chains = new Map<string, Promise<unknown>>();
  private write(identityId: string, connections: number): void {
    const prev = this.chains.get(identityId) ?? Promise.resolve();
    const next = prev
      .catch(() => {})
      .then(() =>
        this.pool.query(
          `INSERT INTO presence (identity_id, node_id, connections, seen_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (identity_id, node_id) DO UPDATE SET connections = EXCLUDED.connections, seen_at = now()`,
          [identityId, this.nodeId, connections],
        ),
      )
      .finally(() => {
        if (this.chains.get(identityId) === next) this.chains.delete(identityId);
      });
    this.chains.set(identityId, next);
    this.track(next);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.log.warn({ err }, 'presence write failed')).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  /** For tests: resolves when every presence write issued so far has landed. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
