/**
 * The ChatTransport a view uses when it cannot (message pane) or should not (popup, Chats tab)
 * open its own socket: every call is forwarded over a runtime port to the background page,
 * which runs the real socket transport and pushes its events back.
 */
import type { ChatSummary, HistoryPage, JoinResult, MessageReactions, MessageView } from '../../../protocol/index.ts';
import { t } from '../../../ui/src/i18n/index.ts';
import { TransportError, type ChatTransport } from '../../../ui/src/transport.ts';
import type { Port } from '../messenger.ts';
import type { BackgroundToView, FetchResult, HelloResult, RelayOp, ViewToBackground } from './protocol.ts';
import { TransportEventHub } from '../../../ui/src/transport-events.ts';

/** How a view's relay behaves when Thunderbird suspends the extension's background. */
export interface RelayOptions {
  /** Wait before a view that shows live events opens a new port to a suspended background. */
  reconnectDelayMs?: number;
  /**
   * While a chat is on screen, a ping this often keeps the background (and its socket) awake.
   * Thunderbird suspends an idle background after `extensions.background.idle.timeout` (30 s by
   * default); the ping is well inside that. 0 turns it off.
   */
  keepAliveMs?: number;
  /** True while the view is on screen (default: the document's visibility). */
  isVisible?: () => boolean;
}

const DEFAULT_RECONNECT_MS = 200;
const MAX_RECONNECT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_MS = 20_000;

/**
 * A Manifest V3 background is suspended when idle, which disconnects every view's port. The
 * relay then opens a new port (which wakes the background) right away when the view shows live
 * events (a joined chat, the watched chat list), or lazily with the next call otherwise; the
 * chat panel re-joins from its last seq when the status comes back 'online', so nothing is lost.
 */
export class RelayTransport extends TransportEventHub implements ChatTransport {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private port: Port | null = null;
  private closed = false;
  private readonly joined = new Set<string>();
  private watching = false;
  /** The new background does not know this view watched the chat list: ask again once online. */
  private rewatch = false;
  private session: { address: string | null; backendUrl: string } | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectDelay: number;
  private readonly keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private sessionListeners = new Set<(s: { address: string | null; backendUrl: string }) => void>();

