import { randomUUID } from 'node:crypto';
import type { Mailer, OutgoingMail } from '../mail/mailer.ts';
import { enqueue, type Sql } from '../jobs/queue.ts';
import { GiveUp, type JobRunner } from '../jobs/runner.ts';

export const MAIL_QUEUE = 'mail.send';

/**
 * Marks a notification email in its job: whose and which chat's it is, and the first message
 * it carries, so a later notification can take over an email still unsent (SMTP outage)
 * instead of queueing a second one behind it.
 */
export interface NotifyTag {
  chatId: string;
  identityId: string;
  fromSeq: number;
}

/** A mail job's payload: the email, and for notifications their tag (never sent). */
export type QueuedMail = OutgoingMail & { notify?: NotifyTag };

/**
 * Outbound mail goes through a durable job: queued in the same transaction as the state it
 * reports (e.g. "emailed up to seq N"), retried with backoff while SMTP is down. The
 * Message-ID is fixed at enqueue, so even the rare re-run after a crash mid-send is the
 * same email (mail clients and MTAs drop the duplicate).
 */
export async function queueMail(sql: Sql, mail: OutgoingMail, domain: string, notify?: NotifyTag): Promise<string> {
  const messageId = mail.messageId ?? `<${randomUUID()}@${domain}>`;
  const payload: QueuedMail = { ...mail, messageId, ...(notify ? { notify } : {}) };
  await enqueue(sql, MAIL_QUEUE, payload);
  return messageId;
}

export function registerMailQueue(runner: JobRunner, mailer: Mailer): void {
  runner.register(
    MAIL_QUEUE,
    async ({ notify: _tag, ...mail }: QueuedMail) => {
      try {
        await mailer.send(mail);
      } catch (err) {
        // 5xx from the SMTP server is final (unknown recipient, policy); anything else is retried.
        const code = (err as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) throw new GiveUp(`refused by the SMTP server: ${(err as Error).message}`);
        throw err;
      }
    },
    { scrub: (mail: OutgoingMail) => ({ to: mail.to, subject: mail.subject, messageId: mail.messageId }) },
  );
}
