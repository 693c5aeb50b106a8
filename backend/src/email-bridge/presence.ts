import type pg from 'pg';
import type { Logger } from '../log.ts';

/**
 * Who is looking at a chat client right now, across every backend node, kept in PostgreSQL.
 * A member is present only with a *visible* client: an open socket behind a hidden tab or
 * Thunderbird's background page has not seen anything (clients report their visibility;
 * a socket counts as hidden until it says otherwise). Each node keeps the true count of
 * visible sockets per identity in memory and mirrors it into its own presence rows: at once
 * when a count goes between 0 and more, and on every heartbeat in full, zeros included, so a
 * write lost while PostgreSQL was out of reach is corrected as soon as it is back. A row
 * counts only while its node's heartbeat is fresh, so a node that crashed stops making
 * people look present; `seen_at` of a row with no visible client is when it went to zero
 * (the offline delay counts from there) and the heartbeat never moves it.
 * Chosen over Socket.IO's fetchSockets(): it works without Redis, survives restarts,
 * answers "away since when", and is one SQL query for the job that decides whether to email.
 */
export class Presence {
  /** Visible sockets per identity on this node (only identities with at least one). */
  private readonly counts = new Map<string, number>();
  /** Open sockets per identity on this node, visible or not (connected but hidden is "away"). */
  private readonly open = new Map<string, number>();
  /** Told, once written, of identities whose visible or open count went between 0 and more. */
  private changed: (identityIds: string[]) => void = () => {};
  /** socket id → identity and whether that client said it is visible. */
  private readonly sockets = new Map<string, { identityId: string; visible: boolean }>();
  /** When identities went to zero, until that is written (keeps "away since" exact after an outage). */
  private readonly wentAway = new Map<string, number>();
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly pending = new Set<Promise<unknown>>();

  /** Rows older than this come from a node that stopped heartbeating: the one freshness rule. */
  readonly freshMs: number;

  constructor(
    private readonly pool: pg.Pool,
    readonly nodeId: string,
    private readonly log: Logger,
    private readonly heartbeatMs: number,
  ) {
    this.freshMs = heartbeatMs * 3;
  }

  start(): void {
    this.heartbeat = setInterval(() => {
      this.full = true;
      this.flush();
    }, this.heartbeatMs);
    this.heartbeat.unref?.();
  }

  /** Who shows presence to others (backend/src/presence) listens here. */
  onChange(listener: (identityIds: string[]) => void): void {
    this.changed = listener;
  }

  /** A socket opened; it counts as present once its client reports being visible. */
  connected(socketId: string, identityId: string): void {
    this.sockets.set(socketId, { identityId, visible: false });
    const n = (this.open.get(identityId) ?? 0) + 1;
    this.open.set(identityId, n);
    if (n === 1) {
      this.dirty.add(identityId);
      this.flush();
    }
  }

  /** The client behind a socket became visible or hidden (tab shown/hidden, pane opened/closed). */
  visibility(socketId: string, visible: boolean): void {
    const s = this.sockets.get(socketId);
    if (!s || s.visible === visible) return;
    s.visible = visible;
    this.adjust(s.identityId, visible ? 1 : -1);
  }

  disconnected(socketId: string): void {
    const s = this.sockets.get(socketId);
    if (!s) return;
    this.sockets.delete(socketId);
    const n = (this.open.get(s.identityId) ?? 1) - 1;
    if (n > 0) this.open.set(s.identityId, n);
    else this.open.delete(s.identityId);
    if (s.visible) this.adjust(s.identityId, -1);
    else if (n === 0) {
      this.dirty.add(s.identityId);
      this.flush();
    }
  }

  private adjust(identityId: string, delta: 1 | -1): void {
    const n = Math.max(0, (this.counts.get(identityId) ?? 0) + delta);
    if (n > 0) this.counts.set(identityId, n);
    else this.counts.delete(identityId);
    if (n === 1 && delta === 1) {
      this.wentAway.delete(identityId);
      this.dirty.add(identityId);
      this.flush();
    } else if (n === 0) {
      this.wentAway.set(identityId, Date.now());
      this.dirty.add(identityId);
      this.flush();
    }
  }

  /** Present (a visible client on any node with a fresh heartbeat). */
  async isOnline(identityId: string): Promise<boolean> {
    const { offlineSince } = await this.status(identityId);
    return offlineSince === null;
  }

  /**
   * null offlineSince = present now. Otherwise since when they have had no visible client
   * (epoch 0 when never seen): the offline delay counts from there.
   */
  async status(identityId: string): Promise<{ offlineSince: Date | null }> {
    const res = await this.pool.query<{ online: boolean; last_seen: Date | null }>(
      `SELECT bool_or(connections > 0 AND seen_at > now() - make_interval(secs => $2::float8 / 1000)) AS online,
              max(seen_at) AS last_seen
         FROM presence WHERE identity_id = $1`,
      [identityId, this.freshMs],
    );
    const row = res.rows[0];
    if (row?.online) return { offlineSince: null };
    return { offlineSince: row?.last_seen ?? new Date(0) };
  }

