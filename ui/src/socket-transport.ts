/**
 * ChatTransport over Socket.IO: used by the web page and the Outlook panes (Thunderbird relays
 * through its background page instead). Websocket first, reconnects with backoff forever
 * unless the server says the session is no good.
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ChatSummary,
  ClientCapabilities,
  ClientToServerEvents,
  JoinResult,
  MessageReactions,
  MessageView,
  ServerToClientEvents,
} from '../../protocol/index.ts';
import { TransportError, type CallTransport, type ChatTransport } from './transport.ts';
import { TransportEventHub } from './transport-events.ts';
import { ChatListSource } from './chat-list-source.ts';

export interface SocketTransportOptions {
  /** Server origin; '' or undefined means the page's own origin. */
  url?: string;
  getToken: () => string | null | undefined;
  /**
   * How long one request waits for its acknowledgement. Past it, the connection is presumed
   * dead (a silent network drop sends no close) and is replaced with a fresh one; the server
   * answers even its failures (UNAVAILABLE) well within this.
   */
  ackTimeoutMs?: number;
  /**
   * Whether a person can see this client now; default: the page's own visibility. Thunderbird's
   * background page passes "some relayed view is visible" and calls reportVisibility() on change.
   */
  visible?: () => boolean;
  /**
   * The client's own language, sent with every join: it becomes the person's reading language
   * until they choose one. Outlook passes its display language, Thunderbird its UI language; without
   * one, the browser's (navigator.language).
   */
  language?: () => string | undefined;
  /**
   * What this client can do (camera, formats, notifications; ui/src/capabilities.ts), reported on
   * every connect so senders can record in a format it plays. A function, so a front end can load
   * the detection on demand and keep it out of its first bundle.
   */
  capabilities?: () => Promise<ClientCapabilities>;
}

/** After the server refused the connection for its cap, wait this long before trying again. */
export const REFUSED_RETRY_MS = 60_000;

type TypedSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The socket with an ack deadline: its emitWithAck is typed by the protocol's ack for each event. */
type TimedSocket = ReturnType<TypedSocket['timeout']>;

export class SocketTransport extends TransportEventHub implements ChatTransport {
  private readonly socket: TypedSocket;
  private readonly ackTimeoutMs: number;
  private closed = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly visible: () => boolean;
  private readonly language: () => string | undefined;
  /** One `chats:watch` answer for every reader of "My chats" on this connection (list, alerts). */
  private readonly chatList = new ChatListSource(async () => (await this.request((s) => s.emitWithAck('chats:watch', {}))).chats);

