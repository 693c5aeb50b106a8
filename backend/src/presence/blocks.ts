/**
 * Blocked addresses. Whoever signs in with an address I blocked cannot bring me into a chat
 * (create one with me, add or invite me), cannot be or become my contact and never sees my
 * presence. Blocking is by address, so it works before that person has ever signed in.
 */
import type pg from 'pg';

/**
 * The block test, as an SQL condition every query here shares: the identity `blocker` blocked
 * an address that the identity `other` signs in with (both are SQL expressions of identity ids).
 */
export function blockedSql(blocker: string, other: string): string {
  return `EXISTS (SELECT 1 FROM blocked_address bl JOIN email_address ea ON ea.address = bl.address
                   WHERE bl.identity_id = ${blocker} AND ea.identity_id = ${other})`;
}

/** SQL: either of the two blocked the other. */
export function blockedEitherWaySql(a: string, b: string): string {
  return `(${blockedSql(a, b)} OR ${blockedSql(b, a)})`;
}

/** Of these audience addresses, the ones whose owner blocked one of the actor's addresses. */
export async function addressesBlockingActor(pool: pg.Pool, actorId: string, addresses: string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const res = await pool.query<{ address: string }>(
    `SELECT target.address FROM email_address target
      WHERE target.address = ANY($2::text[]) AND target.identity_id <> $1 AND ${blockedSql('target.identity_id', '$1::uuid')}`,
    [actorId, addresses],
  );
  return new Set(res.rows.map((r) => r.address));
}

export async function listBlocks(pool: pg.Pool, identityId: string): Promise<string[]> {
  const res = await pool.query<{ address: string }>(`SELECT address FROM blocked_address WHERE identity_id = $1 ORDER BY address`, [
    identityId,
  ]);
  return res.rows.map((r) => r.address);
}

/** Blocks the address and ends any contact with whoever signs in with it; returns those identities. */
export async function addBlock(pool: pg.Pool, identityId: string, address: string): Promise<string[]> {
  await pool.query(`INSERT INTO blocked_address (identity_id, address) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [identityId, address]);
  const owners = await pool.query<{ identity_id: string }>(
    `SELECT identity_id FROM email_address WHERE address = $1 AND identity_id <> $2`,
    [address, identityId],
  );
  const ids = owners.rows.map((r) => r.identity_id);
  await pool.query(
    `DELETE FROM contact WHERE (identity_id = $1 AND contact_id = ANY($2::uuid[])) OR (contact_id = $1 AND identity_id = ANY($2::uuid[]))`,
    [identityId, ids],
  );
  return ids;
}

export async function removeBlock(pool: pg.Pool, identityId: string, address: string): Promise<void> {
  await pool.query(`DELETE FROM blocked_address WHERE identity_id = $1 AND address = $2`, [identityId, address]);
}
