/**
 * The contract between the shared chat panel and whatever carries its traffic.
 * The web page and the Outlook panes use a Socket.IO transport directly; the Thunderbird
 * message pane cannot open sockets, so its transport relays through the background page.
 * The panel only ever talks to this interface.
 */
import type {
  CallJoined,
  CallMedia,
  CallSignal,
  ChatSummary,
  HistoryPage,
  JoinResult,
  MessageReactions,
  MessageView,
  ServerToClientEvents,
} from '../../protocol/index.ts';

/** `refused`: the server turned the connection away (too many open for this account or address). */
export type ConnectionStatus = 'connecting' | 'online' | 'offline' | 'unauthorized' | 'refused';

/**
 * The server's events the panel listens to, exactly as the protocol types them, plus the
 * connection state. A transport that cannot carry `delivery` simply never emits it; the
 * panel then shows the receipts it loaded over REST.
 */
export type TransportEvents = Pick<
  ServerToClientEvents,
  | 'message'
  | 'message:translated'
  | 'typing'
  | 'read'
  | 'reaction'
  | 'chat:updated'
  | 'chats:activity'
  | 'access:decided'
  | 'access:requested'
  | 'delivery'
  | 'call:ring'
  | 'call:updated'
  | 'call:signal'
  | 'presence'
  | 'capabilities:changed'
> & {
  /** Connection state changes; after going 'online' again, the panel re-joins with its last seq. */
  status: (s: ConnectionStatus) => void;
};

/** Call signalling (docs/calls.md); each rejects with a TransportError. */
export interface CallTransport {
  start(chatId: string, media: CallMedia): Promise<CallJoined>;
  accept(chatId: string, callId: string): Promise<CallJoined>;
  decline(chatId: string, callId: string): Promise<void>;
  leave(chatId: string, callId: string): Promise<void>;
  signal(chatId: string, callId: string, to: string, signal: CallSignal): Promise<void>;
}

export interface ChatTransport {
  /**
   * Present where this client can hold a call itself. The Thunderbird message pane may not
   * use camera and microphone, so its transport has none and the panel links to the web page.
   */
  readonly calls?: CallTransport;
  readonly status: ConnectionStatus;
  /** `reactionsFrom`: the oldest seq the panel shows, so the answer refreshes their reactions (JoinResult.reactions). */
  join(chatId: string, lastSeq: number, reactionsFrom?: number): Promise<JoinResult>;
  leave(chatId: string): Promise<void>;
  /** Resolves with the committed message; rejects with a TransportError. Safe to retry with the same clientId. */
  send(chatId: string, clientId: string, body: string, mentions?: string[]): Promise<MessageView>;
  deleteMessage(chatId: string, seq: number): Promise<MessageView>;
  /** Replaces the text of one of my messages; resolves with the EDIT event (refused in ephemeral and ended chats). */
  editMessage(chatId: string, seq: number, body: string): Promise<MessageView>;
  /** Adds (`on`) or takes back my reaction; resolves with the message's reactions as I see them. */
  react(chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions>;
  typing(chatId: string, typing: boolean): void;
  markRead(chatId: string, seq: number): Promise<number>;
  watchChats(): Promise<ChatSummary[]>;
  /**
   * Optional keyset paging of the transcript, for transports that can relay it (Thunderbird).
   * The panel prefers ApiClient.history when it has one.
   */
  history?(chatId: string, query: { before?: number; after?: number; limit?: number }): Promise<HistoryPage>;
  on<E extends keyof TransportEvents>(event: E, handler: TransportEvents[E]): () => void;
  close(): void;
}

export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
