import type pg from 'pg';
import type { ChatService } from '../chats/chats.ts';
import type { Db } from '../db/prisma.ts';
import type { Sessions } from '../identity/sessions.ts';
import type { CodeHasher } from '../identity/tokens.ts';
import type { JobRunner } from '../jobs/runner.ts';
import type { Logger } from '../log.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { RateLimit } from '../ops/rate-limits.ts';

/** What the email bridge's member-facing services need, handed in by the composition root. */
export interface BridgeContext {
  pool: pg.Pool;
  db: Db;
  chats: ChatService;
  sessions: Sessions;
  runner: JobRunner;
  /** Direct sends, for mail holding a live code: a queued job would keep the code in its payload. */
  mailer: Mailer;
  log: Logger;
  publicUrl: () => string;
  mailDomain: string;
  inboundDomain: string;
  inviteTtlMs: number;
  notifyLinkTtlMs: number;
  replyTtlMs: number;
  codeTtlMs: number;
  codeMaxAttempts: number;
  hashCode: CodeHasher;
  limits: { invites: RateLimit; transcripts: RateLimit; addressCodes: RateLimit };
  /** Do-not-disturb changed: it shows in presence (backend/src/presence). */
  availabilityChanged: (identityId: string) => void;
}
