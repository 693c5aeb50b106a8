import type { Services } from '../../services.ts';
import type { RouteHandlers } from './index.ts';

type ChatRoutes =
  | 'listChats'
  | 'search'
  | 'createChat'
  | 'chat'
  | 'openChat'
  | 'endChat'
  | 'replaceAudience'
  | 'addToAudience'
  | 'updateMySettings'
  | 'history'
  | 'sendMessage'
  | 'deleteMessage'
  | 'editMessage'
  | 'messageRevisions'
  | 'react'
  | 'markRead'
  | 'sendAttachment'
  | 'mediaLink'
  | 'requestAccess'
  | 'accessRequests'
  | 'myAccessRequest'
  | 'decideAccess';

/** REST over the chat domain. Every route authenticates (the table says so); the domain checks membership. */
export function chatHandlers(s: Services): Pick<RouteHandlers, ChatRoutes> {
  return {
    listChats: async (_input, { caller }) => ({ chats: await s.myChats(caller) }),
    search: async ({ query }, { caller }) => ({ hits: await s.search(caller, query.q) }),
    createChat: ({ body }, { caller }) => s.chats.create(caller, body),
    chat: ({ params }, { caller }) => s.chats.view(caller, params.chatId),
    openChat: ({ params }, { caller }) => s.chats.open(caller, params.chatId),
    endChat: ({ params }, { caller }) => s.chats.end(caller, params.chatId),
    replaceAudience: ({ params, body }, { caller }) => s.chats.replaceAudience(caller, params.chatId, body.audience),
    addToAudience: ({ params, body }, { caller }) => s.chats.addToAudience(caller, params.chatId, body.address),
    updateMySettings: ({ params, body }, { caller }) => s.chats.updateMySettings(caller, params.chatId, body),
    history: ({ params, query }, { caller }) => s.messages.history(caller, params.chatId, query),
    sendMessage: ({ params, body }, { caller }) => s.messages.send(caller, params.chatId, body.clientId, body.body, body.mentions),
    deleteMessage: ({ params }, { caller }) => s.messages.delete(caller, params.chatId, params.seq),
    editMessage: ({ params, body }, { caller }) => s.messages.edit(caller, params.chatId, params.seq, body.body),
    react: ({ params, body }, { caller }) => s.messages.react(caller, params.chatId, params.seq, body.emoji, body.on),
    messageRevisions: async ({ params }, { caller }) => ({ revisions: await s.messages.revisions(caller, params.chatId, params.seq) }),
    markRead: async ({ params, body }, { caller }) => ({ lastReadSeq: await s.messages.markRead(caller, params.chatId, body.seq) }),
    sendAttachment: ({ params, body }, { caller }) => s.media.postAttachment(caller, params.chatId, body),
    mediaLink: ({ params }, { caller }) => s.media.link(caller, params.chatId, params.mediaId),
    requestAccess: ({ params, body }, { caller }) => s.accessRequests.request(caller, params.chatId, body.note),
    accessRequests: async ({ params }, { caller }) => ({ requests: await s.accessRequests.pending(caller, params.chatId) }),
    myAccessRequest: async ({ params }, { caller }) => ({ request: await s.accessRequests.mine(caller, params.chatId) }),
    decideAccess: ({ params, body }, { caller }) => s.accessRequests.decide(caller, params.chatId, params.requestId, body.decision),
  };
}
