import { createHmac, randomBytes } from 'node:crypto';
import type pg from 'pg';

const SECRET_NAME = 'member-handles';

/**
 * Per-chat member handles: what every chat-scoped view and event (authorId, ownerId,
 * members, me, typing, read, delivery) names a member by, instead of their identity id.
 * Identity ids are global, so a member who saw someone's id in one chat could recognise a
 * hidden (Bcc) member in another; a handle is an HMAC of chat and identity under a key
 * stored in the database, so it is stable across nodes and restarts, differs per chat and
 * cannot be computed or reversed by clients.
 */
export class MemberHandles {
  constructor(private readonly key: Buffer) {}

  of(chatId: string, identityId: string): string {
    return createHmac('sha256', this.key).update(`${chatId}:${identityId}`).digest('base64url').slice(0, 22);
  }

  /** The shared key: the first node to start creates it, every other node reads the same one. */
  static async load(pool: pg.Pool): Promise<MemberHandles> {
    await pool.query(`INSERT INTO server_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [
      SECRET_NAME,
      randomBytes(32),
    ]);
    const res = await pool.query<{ value: Buffer }>(`SELECT value FROM server_secret WHERE name = $1`, [SECRET_NAME]);
    const key = res.rows[0]?.value;
    if (!key || key.length < 32) throw new Error('member handle key missing');
    return new MemberHandles(key);
  }
}
