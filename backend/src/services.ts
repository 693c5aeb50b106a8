import type { AccessRequests } from './chats/access-requests.ts';
import type { ChatService } from './chats/chats.ts';
import type { MessageService } from './chats/messages.ts';
import type { DisplayNames } from './identity/display-names.ts';
import type { Caller, Sessions } from './identity/sessions.ts';
import type { Verification } from './identity/verification.ts';
import type { ChatSummary } from '../../protocol/index.ts';
import type { BridgeServices } from './delivery/index.ts';

/** The domain services the adapters (HTTP routes, socket handlers) are thin over. */
export interface Services {
  sessions: Sessions;
  displayNames: DisplayNames;
  verification: Verification;
  chats: ChatService;
  messages: MessageService;
  accessRequests: AccessRequests;
  myChats(caller: Caller): Promise<ChatSummary[]>;
  /** Email bridge: invitations, personal links, receipts, transcript email, availability, addresses. */
  bridge: BridgeServices;
}
