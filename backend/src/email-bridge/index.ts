import type pg from 'pg';
import type { Config } from '../config/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { MessageView } from '../../../protocol/index.ts';
import { EmailNotifier, type NotifierOptions } from './notifier.ts';
import { registerMailQueue } from './outbound.ts';
import { Presence } from './presence.ts';
import { DeliveryTracker } from './receipts.ts';

export interface BridgeDeps {
  config: Config;
  pool: pg.Pool;
  mailer: Mailer;
  log: Logger;
  publicUrl: () => string;
  /** Message translation for emails (the member's reading language above the original). */
  translate?: NotifierOptions['translate'];
  /** A video message's poster for the email, from the media store. */
  posterImage?: NotifierOptions['posterImage'];
}

/**
 * The email bridge's engine: durable jobs, presence, the batching notifier and receipts. It
 * needs no chat domain, so the composition root builds it first and the message writer can
 * feed it committed messages from the start; the member-facing services (services.ts) are made
 * over it once the chat domain exists, and the adapters (socket server, inbound SMTP) are
 * attached to it by the composition root. Started after the database is migrated, stopped
 * before it closes.
 */
export class EmailBridge {
  readonly runner: JobRunner;
  readonly presence: Presence;
  readonly notifier: EmailNotifier;
  readonly receipts: DeliveryTracker;
  /** The host part of MAIL_FROM: Message-IDs and threading headers are made under it. */
  readonly mailDomain: string;

  constructor(d: BridgeDeps) {
    const b = d.config.bridge;
    const log = d.log;
    this.mailDomain = /@([^>\s]+)>?\s*$/.exec(d.config.mailFrom)?.[1] ?? 'inbox-chat.localhost';
    this.runner = new JobRunner(d.pool, log.child({ component: 'jobs' }), b.jobs);
    registerMailQueue(this.runner, d.mailer);
    this.presence = new Presence(d.pool, this.runner.nodeId, log.child({ component: 'presence' }), b.presenceHeartbeatMs);
    this.receipts = new DeliveryTracker(d.pool, log.child({ component: 'receipts' }));
    this.notifier = new EmailNotifier(
      d.pool,
      this.presence,
      this.runner,
      log.child({ component: 'notifier' }),
      {
        batchWindowMs: b.batchWindowMs,
        offlineDelayMs: b.offlineDelayMs,
        historyCount: b.historyMessages,
        replyTtlMs: b.replyTtlMs,
        linkTtlMs: b.linkTtlMs,
        inboundDomain: b.inboundDomain,
        mailDomain: this.mailDomain,
        publicUrl: d.publicUrl,
        translate: d.translate,
        posterImage: d.posterImage,
      },
      (chatId, identityId) => void this.receipts.emailed(chatId, identityId).catch(() => {}),
    );
  }

  /** Every committed batch of archived messages (called from the message writer's commit callback). */
  messagesCommitted(messages: MessageView[]): void {
    this.notifier.messagesCommitted(messages);
    this.receipts.messagesCommitted(messages);
  }

  start(): void {
    this.presence.start();
    this.runner.start();
  }

  /** Lets notifications being decided and jobs being run finish, then forgets this node's sockets. */
  async stop(): Promise<void> {
    this.receipts.stop();
    await this.notifier.drain();
    await this.runner.stop();
    await this.presence.stop();
  }

  /**
   * A device that was handed messages (join catch-up or history) has them: that is "delivered".
   * MessageService.catchUp goes through history, so this covers both.
   */
  historyServed(chatId: string, identityId: string, topSeq: number): void {
    void this.receipts.delivered(chatId, [identityId], topSeq).catch(() => {});
  }
}
