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
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

/** Outbound mail over SMTP (SMTP_URL, or the embedded catcher's loopback address). */
export function createMailer(smtpUrl: string, from: string, log: Logger): Mailer {
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      const info = await transport.sendMail({ from, ...mail });
      log.debug({ to: mail.to, subject: mail.subject, messageId: info.messageId }, 'mail sent');
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}
