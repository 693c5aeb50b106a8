/**
 * Whether two people have met: they are contacts, or both accepted (are members of) some chat.
 * An invitation to someone the inviter has not met is the one email that address gets until it
 * accepts (email-bridge/invitations.ts); someone they have met is emailed like any audience.
 */
import type pg from 'pg';

/** Has `identityId` met whoever signs in with `address`? An address nobody signed in with has met nobody. */
export async function hasMet(db: pg.Pool | pg.PoolClient, identityId: string, address: string): Promise<boolean> {
  const res = await db.query<{ met: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM email_address e
        WHERE e.address = $2
          AND (e.identity_id = $1
               OR EXISTS (SELECT 1 FROM contact c WHERE c.identity_id = $1 AND c.contact_id = e.identity_id)
               OR EXISTS (SELECT 1 FROM member mine JOIN member theirs ON theirs.chat_id = mine.chat_id
                           WHERE mine.identity_id = $1 AND theirs.identity_id = e.identity_id))
     ) AS met`,
    [identityId, address],
  );
  return res.rows[0]!.met;
}
