/**
 * The background end of the relay: serves every connected view from the one socket transport.
 * Joins are counted per chat so one view closing does not unsubscribe another that shows the
 * same chat; events reach only the views that joined that chat (or watch the chat list).
 */
import type { ChatTransport } from '../../../ui/src/transport.ts';
import type { Port } from '../messenger.ts';
import {
  RELAY_PORT,
  type BackgroundToView,
  type FetchResult,
  type HelloResult,
  type RelayEvent,
  type RelayRequest,
  type ViewToBackground,
} from '../relay/protocol.ts';
import { word } from './words.ts';

export interface RelayBackend {
  /** The current transport; replaced when the user signs in, out, or changes the server. */
  transport(): ChatTransport;
  hello(): HelloResult;
  /** A REST call to the configured server's /api with the session token. */
  fetchApi(method: string, path: string, body?: string): Promise<FetchResult>;
  history(chatId: string, query: { before?: number; after?: number; limit?: number }): Promise<unknown>;
  openOptions(): Promise<void>;
  /** Whether any view is visible changed: the socket reports it as this client's visibility. */
  visibilityChanged(visible: boolean): void;
  /** Resolves once the background finished starting (settings loaded, socket created). */
  ready?(): Promise<void>;
  /** A view with a chat on screen asks the background to stay awake. */
  keepAlive?(): Promise<void>;
}

interface ViewState {
  port: Port;
  chats: Set<string>;
  watching: boolean;
  visible: boolean;
}

export class RelayHost {
  private readonly views = new Set<ViewState>();
  private readonly joins = new Map<string, number>();
  private unsubscribe: (() => void)[] = [];
  private anyVisible = false;

  constructor(private readonly backend: RelayBackend) {}

