import { randomUUID } from 'node:crypto';
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

export class Sessions {
  constructor(
    private readonly db: Db,
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

  /** Resolves a token, or throws UNAUTHENTICATED. Expired and revoked sessions fail alike. */
  async authenticate(token: string | undefined): Promise<Caller> {
    if (!token || token.length > 200) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
    const session = await this.db.session.findUnique({
      where: { tokenHash: hashToken(token) },
      include: { identity: { include: { addresses: { select: { address: true } } } } },
    });
    const now = new Date();
    if (!session || session.revokedAt || session.expiresAt <= now) {
      throw new AppError('UNAUTHENTICATED', 'Your session has ended; sign in again');
    }
    // Touch at most once a minute so reads stay cheap.
    if (now.getTime() - session.lastUsedAt.getTime() > 60_000) {
      await this.db.session.update({ where: { id: session.id }, data: { lastUsedAt: now } });
    }
    return {
      identityId: session.identityId,
      sessionId: session.id,
      addresses: session.identity.addresses.map((a) => a.address).sort(),
      chatScope: session.chatId,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
    this.onRevoked(sessionId);
  }

  private async addressesOf(identityId: string): Promise<string[]> {
    const rows = await this.db.emailAddress.findMany({ where: { identityId }, select: { address: true } });
    return rows.map((r) => r.address).sort();
  }
}