  constructor(
    private readonly openPort: () => Port,
    private readonly opts: RelayOptions = {},
  ) {
    super();
    this.reconnectDelay = opts.reconnectDelayMs ?? DEFAULT_RECONNECT_MS;
    this.ensurePort();
    const every = opts.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    if (every > 0) this.keepAliveTimer = setInterval(() => this.keepAlive(), every);
    // A hidden view does not wake the background just to wait for events; it catches up (the
    // panel re-joins from its last seq) when it is shown again.
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.onVisibility);
  }

  private readonly onVisibility = (): void => {
    if (this.closed) return;
    if (this.port) this.reportVisibility();
    else if (this.live && this.visible()) this.scheduleReconnect();
  };

  /** A joined chat or the watched list needs events pushed, so the port must stay open. */
  private get live(): boolean {
    return this.joined.size > 0 || this.watching;
  }

  private visible(): boolean {
    if (this.opts.isVisible) return this.opts.isVisible();
    return typeof document === 'undefined' || document.visibilityState !== 'hidden';
  }

  private keepAlive(): void {
    if (this.closed || !this.port || !this.live || !this.visible()) return;
    this.call({ op: 'keepAlive' }).catch(() => undefined);
  }

  private ensurePort(): Port {
    if (this.port) return this.port;
    const port = this.openPort();
    this.port = port;
    port.onMessage.addListener((m: BackgroundToView) => {
      if (this.port === port) this.onMessage(m);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      for (const p of this.pending.values()) p.reject(new TransportError('OFFLINE', t('thunderbird.restarted')));
      this.pending.clear();
      if (this.closed) return;
      this.setStatus('offline');
      if (this.live && this.visible()) this.scheduleReconnect();
    });
    // Each port is a new view to the (possibly restarted) background: tell it whether we are seen.
    this.reportVisibility();
    return port;
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.reconnect(), this.reconnectDelay);
  }

  private async reconnect(): Promise<void> {
    if (this.closed || this.port) return;
    this.rewatch = this.watching;
    try {
      const before = this.session;
      const r = await this.hello();
      this.reconnectDelay = this.opts.reconnectDelayMs ?? DEFAULT_RECONNECT_MS;
      if (before && (before.address !== r.address || before.backendUrl !== r.backendUrl)) {
        for (const l of this.sessionListeners) l({ address: r.address, backendUrl: r.backendUrl });
      }
      if (r.status === 'online') this.afterOnline();
    } catch {
      // The new port went away too (the background is restarting): try again, more slowly.
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, MAX_RECONNECT_MS);
      if (!this.port && this.live && this.visible()) this.scheduleReconnect();
    }
  }

  private afterOnline(): void {
    if (!this.rewatch) return;
    this.rewatch = false;
    this.call<ChatSummary[]>({ op: 'watchChats' }).catch(() => (this.rewatch = true));
  }

  /** Someone looking at this view is what makes the member present (no email for what they see). */
  private reportVisibility(): void {
    if (!this.closed && this.port) this.post({ kind: 'visibility', visible: this.visible() });
  }

  /** The background's connection state and session; also primes `status`. */
  async hello(): Promise<HelloResult> {
    const r = await this.call<HelloResult>({ op: 'hello' });
    this.session = { address: r.address, backendUrl: r.backendUrl };
    this.setStatus(r.status);
    return r;
  }

  async join(chatId: string, lastSeq: number, reactionsFrom?: number): Promise<JoinResult> {
    this.joined.add(chatId);
    try {
      return await this.call<JoinResult>({ op: 'join', chatId, lastSeq, reactionsFrom });
    } catch (err) {
      // Only a lost port is worth coming back for; a refusal (not in the audience) is final.
      if (!(err instanceof TransportError && err.code === 'OFFLINE')) this.joined.delete(chatId);
      throw err;
    }
  }

  leave(chatId: string): Promise<void> {
    this.joined.delete(chatId);
    return this.call({ op: 'leave', chatId });
  }

  send(chatId: string, clientId: string, body: string, mentions: string[] = []): Promise<MessageView> {
    return this.call({ op: 'send', chatId, clientId, body, mentions });
  }

  deleteMessage(chatId: string, seq: number): Promise<MessageView> {
    return this.call({ op: 'deleteMessage', chatId, seq });
  }

  editMessage(chatId: string, seq: number, body: string): Promise<MessageView> {
    return this.call({ op: 'editMessage', chatId, seq, body });
  }

  react(chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions> {
    return this.call({ op: 'react', chatId, seq, emoji, on });
  }

  typing(chatId: string, typing: boolean): void {
    // Typing is a hint: it never wakes a suspended background on its own.
    if (!this.closed && this.port) this.post({ kind: 'typing', chatId, typing });
  }

  markRead(chatId: string, seq: number): Promise<number> {
    return this.call({ op: 'markRead', chatId, seq });
  }

  watchChats(): Promise<ChatSummary[]> {
    this.watching = true;
    return this.call({ op: 'watchChats' });
  }

  history(chatId: string, query: { before?: number; after?: number; limit?: number }): Promise<HistoryPage> {
    return this.call({ op: 'history', chatId, query });
  }

  /**
   * A `fetch` for the shared ApiClient that goes through the background (which adds the token
   * and only talks to the configured server's /api).
   */
  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const r = await this.call<FetchResult>({
      op: 'fetch',
      method: init.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      ...(typeof init.body === 'string' ? { body: init.body } : {}),
    });
    return new Response(r.status === 204 ? null : r.body, {
      status: r.status,
      headers: { 'content-type': 'application/json' },
    });
  };

  openOptions(): Promise<void> {
    return this.call({ op: 'openOptions' });
  }

  /** Sign-in or sign-out happened in the background (another view, the options page). */
  onSession(listener: (s: { address: string | null; backendUrl: string }) => void): () => void {
    this.sessionListeners.add(listener);
    return () => void this.sessionListeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.keepAliveTimer);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.onVisibility);
    const port = this.port;
    this.port = null;
    port?.disconnect();
  }

  private call<T>(op: RelayOp): Promise<T> {
    if (this.closed) return Promise.reject(new TransportError('CLOSED', t('thunderbird.connectionClosed')));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      // The background answers op by op with the value that op promises (RelayOp -> T).
      this.pending.set(id, { resolve: (v) => resolve(v as T), reject });
      // A call after the background was suspended opens a new port, which wakes it.
      this.ensurePort();
      this.post({ kind: 'call', id, ...op });
    });
  }

  private post(m: ViewToBackground): void {
    try {
      this.port?.postMessage(m);
    } catch {
      // The port closed under us; its onDisconnect rejects what was pending.
    }
  }

  private onMessage(m: BackgroundToView): void {
    if (m.kind === 'result') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new TransportError(m.error.code, m.error.message));
    } else if (m.kind === 'event') {
      if (m.event === 'status') {
        this.setStatus(m.payload);
        if (m.payload === 'online') this.afterOnline();
      } else this.emitEvent(m.event, m.payload);
    } else if (m.kind === 'session') {
      this.session = { address: m.address, backendUrl: m.backendUrl };
      for (const l of this.sessionListeners) l({ address: m.address, backendUrl: m.backendUrl });
    }
  }
}
