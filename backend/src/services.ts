import type { CallService } from './calls/calls.ts';
import type { AlertSettings } from './alerts/alert-settings.ts';
import type { AccessRequests } from './chats/access-requests.ts';
import type { ChatService } from './chats/chats.ts';
import type { MessageService } from './chats/messages.ts';
import type { DisplayNames } from './identity/display-names.ts';
import type { Caller, Sessions } from './identity/sessions.ts';
import type { Verification } from './identity/verification.ts';
import type { IdentityLanguage } from './identity/language.ts';
import type { ChatSummary, SearchHit } from '../../protocol/index.ts';
import type { BridgeServices } from './email-bridge/services.ts';
import type { MediaService } from './media/media.ts';
import type { PresenceService } from './presence/service.ts';

/** The domain services the adapters (HTTP routes, socket handlers) are thin over. */
export interface Services {
  sessions: Sessions;
  displayNames: DisplayNames;
  verification: Verification;
  /** My own reading language (message translation). */
  language: IdentityLanguage;
  chats: ChatService;
  messages: MessageService;
  accessRequests: AccessRequests;
  myChats(caller: Caller): Promise<ChatSummary[]>;
  /** Subjects, people and messages of my chats (chats/search.ts). */
  search(caller: Caller, query: string): Promise<SearchHit[]>;
  /** Email bridge: invitations, personal links, receipts, transcript email, availability, addresses. */
  bridge: BridgeServices;
  /** Live calls: signalling, ringing and their history lines (docs/calls.md). */
  calls: CallService;
  /** How each person's devices alert them (settings only; the devices make the noise). */
  alerts: AlertSettings;
  /** Files, images and video messages: uploads, attachments, downloads. */
  media: MediaService;
  /** Presence with privacy, contacts and blocked addresses. */
  presence: PresenceService;
}
