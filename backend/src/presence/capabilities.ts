/**
 * The latest report of what each person's client can do. One row per person, not per socket: the
 * sender needs to know what the member will open the chat with next, and the last client they
 * used is the best guess (a phone after a desktop reports anew on connect). A table rather than
 * node memory, so a member who is offline, or connected to another node, is still known.
 */
import type pg from 'pg';
import { capabilitiesEvent, type ClientCapabilities, type ReportedCapabilities } from '../../../protocol/index.ts';

export type { ReportedCapabilities };

/** Keeps the report; returns it as stored when it differs from the one before (a reconnect saying the same is no news), else null. */
export async function saveCapabilities(pool: pg.Pool, identityId: string, caps: ClientCapabilities): Promise<ReportedCapabilities | null> {
  const res = await pool.query<{ changed: boolean; reported_at: Date }>(
    `WITH before AS (SELECT capabilities FROM client_capabilities WHERE identity_id = $1)
     INSERT INTO client_capabilities (identity_id, capabilities) VALUES ($1, $2::jsonb)
     ON CONFLICT (identity_id) DO UPDATE SET capabilities = EXCLUDED.capabilities, reported_at = now()
     RETURNING (SELECT capabilities FROM before) IS DISTINCT FROM $2::jsonb AS changed, reported_at`,
    [identityId, JSON.stringify(caps)],
  );
  const row = res.rows[0]!;
  return row.changed ? { ...caps, reportedAt: row.reported_at.toISOString() } : null;
}

/** Reports of these people; someone absent never connected a client. */
export async function loadCapabilities(pool: pg.Pool, identityIds: string[]): Promise<Map<string, ReportedCapabilities>> {
  if (identityIds.length === 0) return new Map();
  const res = await pool.query<{ identity_id: string; capabilities: unknown; reported_at: Date }>(
    `SELECT identity_id, capabilities, reported_at FROM client_capabilities WHERE identity_id = ANY($1::uuid[])`,
    [identityIds],
  );
  const found = new Map<string, ReportedCapabilities>();
  for (const r of res.rows) {
    // Written only after validation; parsed again so a row from an older protocol never reaches a client.
    const caps = capabilitiesEvent.safeParse(r.capabilities);
    if (caps.success) found.set(r.identity_id, { ...caps.data, reportedAt: r.reported_at.toISOString() });
  }
  return found;
}
