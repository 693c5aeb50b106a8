import type { AccessRequestView, MessageView, ReadNotice } from '../../../protocol/index.ts';

/**
 * What the chat domain announces. The realtime adapter turns these into socket
 * emits; the domain never knows who listens.
 */
export interface ChatEvents {
  messagePosted(message: MessageView): void;
  chatUpdated(chatId: string): void;
  memberJoined(chatId: string, identityId: string): void;
  memberRemoved(chatId: string, identityId: string): void;
  readMoved(notice: ReadNotice): void;
  accessRequested(ownerId: string, request: AccessRequestView): void;
  accessDecided(identityId: string, request: AccessRequestView): void;
}

export const silentEvents: ChatEvents = {
  messagePosted() {},
  chatUpdated() {},
  memberJoined() {},
  memberRemoved() {},
  readMoved() {},
  accessRequested() {},
  accessDecided() {},
};