  /**
   * Presence of several identities for people who may see it: a visible client now, any open
   * client, and when the last visible client went (null when never, or visible now).
   */
  async states(identityIds: string[]): Promise<Map<string, { visible: boolean; connected: boolean; lastSeenAt: Date | null }>> {
    const res = await this.pool.query<{ identity_id: string; visible: boolean; connected: boolean; last_seen: Date | null }>(
      `SELECT identity_id,
              bool_or(connections > 0 AND seen_at > now() - make_interval(secs => $2::float8 / 1000)) AS visible,
              bool_or(sockets > 0 AND beat_at > now() - make_interval(secs => $2::float8 / 1000)) AS connected,
              max(seen_at) FILTER (WHERE seen_at > 'epoch') AS last_seen
         FROM presence WHERE identity_id = ANY($1::uuid[]) GROUP BY identity_id`,
      [identityIds, this.freshMs],
    );
    const out = new Map(identityIds.map((id) => [id, { visible: false, connected: false, lastSeenAt: null as Date | null }]));
    for (const r of res.rows) {
      out.set(r.identity_id, { visible: r.visible, connected: r.connected || r.visible, lastSeenAt: r.visible ? null : r.last_seen });
    }
    return out;
  }

  /** Forget this node's connections (clean shutdown); waits for writes in flight. */
  async stop(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    await this.settled();
    await this.pool
      .query(
        `UPDATE presence SET connections = 0, sockets = 0, seen_at = CASE WHEN connections > 0 THEN now() ELSE seen_at END
         WHERE node_id = $1 AND (connections > 0 OR sockets > 0)`,
        [this.nodeId],
      )
      .catch((err) => this.log.warn({ err }, 'could not clear presence'));
  }

  // One presence statement in flight per node, each written from the in-memory truth at the
  // moment it is sent: a later statement always carries later truth, so writes never land out
  // of order, and a client flapping its visibility costs at most one more statement.
  private readonly dirty = new Set<string>();
  private full = false;
  private flushing: Promise<void> | null = null;

  private flush(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.full || this.dirty.size > 0) {
        const full = this.full;
        const ids = full ? new Set([...this.counts.keys(), ...this.open.keys(), ...this.wentAway.keys()]) : new Set(this.dirty);
        const changes = [...this.dirty];
        this.full = false;
        this.dirty.clear();
        if (!(await this.write([...ids], full))) break;
        if (changes.length > 0) this.changed(changes);
      }
    })().finally(() => {
      this.flushing = null;
    });
    this.track(this.flushing);
  }

  /**
   * Writes these identities' counts: present ones with a fresh seen_at, departed ones as zero
   * with seen_at when they went away; connected ones with no visible client keep their seen_at
   * (epoch when never visible), only beat_at moves. A full write (the heartbeat) also zeroes every other row
   * of this node still claiming connections: a write lost while PostgreSQL was unreachable is
   * corrected as soon as it answers again. False when it failed (the next heartbeat redoes all).
   */
  private async write(ids: string[], full: boolean): Promise<boolean> {
    const now = Date.now();
    const rows = ids.map((id) => {
      const n = this.counts.get(id) ?? 0;
      const away = this.wentAway.get(id);
      return {
        id,
        n,
        open: this.open.get(id) ?? 0,
        keep: n === 0 && away === undefined,
        age: n === 0 && away !== undefined ? now - away : 0,
        away,
      };
    });
    try {
      await this.pool.query(
        `WITH up AS (
           INSERT INTO presence (identity_id, node_id, connections, sockets, beat_at, seen_at)
           SELECT u.id, $1, u.n, u.open, now(), CASE WHEN u.keep THEN 'epoch' ELSE now() - make_interval(secs => u.age / 1000) END
             FROM unnest($2::uuid[], $3::int[], $4::float8[], $6::int[], $7::bool[]) AS u(id, n, age, open, keep)
           ON CONFLICT (identity_id, node_id) DO UPDATE SET connections = EXCLUDED.connections, sockets = EXCLUDED.sockets,
             beat_at = EXCLUDED.beat_at, seen_at = CASE WHEN EXCLUDED.seen_at = 'epoch' THEN presence.seen_at ELSE EXCLUDED.seen_at END
         )
         UPDATE presence p SET connections = 0, sockets = 0
          WHERE $5 AND p.node_id = $1 AND (p.connections > 0 OR p.sockets > 0) AND p.identity_id <> ALL($2::uuid[])`,
        [
          this.nodeId,
          rows.map((r) => r.id),
          rows.map((r) => r.n),
          rows.map((r) => r.age),
          full,
          rows.map((r) => r.open),
          rows.map((r) => r.keep),
        ],
      );
    } catch (err) {
      this.log.warn({ err }, 'presence write failed; the next heartbeat writes every count again');
      return false;
    }
    // Written: forget those departures (unless the identity came and went again meanwhile).
    for (const r of rows) if (r.away !== undefined && this.wentAway.get(r.id) === r.away) this.wentAway.delete(r.id);
    return true;
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err) => this.log.warn({ err }, 'presence flush failed')).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  /** For tests: resolves when every presence write issued so far has landed. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
