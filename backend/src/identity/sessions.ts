import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../db/prisma.ts';
import { AppError } from '../errors.ts';
import type { SessionView } from '../../../protocol/index.ts';
import { hashToken, newToken } from './tokens.ts';

/** Who is calling: resolved from a session token on every request and socket handshake. */
export interface Caller {
  identityId: string;
  sessionId: string;
  /** Verified addresses of the identity, normalised. */
  addresses: string[];
  /** A one-chat session may only touch this chat. */
  chatScope: string | null;
}

interface SessionRow {
  id: string;
  identity_id: string;
  chat_id: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date;
  addresses: string[];
}

export class Sessions {
  constructor(
    private readonly db: Db,
    private readonly pool: pg.Pool,
    private readonly ttlMs: number,
    /** Told when a session is revoked, so its live sockets can be closed. */
    private readonly onRevoked: (sessionId: string) => void = () => {},
  ) {}

  async create(identityId: string, opts: { label?: string; chatId?: string | null } = {}): Promise<SessionView> {
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.db.session.create({
      data: {
        id: randomUUID(),
        identityId,
        tokenHash: hashToken(token),
        chatId: opts.chatId ?? null,
        label: opts.label ?? '',
        expiresAt,
      },
    });
    const addresses = await this.addressesOf(identityId);
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      identity: { id: identityId, addresses },
      chatId: opts.chatId ?? null,
    };
  }

  /**
   * A session for a just-proven address (a code, a sign-in link or a personal link from an
   * email): the address's identity, created on its first proof, since there is no sign-up form.
   */
  async createForAddress(address: string, opts: { label?: string; chatId?: string | null } = {}): Promise<SessionView> {
    return this.create(await this.identityFor(address), opts);
  }

  /** Resolves a token, or throws UNAUTHENTICATED. Expired and revoked sessions fail alike. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token || token.length > 200) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    // Every socket handshake and REST call lands here: one raw query, no Prisma query compile.
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT s.id, s.identity_id, s.chat_id, s.expires_at, s.revoked_at, s.last_used_at,
              ARRAY(SELECT a.address FROM email_address a WHERE a.identity_id = s.identity_id ORDER BY a.address) AS addresses
         FROM session s WHERE s.token_hash = $1`,
      [hashToken(token)],
    );
    const session = rows[0];
    const now = new Date();
    if (!session || session.revoked_at || session.expires_at <= now) {
      throw new AppError('UNAUTHENTICATED', 'Your session has ended; sign in again');
    }
    // Touch at most once a minute so reads stay cheap.
    if (now.getTime() - session.last_used_at.getTime() > 60_000) {
      await this.pool.query('UPDATE session SET last_used_at = now() WHERE id = $1', [session.id]);
    }
    return {
      identityId: session.identity_id,
      sessionId: session.id,
      addresses: session.addresses,
      chatScope: session.chat_id,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.onRevoked(sessionId);
  }

  /** The identity owning an address; created with it in one transaction, so no identity is left without an address. */
  private async identityFor(address: string): Promise<string> {
    const existing = await this.db.emailAddress.findUnique({ where: { address } });
    if (existing) return existing.identityId;
    try {
      const id = randomUUID();
      await this.db.identity.create({ data: { id, addresses: { create: { address } } } });
      return id;
    } catch (err) {
      // Two first proofs of one address at once (say a code and a link): the other one won; use its identity.
      const winner = await this.db.emailAddress.findUnique({ where: { address } });
      if (!winner) throw err;
      return winner.identityId;
    }
  }

  private async addressesOf(identityId: string): Promise<string[]> {
    const rows = await this.db.emailAddress.findMany({ where: { identityId }, select: { address: true } });
    return rows.map((r) => r.address).sort();
  }
}
