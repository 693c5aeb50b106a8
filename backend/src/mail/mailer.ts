import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from '../log.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
  inReplyTo?: string;
  references?: string[];
  /** Fixed by the outbound mail job, so a retried send is recognisably the same email. */
  messageId?: string;
  replyTo?: string;
  /** Overrides MAIL_FROM's display name, e.g. "Alice via Inbox Chat". */
  fromName?: string;
  /** Images the HTML shows as `cid:<cid>` (a video message's poster), base64 so a queued job stays JSON. */
  inline?: { cid: string; contentType: string; base64: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/**
 * Outbound mail over SMTP (SMTP_URL, or the embedded catcher's loopback address). `counted` hears
 * each hand-over's outcome (the inbox_chat_mail_sent_total metric): every email the server sends
 * goes through here, codes sent directly and queued mail jobs alike.
 */
export function createMailer(smtpUrl: string, from: string, log: Logger, counted: (outcome: 'sent' | 'failed') => void = () => {}): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      const { fromName, inline, ...rest } = mail;
      const attachments = inline?.map((i) => ({
        cid: i.cid,
        content: i.base64,
        encoding: 'base64',
        contentType: i.contentType,
        contentDisposition: 'inline' as const,
        filename: `${i.cid.split('@')[0]}.${i.contentType === 'image/png' ? 'png' : 'jpg'}`,
      }));
      const envelope = { from: fromName ? withDisplayName(from, fromName) : from, ...rest, ...(attachments ? { attachments } : {}) };
      const info = await transport.sendMail(envelope).catch((err: unknown) => {
        counted('failed');
        throw err;
      });
      counted('sent');
      // No subject or body: a sign-in email's subject carries its code, and others carry chat text.
      log.debug({ to: mail.to, messageId: info.messageId }, 'mail sent');
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}

/** MAIL_FROM's address under another display name (nodemailer quotes the name). */
function withDisplayName(from: string, name: string): { name: string; address: string } {
  const address = /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();
  return { name, address };
}
