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
  /**
   * Every message, receipt and typing notice names its member, so the same few handles are
   * computed over and over: an HMAC per message was about 5 % of the server's CPU under load.
   * Bounded; when full it starts over (a handle never changes, so a miss only costs the HMAC).
   */
  private readonly known = new Map<string, string>();

  constructor(
    private readonly key: Buffer,
    private readonly capacity = 10_000,
  ) {}

  of(chatId: string, identityId: string): string {
    const pair = `${chatId}:${identityId}`;
    let handle = this.known.get(pair);
    if (handle === undefined) {
      handle = createHmac('sha256', this.key).update(pair).digest('base64url').slice(0, 22);
      if (this.known.size >= this.capacity) this.known.clear();
      this.known.set(pair, handle);
    }
    return handle;
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
