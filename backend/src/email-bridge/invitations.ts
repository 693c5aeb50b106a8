import { AppError } from '../errors.ts';
import { normaliseAddress } from '../identity/addresses.ts';
import { emailWordsFor } from '../identity/language.ts';
import type { Caller } from '../identity/sessions.ts';
import { hashToken } from '../identity/tokens.ts';
import type { ChatView, LinkRedeemed } from '../../../protocol/index.ts';
import { inTransaction } from '../db/pool.ts';
import { hasMet } from '../chats/acquaintance.ts';
import type { BridgeContext } from './context.ts';
import { createChatLink } from './links.ts';
import { queueMail } from './outbound.ts';
import { invitationMail } from './templates.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';

/**
 * Invitations and the personal links in our emails. A link signs its address in to one
 * chat: single use, expiring, and the session it creates can reach only that chat.
 */
export class Invitations {
  constructor(private readonly ctx: BridgeContext) {}

  async invite(caller: Caller, chatId: string, rawAddress: string): Promise<ChatView> {
    await this.ctx.limits.invites.consume(caller.identityId, 'invitations');
    const address = normaliseAddress(rawAddress);
    // Joins the audience (membership, ended chat and size checks live there).
    // A hidden (Bcc) address is made visible there exactly as a new one is, so this answers
    // and mails the same whether or not the address was already a hidden member.
    const view = await this.ctx.chats.addToAudience(caller, chatId, address);
    if (view.members.some((m) => m.address === address)) {
      throw new AppError('CONFLICT', `${address} is already a member of this chat`);
    }
    const publicUrl = this.ctx.publicUrl();
    // In the invitee's language when the address is someone's already; the inviter's is no guide.
    const words = await emailWordsFor(this.ctx.pool, { address });
    await inTransaction(this.ctx.pool, async (client) => {
      const personalUrl = await createChatLink(client, {
        publicUrl,
        chatId,
        address,
        purpose: 'INVITE',
        createdById: caller.identityId,
        ttlMs: this.ctx.inviteTtlMs,
      });
      const mail = invitationMail(words, {
        subject: view.subject,
        chatId,
        chatUrl: chatUrl(publicUrl, chatId),
        personalUrl,
        days: Math.max(1, Math.round(this.ctx.inviteTtlMs / 86_400_000)),
      });
      await queueMail(client, { to: address, ...mail, fromName: 'Inbox Chat', headers: { [CHAT_HEADER]: chatId } }, this.ctx.mailDomain);
      // The invitation stands for everything said so far: the batched notification
      // (notifier.ts, emailAudience) carries only what is said after it, never the same message twice.
      // From someone they never met it is the only email until they accept: no blind initiation.
      const met = await hasMet(client, caller.identityId, address);
      await client.query(
        `UPDATE audience_entry a SET emailed_seq = GREATEST(a.emailed_seq, c.last_seq), awaiting_acceptance = NOT $3
           FROM chat c WHERE c.id = a.chat_id AND a.chat_id = $1 AND a.address = $2`,
        [chatId, address, met],
      );
    });
    this.ctx.runner.wake();
    return view;
  }

  /** Redeems a personal link: a one-chat session for its address, already joined. */
  async redeem(token: string, label?: string): Promise<LinkRedeemed> {
    const res = await this.ctx.pool.query<{ chat_id: string; address: string }>(
      `UPDATE chat_link SET consumed_at = now()
        WHERE token_hash = $1 AND consumed_at IS NULL AND expires_at > now()
        RETURNING chat_id, address`,
      [hashToken(token)],
    );
    const link = res.rows[0];
    if (!link) {
      throw new AppError('LINK_EXPIRED', 'This link was already used or has expired; sign in with a code from the chat page');
    }
    const session = await this.ctx.sessions.createForAddress(link.address, { chatId: link.chat_id, label: label ?? 'email link' });
    const caller = await this.ctx.sessions.authenticate(session.token);
    const chat = await this.ctx.chats.open(caller, link.chat_id);
    return { session, chat };
  }
}