  /** Listens to a transport's events; call again after the transport was replaced. */
  attach(transport: ChatTransport): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [
      // A chat's events go to the views showing that chat; list events to the views watching the list.
      transport.on('message', (payload) => this.toChatViews(payload.chatId, { event: 'message', payload })),
      transport.on('message:translated', (payload) => this.toChatViews(payload.chatId, { event: 'message:translated', payload })),
      transport.on('typing', (payload) => this.toChatViews(payload.chatId, { event: 'typing', payload })),
      transport.on('reaction', (payload) => this.toChatViews(payload.chatId, { event: 'reaction', payload })),
      transport.on('read', (payload) => this.toChatViews(payload.chatId, { event: 'read', payload })),
      transport.on('chat:updated', (payload) => this.toChatViews(payload.chatId, { event: 'chat:updated', payload })),
      // Presence goes to the views of each chat it names, with only that chat's part (no contact id).
      transport.on('presence', (payload) => {
        for (const m of payload.members)
          this.toChatViews(m.chatId, { event: 'presence', payload: { ...payload, members: [m], contactId: null } });
      }),
      transport.on('chats:activity', (payload) => this.toWatchers({ event: 'chats:activity', payload })),
      transport.on('access:decided', (payload) => this.toWatchers({ event: 'access:decided', payload })),
      // The owner answers requests under the chat itself (any view showing it) or from the list.
      transport.on('access:requested', (payload) =>
        this.toViews((v) => v.watching || v.chats.has(payload.chatId), { event: 'access:requested', payload }),
      ),
      transport.on('status', (s) => this.broadcast({ kind: 'event', event: 'status', payload: s })),
    ];
    // The new transport has no rooms yet; views re-join when it reports 'online'.
    this.joins.clear();
    for (const v of this.views) v.chats.clear();
    this.broadcast({ kind: 'event', event: 'status', payload: transport.status });
  }

  /** Tells every view the session changed (signed in/out, other server). */
  sessionChanged(address: string | null, backendUrl: string): void {
    this.broadcast({ kind: 'session', address, backendUrl });
  }

  get viewCount(): number {
    return this.views.size;
  }

  accept(port: Port): boolean {
    if (port.name !== RELAY_PORT) return false;
    const view: ViewState = { port, chats: new Set(), watching: false, visible: false };
    this.views.add(view);
    port.onMessage.addListener((m: ViewToBackground) => void this.onMessage(view, m));
    port.onDisconnect.addListener(() => {
      this.views.delete(view);
      for (const chatId of view.chats) this.release(chatId);
      this.updateVisibility();
    });
    return true;
  }

  /** True while at least one view is visible to the person. */
  get visible(): boolean {
    return this.anyVisible;
  }

  /** True while a visible view shows this chat: the person is looking at it, so it does not alert. */
  showing(chatId: string): boolean {
    return [...this.views].some((v) => v.visible && v.chats.has(chatId));
  }

  private updateVisibility(): void {
    const now = [...this.views].some((v) => v.visible);
    if (now === this.anyVisible) return;
    this.anyVisible = now;
    this.backend.visibilityChanged(now);
  }

  private async onMessage(view: ViewState, m: ViewToBackground): Promise<void> {
    if (m.kind === 'visibility') {
      view.visible = m.visible === true;
      this.updateVisibility();
      return;
    }
    // A woken background gets a view's first request before it has loaded its state.
    await this.backend.ready?.();
    if (m.kind === 'typing') {
      if (view.chats.has(m.chatId)) this.backend.transport().typing(m.chatId, m.typing);
      return;
    }
    if (m.kind !== 'call') return;
    try {
      const value = await this.run(view, m);
      this.post(view, { kind: 'result', id: m.id, ok: true, value: value ?? null });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      this.post(view, {
        kind: 'result',
        id: m.id,
        ok: false,
        error: { code: e.code ?? 'INTERNAL', message: e.message ?? word('errorSomethingWrong') },
      });
    }
  }

  private async run(view: ViewState, m: RelayRequest): Promise<unknown> {
    const t = this.backend.transport();
    switch (m.op) {
      case 'hello':
        return this.backend.hello();
      case 'join': {
        const r = await t.join(m.chatId, m.lastSeq, m.reactionsFrom);
        if (!view.chats.has(m.chatId)) {
          view.chats.add(m.chatId);
          this.joins.set(m.chatId, (this.joins.get(m.chatId) ?? 0) + 1);
        }
        return r;
      }
      case 'leave':
        if (view.chats.delete(m.chatId)) this.release(m.chatId);
        return null;
      case 'send':
        return t.send(m.chatId, m.clientId, m.body, m.mentions);
      case 'deleteMessage':
        return t.deleteMessage(m.chatId, m.seq);
      case 'editMessage':
        return t.editMessage(m.chatId, m.seq, m.body);
      case 'react':
        return t.react(m.chatId, m.seq, m.emoji, m.on);
      case 'markRead':
        return t.markRead(m.chatId, m.seq);
      case 'watchChats': {
        const chats = await t.watchChats();
        view.watching = true;
        return chats;
      }
      case 'history':
        return this.backend.history(m.chatId, m.query);
      case 'fetch':
        return this.backend.fetchApi(m.method, m.path, m.body);
      case 'openOptions':
        return this.backend.openOptions();
      case 'keepAlive':
        return this.backend.keepAlive?.();
      default:
        throw Object.assign(new Error(word('errorUnknownRequest')), { code: 'BAD_INPUT' });
    }
  }

  private release(chatId: string): void {
    const n = (this.joins.get(chatId) ?? 1) - 1;
    if (n > 0) {
      this.joins.set(chatId, n);
      return;
    }
    this.joins.delete(chatId);
    void this.backend
      .transport()
      .leave(chatId)
      .catch(() => undefined);
  }

  private toChatViews(chatId: string, e: RelayEvent): void {
    this.toViews((v) => v.chats.has(chatId), e);
  }

  private toWatchers(e: RelayEvent): void {
    this.toViews((v) => v.watching, e);
  }

  private toViews(which: (v: ViewState) => boolean, e: RelayEvent): void {
    for (const v of this.views) if (which(v)) this.post(v, { kind: 'event', ...e });
  }

  private broadcast(m: BackgroundToView): void {
    for (const v of this.views) this.post(v, m);
  }

  private post(view: ViewState, m: BackgroundToView): void {
    try {
      view.port.postMessage(m);
    } catch {
      // The view went away between the event and the post; its disconnect handler cleans up.
    }
  }
}
