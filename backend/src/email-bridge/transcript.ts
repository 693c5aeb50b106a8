import { AppError } from '../errors.ts';
import { sees } from '../chats/membership.ts';
import { retentionLasts } from '../chats/message-log.ts';
import { emailWordsFor } from '../identity/language.ts';
import type { Caller } from '../identity/sessions.ts';
import type { TranscriptSent } from '../../../protocol/index.ts';
import { inTransaction } from '../db/pool.ts';
import type { BridgeContext } from './context.ts';
import { createReplyAddress } from './links.ts';
import { queueMail } from './outbound.ts';
import { mailLine, transcriptMail, type MailLine } from './templates.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';

const MAX_LINES = 1000;

/** "Reply by email" for a chat: the transcript so far, emailed to every other member, each with a reply address. */
export class Transcripts {
  constructor(private readonly ctx: BridgeContext) {}

  async send(caller: Caller, chatId: string): Promise<TranscriptSent> {
    const view = await this.ctx.chats.view(caller, chatId); // membership check
    if (!retentionLasts(view.retention)) {
      throw new AppError('FORBIDDEN', 'This chat keeps no record, so its transcript cannot be emailed');
    }
    await this.ctx.limits.transcripts.consume(`${caller.identityId}:${chatId}`, 'transcript emails for this chat');
    const rows = await this.ctx.pool.query<{
      seq: number;
      author_address: string | null;
      kind: 'TEXT' | 'QUOTE' | 'ATTACHMENT';
      body: string;
      created_at: Date;
    }>(
      `SELECT seq, author_address, kind, body, created_at FROM (
         SELECT seq, author_address, kind, body, created_at FROM message
          WHERE chat_id = $1 AND kind IN ('TEXT', 'QUOTE', 'ATTACHMENT') AND deleted_at IS NULL
          ORDER BY seq DESC LIMIT $2) t ORDER BY seq`,
      [chatId, MAX_LINES],
    );
    if (rows.rows.length === 0) throw new AppError('BAD_INPUT', 'There is nothing to send yet');
    const publicUrl = this.ctx.publicUrl();
    const lines: MailLine[] = rows.rows.map((r) =>
      mailLine(
        { seq: r.seq, author: r.author_address ?? 'someone', body: r.body, at: r.created_at, kind: r.kind },
        chatUrl(publicUrl, chatId),
      ),
    );
    const recipients = await this.ctx.pool.query<{ identity_id: string; address: string; email_message_id: string | null }>(
      `SELECT m.identity_id, m.address, c.email_message_id FROM member m JOIN chat c ON c.id = m.chat_id
        WHERE m.chat_id = $1 AND m.identity_id <> $2`,
      [chatId, caller.identityId],
    );
    const senderName = view.members.find((m) => m.identityId === view.me.identityId)?.displayName ?? view.me.address;
    await inTransaction(this.ctx.pool, async (client) => {
      for (const r of recipients.rows) {
        const replyAddress = await createReplyAddress(client, {
          chatId,
          identityId: r.identity_id,
          domain: this.ctx.inboundDomain,
          ttlMs: this.ctx.replyTtlMs,
        });
        // Each recipient's copy in their own language (the lines stay as written).
        const words = await emailWordsFor(client, { identityId: r.identity_id, chatId });
        const root = r.email_message_id ? (r.email_message_id.startsWith('<') ? r.email_message_id : `<${r.email_message_id}>`) : null;
        await queueMail(
          client,
          {
            to: r.address,
            ...transcriptMail(words, {
              subject: view.subject,
              chatId,
              chatUrl: chatUrl(publicUrl, chatId),
              sender: view.me.address,
              lines,
              replyAddress,
            }),
            fromName: words.t('mail.via', { people: senderName }),
            replyTo: replyAddress,
            ...(root ? { inReplyTo: root, references: [root] } : {}),
            headers: { [CHAT_HEADER]: chatId },
          },
          this.ctx.mailDomain,
        );
      }
    });
    this.ctx.runner.wake();
    // Counted as the sender sees the chat: hidden (Bcc) members get their copy but are not counted
    // for anyone else. A hidden sender is named in the email, as when they post: their choice.
    const visibility = await this.ctx.chats.visibility(chatId);
    return { recipients: recipients.rows.filter((r) => sees(visibility, caller.identityId, r.identity_id)).length };
  }
}
