/**
 * The ChatTransport a view uses when it cannot (message pane) or should not (popup, Chats tab)
 * open its own socket: every call is forwarded over a runtime port to the background page,
 * which runs the real socket transport and pushes its events back.
 */
import type { ChatSummary, HistoryPage, JoinResult, MessageView } from '../../../protocol/index.ts';
import {
  TransportError,
  type ChatTransport,
} from '../../../ui/src/transport.ts';
import type { Port } from '../messenger.ts';
import type { BackgroundToView, FetchResult, HelloResult, RelayOp, ViewToBackground } from './protocol.ts';
import { TransportEventHub } from '../../../ui/src/transport-events.ts';


export class RelayTransport extends TransportEventHub implements ChatTransport {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  private disconnected = false;
  private sessionListeners = new Set<(s: { address: string | null; backendUrl: string }) => void>();

  constructor(private readonly port: Port) {
    super();
    port.onMessage.addListener((m: BackgroundToView) => this.onMessage(m));
    port.onDisconnect.addListener(() => {
      this.disconnected = true;
      for (const p of this.pending.values()) p.reject(new TransportError('OFFLINE', 'The extension reloaded'));
      this.pending.clear();
      this.setStatus('offline');
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.reportVisibility);
    });
    // Someone looking at this view is what makes the member present (no email for what they see).
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.reportVisibility);
    this.reportVisibility();
  }

  private readonly reportVisibility = (): void => {
    if (!this.disconnected) this.post({ kind: 'visibility', visible: typeof document === 'undefined' || document.visibilityState === 'visible' });
  };

  /** The background's connection state and session; also primes `status`. */
  async hello(): Promise<HelloResult> {
    const r = await this.call<HelloResult>({ op: 'hello' });
    this.setStatus(r.status);
    return r;
  }

  join(chatId: string, lastSeq: number): Promise<JoinResult> {
    return this.call({ op: 'join', chatId, lastSeq });
  }

  leave(chatId: string): Promise<void> {
    return this.call({ op: 'leave', chatId });
  }

  send(chatId: string, clientId: string, body: string): Promise<MessageView> {
    return this.call({ op: 'send', chatId, clientId, body });
  }

  deleteMessage(chatId: string, seq: number): Promise<MessageView> {
    return this.call({ op: 'deleteMessage', chatId, seq });
  }

  typing(chatId: string, typing: boolean): void {
    if (!this.disconnected) this.post({ kind: 'typing', chatId, typing });
  }

  markRead(chatId: string, seq: number): Promise<number> {
    return this.call({ op: 'markRead', chatId, seq });
  }

  watchChats(): Promise<ChatSummary[]> {
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
    if (this.disconnected) return;
    this.disconnected = true;
    this.port.disconnect();
  }

  private call<T>(op: RelayOp): Promise<T> {
    if (this.disconnected) return Promise.reject(new TransportError('CLOSED', 'The connection was closed'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ kind: 'call', id, ...op });
    });
  }

  private post(m: ViewToBackground): void {
    this.port.postMessage(m);
  }

  private onMessage(m: BackgroundToView): void {
    if (m.kind === 'result') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(new TransportError(m.error.code, m.error.message));
    } else if (m.kind === 'event') {
      if (m.event === 'status') this.setStatus(m.payload);
      else this.emitEvent(m.event, m.payload);
    } else if (m.kind === 'session') {
      for (const l of this.sessionListeners) l({ address: m.address, backendUrl: m.backendUrl });
    }
  }

}
