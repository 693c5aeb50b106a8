import type pg from 'pg';
import type { ChatService } from '../chats/chats.ts';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/prisma.ts';
import type { Caller, Sessions } from '../identity/sessions.ts';
import type { CodeHasher } from '../identity/tokens.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { RateLimit } from '../ops/rate-limits.ts';
import type { DeliveryView } from '../../../protocol/index.ts';
import { AddressLinks } from './address-links.ts';
import { Availability } from './availability.ts';
import type { BridgeContext } from './context.ts';
import type { EmailBridge } from './index.ts';
import { Invitations } from './invitations.ts';
import { Transcripts } from './transcript.ts';

/** The member-facing side of the email bridge, for the HTTP routes. */
export interface BridgeServices {
  invitations: Invitations;
  availability: Availability;
  transcripts: Transcripts;
  addressLinks: AddressLinks;
  delivery(caller: Caller, chatId: string): Promise<DeliveryView>;
}

export interface BridgeServiceDeps {
  config: Config;
  pool: pg.Pool;
  db: Db;
  mailer: Mailer;
  chats: ChatService;
  sessions: Sessions;
  log: Logger;
  publicUrl: () => string;
  /** Keyed hash for the address-link codes (identity/tokens.ts). */
  hashCode: CodeHasher;
  rateLimit: (name: string, points: number, seconds: number) => RateLimit;
  /** Do-not-disturb changed (presence shows it). */
  availabilityChanged: (identityId: string) => void;
}

/** Invitations, personal links, transcripts, availability, linked addresses and receipts, over the bridge's engine. */
export function createBridgeServices(bridge: EmailBridge, d: BridgeServiceDeps): BridgeServices {
  const b = d.config.bridge;
  const ctx: BridgeContext = {
    pool: d.pool,
    db: d.db,
    chats: d.chats,
    sessions: d.sessions,
    runner: bridge.runner,
    mailer: d.mailer,
    log: d.log,
    publicUrl: d.publicUrl,
    mailDomain: bridge.mailDomain,
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
    availabilityChanged: d.availabilityChanged,
  };
  return {
    invitations: new Invitations(ctx),
    availability: new Availability(ctx),
    transcripts: new Transcripts(ctx),
    addressLinks: new AddressLinks(ctx),
    delivery: async (caller, chatId) => {
      const view = await d.chats.view(caller, chatId); // membership; hides Bcc'd members, names them by handle
      const visible = new Set(view.members.map((m) => m.identityId));
      const all = await bridge.receipts.view(chatId);
      const members = all.members.map((m) => ({ ...m, identityId: d.chats.memberHandle(chatId, m.identityId) }));
      return { chatId, members: members.filter((m) => visible.has(m.identityId)) };
    },
  };
}
