import { randomUUID } from 'node:crypto';
import type { Db } from '../db/prisma.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { verificationMail } from '../mail/templates.ts';
import type { RateLimit } from '../ops/rate-limits.ts';
import type { SessionView, VerificationStarted } from '../../../protocol/index.ts';
import { normaliseAddress } from './addresses.ts';
import type { Sessions } from './sessions.ts';
import { checkCode } from './code-check.ts';
import { hashToken, newCode, newToken, type CodeHasher } from './tokens.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import type { IdentityLanguage } from './language.ts';

export interface VerificationOptions {
  codeTtlMs: number;
  maxAttempts: number;
  publicUrl: () => string;
  hashCode: CodeHasher;
  /** Codes per (address, client IP): what one client may send to one address. */
  perAddress: RateLimit;
  /** Codes per address from all clients together, counted over one code lifetime (codeTtlMs). */
  addressCeiling: RateLimit;
  perClient: RateLimit;
}

/**
 * Proof of an address: a 6-digit code and a magic link, sent together in one email.
 * Either one proves the address once; both expire, and the code allows few attempts.
 */
export class Verification {
  constructor(
    private readonly db: Db,
    private readonly mailer: Mailer,
    private readonly sessions: Sessions,
    private readonly language: IdentityLanguage,
    private readonly opts: VerificationOptions,
  ) {}

  /** `languages`: the asking client's (Accept-Language, best first), for an address whose owner has no language yet. */
  async start(rawAddress: string, clientKey: string, chatId?: string, languages: readonly string[] = []): Promise<VerificationStarted> {
    const address = normaliseAddress(rawAddress);
    await this.opts.perClient.consume(clientKey, 'code requests from this device');
    // Keyed by address and client, so someone asking for a victim's codes spends only their own
    // budget and the victim, on their own device, still gets a code.
    await this.opts.perAddress.consume(`${address}|${clientKey}`, `codes sent to ${address}`);
    // The ceiling only stops a mailbox being flooded from many clients. Its window is one code
    // lifetime, so whenever it refuses, every email sent in that window is still valid: the owner
    // of the mailbox signs in with the link in any of them.
    await this.opts.addressCeiling.consume(
      address,
      `codes sent to ${address} just now (open the sign-in link in the latest of those emails; it still works)`,
    );

    const id = randomUUID();
    const code = newCode();
    const linkToken = newToken();
    const expiresAt = new Date(Date.now() + this.opts.codeTtlMs);
    await this.db.verification.create({
      data: { id, address, codeHash: this.opts.hashCode(id, code), linkTokenHash: hashToken(linkToken), expiresAt },
    });
    // The token rides in the fragment so it never reaches server logs or Referer headers.
    const landing = chatId ? chatUrl('', chatId) : '/';
    const link = `${this.opts.publicUrl()}${landing}#signin=${linkToken}`;
    let subject: string | undefined;
    if (chatId) {
      const chat = await this.db.chat.findUnique({ where: { id: chatId }, select: { subject: true } });
      subject = chat?.subject || undefined;
    }
    const words = await this.language.wordsFor({ address }, languages);
    const mail = verificationMail(words, { code, link, minutes: Math.round(this.opts.codeTtlMs / 60_000), subject });
    try {
      await this.mailer.send({ to: address, ...mail });
    } catch (err) {
      await this.db.verification.delete({ where: { id } }).catch(() => {});
      throw new AppError('UNAVAILABLE', 'We could not send the email just now; try again in a minute', {
        cause: err instanceof Error ? err.message : String(err),
      });
    }
    return { verificationId: id, address, expiresAt: expiresAt.toISOString() };
  }

  async verifyCode(verificationId: string, code: string, label?: string): Promise<SessionView> {
    // Count the attempt atomically before comparing, so parallel guesses share one budget.
    const rows = await this.db.$queryRaw<
      { id: string; address: string; code_hash: string; attempts: number; expires_at: Date; consumed_at: Date | null }[]
    >`UPDATE verification SET attempts = attempts + 1 WHERE id = ${verificationId}::uuid
      RETURNING id, address, code_hash, attempts, expires_at, consumed_at`;
    const v = rows[0];
    const right = checkCode(
      v && {
        id: v.id,
        address: v.address,
        codeHash: v.code_hash,
        attempts: v.attempts,
        expired: v.expires_at <= new Date(),
        consumed: v.consumed_at !== null,
      },
      code,
      this.opts,
    );
    return this.consume(right.id, right.address, label);
  }

  async verifyLink(linkToken: string, label?: string): Promise<SessionView> {
    const v = await this.db.verification.findUnique({ where: { linkTokenHash: hashToken(linkToken) } });
    if (!v || v.consumedAt || v.expiresAt <= new Date()) {
      throw new AppError('LINK_EXPIRED', 'This sign-in link has expired or was already used; ask for a new one');
    }
    return this.consume(v.id, v.address, label);
  }

  private async consume(id: string, address: string, label?: string): Promise<SessionView> {
    const taken = await this.db.verification.updateMany({
      where: { id, consumedAt: null },
      data: { consumedAt: new Date() },
    });
    if (taken.count === 0) throw new AppError('CODE_EXPIRED', 'That code was already used; ask for a new one');
    return this.sessions.createForAddress(address, { label });
  }
}
