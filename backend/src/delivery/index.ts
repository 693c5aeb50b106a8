import type pg from 'pg';
import type { ChatService } from '../chats/chats.ts';
import type { MessageService } from '../chats/messages.ts';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/prisma.ts';
import type { Caller, Sessions } from '../identity/sessions.ts';
import type { CodeHasher } from '../identity/tokens.ts';
import { JobRunner } from '../jobs/runner.ts';
import type { Logger } from '../log.ts';
import { InboundMail } from '../mail/inbound/listener.ts';
import { dnsResolver, type DNSResolver } from '../mail/inbound/authenticate.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { RateLimit } from '../ops/rate-limits.ts';
import { rooms, type IoServer, type SocketFanout } from '../realtime/events.ts';
import { visibilityEvent, type DeliveryView, type MessageView } from '../../../protocol/index.ts';
import { publicError } from '../errors.ts';
import { parseInput } from '../validate.ts';
import { AddressLinks } from './address-links.ts';
import { Availability } from './availability.ts';
import type { BridgeContext } from './context.ts';
import { Invitations } from './invitations.ts';
import { EmailNotifier } from './notifier.ts';
import { registerMailQueue } from './outbound.ts';
import { Presence } from './presence.ts';
import { DeliveryTracker } from './receipts.ts';
import { Transcripts } from './transcript.ts';

/** The member-facing side of the email bridge, for the HTTP routes. */
export interface BridgeServices {
  invitations: Invitations;
  availability: Availability;
  transcripts: Transcripts;
  addressLinks: AddressLinks;
  delivery(caller: Caller, chatId: string): Promise<DeliveryView>;
}

export interface BridgeDeps {
  config: Config;
  pool: pg.Pool;
  db: Db;
  mailer: Mailer;
  /** The chat domain, read lazily: it is composed after the bridge (the writer feeds both). */
  domain: () => { chats: ChatService; messages: MessageService };
  sessions: Sessions;
  log: Logger;
  publicUrl: () => string;
  /** Keyed hash for the address-link codes (identity/tokens.ts). */
  hashCode: CodeHasher;
  rateLimit: (name: string, points: number, seconds: number) => RateLimit;
  /** Do-not-disturb changed (presence shows it). */
  availabilityChanged?: (identityId: string) => void;
  /** Tests inject fake DNS here; otherwise INBOUND_DNS_SERVERS or the system resolver. */
  dnsResolver?: DNSResolver;
}

/**
 * The email bridge, composed: durable jobs, presence, batching notifier, receipts and the
 * inbound SMTP listener. The composition root feeds it committed messages and the socket
 * server, starts it after the database is migrated and stops it before the database closes.
 */
export class EmailBridge {
  readonly runner: JobRunner;
  readonly presence: Presence;
  readonly notifier: EmailNotifier;
  readonly receipts: DeliveryTracker;
  readonly inbound: InboundMail | null;
  readonly services: BridgeServices;

  constructor(private readonly d: BridgeDeps) {
    const b = d.config.bridge;
    const log = d.log;
    const mailDomain = /@([^>\s]+)>?\s*$/.exec(d.config.mailFrom)?.[1] ?? 'inbox-chat.localhost';
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
        mailDomain,
        publicUrl: d.publicUrl,
      },
      (chatId, identityId) => void this.receipts.emailed(chatId, identityId).catch(() => {}),
    );
    this.inbound = b.inboundEnabled
      ? new InboundMail(d.pool, { send: (...args) => d.domain().messages.send(...args) }, log.child({ component: 'inbound-mail' }), {
          port: b.inboundPort,
          host: b.inboundHost,
          domain: b.inboundDomain,
          maxBytes: b.inboundMaxBytes,
          maxMessageChars: d.config.maxMessageChars,
          authFailure: b.inboundAuthFailure,
          resolver: d.dnsResolver ?? dnsResolver(b.inboundDnsServers),
          loopbackAuth: b.inboundLoopbackAuth,
        })
      : null;
    const ctx: BridgeContext = {
      pool: d.pool,
      db: d.db,
      get chats() {
        return d.domain().chats;
      },
      sessions: d.sessions,
      runner: this.runner,
      mailer: d.mailer,
      log,
      publicUrl: d.publicUrl,
      mailDomain,
      inboundDomain: b.inboundDomain,
      inviteTtlMs: b.inviteTtlMs,
      notifyLinkTtlMs: b.linkTtlMs,
      replyTtlMs: b.replyTtlMs,
      codeTtlMs: d.config.codeTtlMs,
      codeMaxAttempts: d.config.codeMaxAttempts,
      hashCode: d.hashCode,
      limits: {
        invites: d.rateLimit('invites', b.invitesPerHour, 3600),
        transcripts: d.rateLimit('transcripts', b.transcriptsPerHour, 3600),
        addressCodes: d.rateLimit('address-codes', d.config.codesPerAddressPerHour, 3600),
      },
      availabilityChanged: (identityId) => d.availabilityChanged?.(identityId),
    };
    this.services = {
      invitations: new Invitations(ctx),
      availability: new Availability(ctx),
      transcripts: new Transcripts(ctx),
      addressLinks: new AddressLinks(ctx),
      delivery: async (caller, chatId) => {
        const { chats } = d.domain();
        const view = await chats.view(caller, chatId); // membership; hides Bcc'd members, names them by handle
        const visible = new Set(view.members.map((m) => m.identityId));
        const all = await this.receipts.view(chatId);
        const members = all.members.map((m) => ({ ...m, identityId: chats.memberHandle(chatId, m.identityId) }));
        return { chatId, members: members.filter((m) => visible.has(m.identityId)) };
      },
    };
  }

  /** Every committed batch of archived messages (called from the message writer's commit callback). */
  messagesCommitted(messages: MessageView[]): void {
    this.notifier.messagesCommitted(messages);
    this.receipts.messagesCommitted(messages);
  }

  /** Presence from socket connections, and receipts out through the chat rooms. */
  attachRealtime(io: IoServer, fanout: SocketFanout): void {
    io.on('connection', (socket) => {
      const identityId = socket.data.identityId;
      if (!identityId) return;
      this.presence.connected(socket.id, identityId);
      socket.on('disconnect', () => this.presence.disconnected(socket.id));
      // Only memory changes here; presence coalesces its writes, so a flapping client costs nothing more.
      socket.on('presence:visibility', (payload, ack) => {
        const reply = typeof ack === 'function' ? ack : () => {};
        try {
          const { visible } = parseInput(visibilityEvent, payload);
          this.presence.visibility(socket.id, visible);
          reply({ ok: true });
        } catch (err) {
          const e = publicError(err);
          reply({ ok: false, error: { code: e.code, message: e.message } });
        }
      });
    });
    this.receipts.attach({
      identitiesInChat: async (chatId) => (await io.in(rooms.chat(chatId)).fetchSockets()).map((s) => s.data.identityId),
      emit: (notices) => void fanout.delivery(notices).catch((err) => this.d.log.warn({ err }, 'delivery notices not sent')),
    });
  }

  async start(): Promise<void> {
    this.presence.start();
    this.runner.start();
    if (!this.inbound) return;
    try {
      await this.inbound.listen();
    } catch (err) {
      if (this.d.config.bridge.inboundPortExplicit) throw err;
      this.d.log.warn(
        { err, port: this.d.config.bridge.inboundPort },
        'reply-by-email is off: the default inbound SMTP port is taken; set INBOUND_SMTP_PORT',
      );
    }
  }

  /** Stops taking mail, lets replies being posted and jobs being run finish, then forgets this node's sockets. */
  async stop(): Promise<void> {
    await this.inbound?.close();
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
