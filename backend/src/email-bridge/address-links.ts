import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import type { Caller } from '../identity/sessions.ts';
import { checkCode } from '../identity/code-check.ts';
import { emailWordsFor } from '../identity/language.ts';
import { newCode } from '../identity/tokens.ts';
import type { AddressLinkStarted, IdentityView } from '../../../protocol/index.ts';
import { inTransaction } from '../db/pool.ts';
import type { BridgeContext } from './context.ts';
import { addressLinkMail } from './templates.ts';

/**
 * Linking a further verified address (work and personal) to the signed-in identity, proved
 * by a code sent to it. Rule for an address that already belongs to another identity: it is
 * refused (CONFLICT, once its code proved the mailbox). Merging two identities would silently move chats, ownership and
 * sessions between people who may not be the same; the person can stop using the other
 * sign-in instead. Chats then reach the identity under any of its addresses.
 */
export class AddressLinks {
  constructor(private readonly ctx: BridgeContext) {}

  async start(caller: Caller, rawAddress: string): Promise<AddressLinkStarted> {
    if (caller.chatScope) throw new AppError('FORBIDDEN', 'Sign in with a code to add addresses');
    const address = normaliseAddress(rawAddress);
    await this.ctx.limits.addressCodes.consume(caller.identityId, 'address codes');
    // The caller knows their own addresses; saying so reveals nothing about anyone else.
    if (caller.addresses.includes(address)) throw new AppError('CONFLICT', `${address} is already one of your addresses`);
    // Whether the address belongs to another identity is told only after its code is entered,
    // i.e. to whoever reads that mailbox: here every other address gets the same answer and the
    // same email, so this route cannot be used to find out who has signed in.
    const id = randomUUID();
    const code = newCode();
    const expiresAt = new Date(Date.now() + this.ctx.codeTtlMs);
    await this.ctx.pool.query(`INSERT INTO address_link (id, identity_id, address, code_hash, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      caller.identityId,
      address,
      this.ctx.hashCode(id, code),
      expiresAt,
    ]);
    // Sent directly, like a sign-in code: a durable mail job would keep the code readable in the
    // job table for days, which the keyed hash above is there to prevent.
    try {
      // The address is (about to be) the caller's own: written in their language.
      const words = await emailWordsFor(this.ctx.pool, { identityId: caller.identityId });
      await this.ctx.mailer.send({
        to: address,
        ...addressLinkMail(words, { code, address, minutes: Math.round(this.ctx.codeTtlMs / 60_000) }),
      });
    } catch (err) {
      await this.ctx.pool.query(`DELETE FROM address_link WHERE id = $1`, [id]).catch(() => {});
      throw new AppError('UNAVAILABLE', 'We could not send the email just now; try again in a minute', {
        cause: err instanceof Error ? err.message : String(err),
      });
    }
    return { linkId: id, address, expiresAt: expiresAt.toISOString() };
  }

  async verify(caller: Caller, linkId: string, code: string): Promise<IdentityView> {
    if (caller.chatScope) throw new AppError('FORBIDDEN', 'Sign in with a code to add addresses');
    const res = await this.ctx.pool.query<{
      id: string;
      address: string;
      codeHash: string;
      attempts: number;
      expired: boolean;
      consumed: boolean;
    }>(
      `UPDATE address_link SET attempts = attempts + 1 WHERE id = $1 AND identity_id = $2
       RETURNING id, address, code_hash AS "codeHash", attempts, expires_at <= now() AS expired, consumed_at IS NOT NULL AS consumed`,
      [linkId, caller.identityId],
    );
    const link = checkCode(res.rows[0], code, { maxAttempts: this.ctx.codeMaxAttempts, hashCode: this.ctx.hashCode });
    await inTransaction(this.ctx.pool, async (client) => {
      await client.query(`UPDATE address_link SET consumed_at = now() WHERE id = $1`, [link.id]);
      const added = await client.query(
        `INSERT INTO email_address (address, identity_id) VALUES ($1, $2) ON CONFLICT (address) DO NOTHING RETURNING address`,
        [link.address, caller.identityId],
      );
      if (added.rowCount === 0) await this.assertFree(caller, link.address);
    });
    const all = await this.ctx.pool.query<{ address: string }>(
      `SELECT address FROM email_address WHERE identity_id = $1 ORDER BY address`,
      [caller.identityId],
    );
    return { id: caller.identityId, addresses: all.rows.map((r) => r.address) };
  }

  private async assertFree(caller: Caller, address: string): Promise<void> {
    const owner = await this.ctx.pool.query<{ identity_id: string }>(`SELECT identity_id FROM email_address WHERE address = $1`, [address]);
    const id = owner.rows[0]?.identity_id;
    if (!id) return;
    if (id === caller.identityId) throw new AppError('CONFLICT', `${address} is already one of your addresses`);
    throw new AppError(
      'CONFLICT',
      `${address} already signs in as a separate identity, so it cannot be linked here. Keep using that sign-in for its chats`,
      { reason: 'ADDRESS_TAKEN' },
    );
  }
}
