import type pg from 'pg';
import type { Db } from '../db/prisma.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Logger } from '../log.ts';
import type { ChatEvents } from './events.ts';
import type { MessageLogs } from './message-log.ts';
import type { MemberHandles } from './handles.ts';
import type { MessageView, TranslationView } from '../../../protocol/index.ts';

/** What the chat domain asks of message translation (backend/src/translation). */
export interface ReaderTranslations {
  readonly enabled: boolean;
  /** Messages as one reader gets them in history: with their stored translation into the reader's language. */
  forReader(chatId: string, identityId: string, messages: MessageView[]): Promise<(MessageView & { translation?: TranslationView })[]>;
}

/** What the chat domain needs from the outside world, handed in by the composition root. */
export interface ChatContext {
  db: Db;
  pool: pg.Pool;
  /** Where each chat's messages are kept (chosen by its retention there, and only there). */
  logs: MessageLogs;
  events: ChatEvents;
  mailer: Mailer;
  log: Logger;
  /** Per-chat member handles: what views and events name members by. */
  handles: MemberHandles;
  translations: ReaderTranslations;
  limits: { maxMessageChars: number; maxAudience: number };
  publicUrl: () => string;
  /** A member was handed messages up to `topSeq` (history or a join's catch-up): delivery receipts. */
  onHistoryServed?: (chatId: string, identityId: string, topSeq: number) => void;
  /** A message with an attachment became a tombstone (its body as it was): the media domain lets go of its objects. */
  onAttachmentDeleted?: (message: MessageView) => Promise<void>;
  /** A member joined (accepted) a chat: contacts and presence follow (backend/src/presence). */
  onMemberJoined?: (chatId: string, identityId: string) => Promise<void>;
  /** Of these addresses, those whose owner blocked the actor: they cannot be brought into the actor's chats (backend/src/presence). */
  addressesBlocking: (actorId: string, addresses: string[]) => Promise<Set<string>>;
}