  constructor(opts: SocketTransportOptions & { refusedRetryMs?: number }) {
    super();
    this.visible = opts.visible ?? (() => typeof document === 'undefined' || document.visibilityState === 'visible');
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 5_000;
    this.language = () => opts.language?.() || (typeof navigator === 'undefined' ? undefined : navigator.language);
    const refusedRetryMs = opts.refusedRetryMs ?? REFUSED_RETRY_MS;
    const auth = (cb: (data: object) => void) => cb({ token: opts.getToken() ?? '' });
    const options = {
      transports: ['websocket', 'polling'],
      auth,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      randomizationFactor: 0.5,
    };
    this.socket = opts.url ? io(opts.url, options) : io(options);

    this.socket.on('connect', () => {
      this.reportVisibility();
      if (opts.capabilities) this.reportCapabilities(opts.capabilities);
      this.setStatus('online');
    });
    // Only a visible page counts as someone looking (the server emails what is not read otherwise).
    if (!opts.visible && typeof document !== 'undefined') document.addEventListener('visibilitychange', this.reportVisibility);
    this.socket.on('disconnect', (reason) => {
      // Events may be missed until the next connection, which must also subscribe again (chats:watch);
      // a read waiting for that connection is answered on it, so it stays shareable.
      this.chatList.changed();
      if (this.closed || this.current === 'unauthorized') return;
      this.setStatus('offline');
      // A server-side disconnect stops the client's own retries; resume them unless we were signed out.
      if (reason === 'io server disconnect') setTimeout(() => this.closed || this.socket.connect(), 1_000);
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (err.data?.code === 'UNAUTHENTICATED') {
        this.socket.disconnect();
        this.setStatus('unauthorized');
      } else if (err.data?.code === 'TOO_MANY_CONNECTIONS') {
        // Retrying at once would only be refused again: say why, and try again much later.
        this.socket.disconnect();
        this.setStatus('refused');
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          if (!this.closed) this.socket.connect();
        }, refusedRetryMs);
      } else {
        if (this.current !== 'offline') this.setStatus('offline');
        // A refusal by the server itself (e.g. UNAVAILABLE while its database is down) ends
        // socket.io's own retries, unlike a network error: try again shortly, jittered so a
        // recovering server is not met by every client at once.
        if (!this.socket.active) this.retrySoon();
      }
    });
    this.socket.on('server:closing', ({ reason }) => {
      if (reason === 'signed out') {
        this.setStatus('unauthorized');
        this.socket.disconnect();
      }
    });
    // Each server event the panels hear, typed end to end by the protocol's ServerToClientEvents.
    this.socket.on('message', (m) => this.emitEvent('message', m));
    this.socket.on('message:translated', (t) => this.emitEvent('message:translated', t));
    this.socket.on('typing', (t) => this.emitEvent('typing', t));
    this.socket.on('reaction', (r) => this.emitEvent('reaction', r));
    // What changes my chat list: the list is fetched again before its readers hear of it.
    this.socket.on('read', (r) => {
      this.chatList.changed();
      this.emitEvent('read', r);
    });
    this.socket.on('chat:updated', (c) => {
      this.chatList.changed();
      this.emitEvent('chat:updated', c);
    });
    this.socket.on('chats:activity', (a) => {
      this.chatList.changed();
      this.emitEvent('chats:activity', a);
    });
    this.socket.on('access:decided', (r) => this.emitEvent('access:decided', r));
    this.socket.on('access:requested', (r) => this.emitEvent('access:requested', r));
    this.socket.on('delivery', (d) => this.emitEvent('delivery', d));
    this.socket.on('call:ring', (r) => this.emitEvent('call:ring', r));
    this.socket.on('call:updated', (c) => this.emitEvent('call:updated', c));
    this.socket.on('call:signal', (c) => this.emitEvent('call:signal', c));
    this.socket.on('presence', (p) => this.emitEvent('presence', p));
    this.socket.on('capabilities:changed', (c) => this.emitEvent('capabilities:changed', c));
  }

  readonly calls: CallTransport = {
    start: (chatId, media) => this.request((s) => s.emitWithAck('call:start', { chatId, media })),
    accept: (chatId, callId) => this.request((s) => s.emitWithAck('call:accept', { chatId, callId })),
    decline: async (chatId, callId) => void (await this.request((s) => s.emitWithAck('call:decline', { chatId, callId }))),
    leave: async (chatId, callId) => void (await this.request((s) => s.emitWithAck('call:leave', { chatId, callId }))),
    signal: async (chatId, callId, to, signal) =>
      void (await this.request((s) => s.emitWithAck('call:signal', { chatId, callId, to, signal }))),
  };

  async join(chatId: string, lastSeq: number, reactionsFrom?: number): Promise<JoinResult> {
    const language = clientLanguage(this.language());
    const r = await this.request((s) => s.emitWithAck('chat:join', { chatId, lastSeq, reactionsFrom, ...(language ? { language } : {}) }));
    return { chat: r.chat, missed: r.missed, hasMore: r.hasMore, reactions: r.reactions, call: r.call ?? null };
  }

  async leave(chatId: string): Promise<void> {
    if (this.socket.connected) this.socket.emit('chat:leave', { chatId });
  }

  async send(chatId: string, clientId: string, body: string, mentions: string[] = []): Promise<MessageView> {
    const sent = (await this.request((s) => s.emitWithAck('message:send', { chatId, clientId, body, mentions }))).message;
    this.chatList.changed();
    return sent;
  }

  async deleteMessage(chatId: string, seq: number): Promise<MessageView> {
    return (await this.request((s) => s.emitWithAck('message:delete', { chatId, seq }))).message;
  }

  async editMessage(chatId: string, seq: number, body: string): Promise<MessageView> {
    return (await this.request((s) => s.emitWithAck('message:edit', { chatId, seq, body }))).message;
  }

  async react(chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions> {
    const r = await this.request((s) => s.emitWithAck('message:react', { chatId, seq, emoji, on }));
    return { seq: r.seq, reactions: r.reactions };
  }

  typing(chatId: string, typing: boolean): void {
    // Typing is a hint: drop it when offline rather than replaying stale state later.
    if (this.socket.connected) this.socket.volatile.emit('typing', { chatId, typing });
  }

  async markRead(chatId: string, seq: number): Promise<number> {
    const lastReadSeq = (await this.request((s) => s.emitWithAck('read', { chatId, seq }))).lastReadSeq;
    this.chatList.changed();
    return lastReadSeq;
  }

  /** "My chats" (and live `chats:activity` for them); readers close together share one request. */
  watchChats(): Promise<ChatSummary[]> {
    return this.chatList.read();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.reportVisibility);
    this.socket.close();
  }

  /** Reconnects after the caller fixed what made the server refuse (e.g. signed in again). */
  reconnect(): void {
    this.closed = false;
    this.setStatus('connecting');
    this.socket.connect();
  }

  private retrySoon(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = undefined;
        if (!this.closed && this.current !== 'unauthorized' && !this.socket.connected) this.socket.connect();
      },
      1_000 + Math.random() * 1_000,
    );
  }

  /** Drops the current connection and opens a new one (the panel re-joins and resends once online). */
  private replaceConnection(): void {
    if (this.closed || this.current === 'unauthorized' || !this.socket.connected) return;
    this.socket.disconnect();
    this.setStatus('offline');
    this.socket.connect();
  }

  /**
   * Tells the server whether a person can see this client (sent on every connect and change).
   * A client without a page (no document) has nothing to hide, so by default it reports visible.
   */
  readonly reportVisibility = (): void => {
    if (this.socket?.connected) this.socket.emit('presence:visibility', { visible: this.visible() });
  };

  /** Fire and forget: a report that fails to arrive is made again on the next connect. */
  private reportCapabilities(detect: () => Promise<ClientCapabilities>): void {
    detect().then(
      (caps) => {
        if (this.socket.connected) this.socket.emit('capabilities', caps);
      },
      () => {}, // nothing to report: senders treat this client as unknown
    );
  }

  /**
   * Waits for a connection rather than letting socket.io buffer the packet: a buffered request
   * would be replayed after its caller already gave up and retried.
   */
  private async request<T extends object>(emit: (timed: TimedSocket) => Promise<Ack<T>>): Promise<T> {
    if (this.closed) throw new TransportError('CLOSED', 'The connection was closed');
    if (this.current === 'unauthorized') throw new TransportError('UNAUTHENTICATED', 'Sign in to continue');
    const deadline = Date.now() + this.ackTimeoutMs;
    if (!this.socket.connected) await this.connected(this.ackTimeoutMs);
    let reply: Ack<T>;
    try {
      reply = await emit(this.socket.timeout(Math.max(1, deadline - Date.now())));
    } catch (err) {
      const disconnected = err instanceof Error && /disconnected/.test(err.message);
      if (disconnected) throw new TransportError('OFFLINE', 'The connection dropped before the server answered');
      // Without this, socket.io would notice a silently dropped connection only when the
      // server's heartbeat is overdue, while every retry goes down the same dead socket.
      this.replaceConnection();
      throw new TransportError('TIMEOUT', 'The server did not answer in time');
    }
    if (!reply.ok) throw new TransportError(reply.error.code, reply.error.message);
    return reply;
  }

  private connected(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const stop = () => {
        clearTimeout(timer);
        off();
      };
      const timer = setTimeout(() => {
        stop();
        reject(new TransportError('OFFLINE', 'Not connected to the server'));
      }, timeoutMs);
      const off = this.on('status', (s) => {
        if (s === 'online') {
          stop();
          resolve();
        } else if (s === 'unauthorized') {
          stop();
          reject(new TransportError('UNAUTHENTICATED', 'Sign in to continue'));
        }
      });
    });
  }
}

/** A language tag the server accepts (BCP 47 letters, digits, hyphens), or nothing: a join never fails over it. */
function clientLanguage(tag: string | undefined): string | undefined {
  return tag && /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$/.test(tag) && tag.length <= 35 ? tag : undefined;
}
