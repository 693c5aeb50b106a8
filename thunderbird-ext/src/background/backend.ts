/**
 * The background's one connection to the chat server: the REST client and the socket, rebuilt
 * whenever the settings change (sign-in, sign-out, another server). Only the background holds
 * the session token.
 */
import { ApiClient } from '../../../ui/src/api-client.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import type { Messenger } from '../messenger.ts';
import type { FetchResult } from '../relay/protocol.ts';
import { loadSettings, saveSession, type Settings } from '../shared/settings.ts';
import { SignedOutTransport } from './signed-out-transport.ts';
import { word } from './words.ts';

export type TransportFactory = (url: string, getToken: () => string | null) => ChatTransport;

/** Relayed REST requests may only reach the API, never arbitrary server paths. */
const RELAYABLE = /^\/api\/[A-Za-z0-9/_\-.?=&%]*$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export class Backend {
  private current: Settings | null = null;
  private socket: ChatTransport = new SignedOutTransport();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly m: Messenger,
    private readonly makeTransport: TransportFactory,
    private readonly fetchImpl: typeof fetch = (i, init) => globalThis.fetch(i, init),
  ) {}

  get settings(): Settings {
    if (!this.current) throw new Error('Backend.start() first');
    return this.current;
  }

  get backendUrl(): string {
    return this.settings.backendUrl;
  }

  get address(): string | null {
    return this.current?.session?.address ?? null;
  }

  get transport(): ChatTransport {
    return this.socket;
  }

  /** A REST client with the session token; null when signed out. */
  get api(): ApiClient | null {
    const s = this.current;
    if (!s?.session) return null;
    return new ApiClient({ baseUrl: s.backendUrl, getToken: () => this.current?.session?.token, fetch: this.fetchImpl });
  }

  /** Called after the transport was replaced (the relay re-attaches, the unread count restarts). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    await this.reload();
  }

  /** Re-reads the settings; rebuilds the connection when the server or the session changed. */
  async reload(): Promise<void> {
    const next = await loadSettings(this.m);
    const prev = this.current;
    this.current = next;
    const same = prev && prev.backendUrl === next.backendUrl && prev.session?.token === next.session?.token;
    if (same) return;
    this.socket.close();
    this.socket = next.session ? this.makeTransport(next.backendUrl, () => this.current?.session?.token ?? null) : new SignedOutTransport();
    // A revoked or expired session: forget it so every view offers sign-in again.
    this.socket.on('status', (s) => {
      if (s === 'unauthorized' && this.current?.session?.token === next.session?.token && next.session) {
        void saveSession(this.m, null);
      }
    });
    for (const l of this.listeners) l();
  }

  async fetchApi(method: string, path: string, body?: string): Promise<FetchResult> {
    if (!METHODS.has(method) || !RELAYABLE.test(path) || path.includes('..')) {
      throw Object.assign(new Error(word('errorNotApiRequest')), { code: 'BAD_INPUT' });
    }
    const token = this.current?.session?.token;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.backendUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
      });
    } catch {
      throw Object.assign(new Error(word('errorServerUnreachable')), { code: 'NETWORK' });
    }
    return { status: res.status, body: await res.text() };
  }
}
