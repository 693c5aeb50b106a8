import type { AccessRequestView, ChatActivity, MessageView, ReactionNotice, ReadNotice } from '../../../protocol/index.ts';

/**
 * What the chat domain announces. The realtime adapter turns these into socket
 * emits; the domain never knows who listens.
 */
export interface ChatEvents {
  messagePosted(message: MessageView): void;
  /** `only`: the change concerns a hidden member, so only these identities hear of it. */
  chatUpdated(chatId: string, only?: string[]): void;
  memberJoined(chatId: string, identityId: string): void;
  memberRemoved(chatId: string, identityId: string): void;
  /** The owner ended the chat (its view changed too). */
  chatEnded(chatId: string): void;
  /**
   * Identities not yet members got into the audience (chat created, address added): "my chats"
   * lists the chat for them from now on. Told to them alone, so a Bcc entry reaches nobody else.
   */
  audienceAdded(chat: ChatActivity, identityIds: string[]): void;
  /** Identities not members left the audience: the chat leaves their "my chats". */
  audienceRemoved(chatId: string, identityIds: string[]): void;
  /** `identityId` is the reader's identity; the adapter names them by handle, to those who may see them. */
  readMoved(notice: ReadNotice): void;
  /** `identityId` is the reacting member's identity; the adapter names them by handle, to those who may see them. */
  reactionChanged(notice: ReactionNotice): void;
  accessRequested(ownerId: string, request: AccessRequestView): void;
  accessDecided(identityId: string, request: AccessRequestView): void;
}

/**
 * The same events, and every removal and every end also told to the listeners added with
 * `onRemoved` / `onEnded`: other domains that hold state of a chat (a call) drop it there,
 * whatever removed the member or ended the chat. Listeners join after the chat domain is
 * built, since they are built on top of it.
 */
export function withChatHooks(events: ChatEvents): {
  events: ChatEvents;
  onRemoved(listener: (chatId: string, identityId: string) => void): void;
  onEnded(listener: (chatId: string) => void): void;
} {
  const listeners: ((chatId: string, identityId: string) => void)[] = [];
  const endListeners: ((chatId: string) => void)[] = [];
  return {
    onRemoved: (listener) => void listeners.push(listener),
    onEnded: (listener) => void endListeners.push(listener),
    events: {
      messagePosted: (m) => events.messagePosted(m),
      chatUpdated: (chatId, only) => events.chatUpdated(chatId, only),
      memberJoined: (chatId, identityId) => events.memberJoined(chatId, identityId),
      memberRemoved: (chatId, identityId) => {
        events.memberRemoved(chatId, identityId);
        for (const l of listeners) l(chatId, identityId);
      },
      chatEnded: (chatId) => {
        events.chatEnded(chatId);
        for (const l of endListeners) l(chatId);
      },
      audienceAdded: (chat, identityIds) => events.audienceAdded(chat, identityIds),
      audienceRemoved: (chatId, identityIds) => events.audienceRemoved(chatId, identityIds),
      readMoved: (n) => events.readMoved(n),
      reactionChanged: (n) => events.reactionChanged(n),
      accessRequested: (ownerId, r) => events.accessRequested(ownerId, r),
      accessDecided: (identityId, r) => events.accessDecided(identityId, r),
    },
  };
}
