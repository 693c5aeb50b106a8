/**
 * The add-in's session: the token from proving an address with an emailed code, kept in shared
 * storage so every pane and the send/recipients handlers are signed in after the first time.
 * It also remembers the server's origin, because classic Outlook's event runtime loads a bare
 * script and has no page origin to derive it from.
 */
import type { SessionView } from '../../../protocol/index.ts';
import type { KeyValueStore } from './storage.ts';

const SESSION_KEY = 'inbox-chat.addin.session';
const SERVER_KEY = 'inbox-chat.addin.server';

export interface StoredSession {
  token: string;
  address: string;
  expiresAt: string;
}

export class AddinSession {
  private cached: StoredSession | null = null;

  constructor(private readonly store: KeyValueStore) {}

  /** Loads the stored session; null when none or expired. */
  async load(): Promise<StoredSession | null> {
    const raw = await this.store.get(SESSION_KEY).catch(() => null);
    this.cached = parse(raw);
    return this.cached;
  }

  get token(): string | null {
    return this.cached?.token ?? null;
  }

  get address(): string | null {
    return this.cached?.address ?? null;
  }

  async save(s: SessionView): Promise<void> {
    this.cached = { token: s.token, address: s.identity.addresses[0] ?? '', expiresAt: s.expiresAt };
    await this.store.set(SESSION_KEY, JSON.stringify(this.cached));
  }

  async clear(): Promise<void> {
    this.cached = null;
    await this.store.remove(SESSION_KEY);
  }

  async rememberServer(origin: string): Promise<void> {
    await this.store.set(SERVER_KEY, origin);
  }

  async server(): Promise<string | null> {
    return this.store.get(SERVER_KEY).catch(() => null);
  }
}

function parse(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof s.token !== 'string' || typeof s.address !== 'string') return null;
    if (typeof s.expiresAt === 'string' && Date.parse(s.expiresAt) <= Date.now()) return null;
    return { token: s.token, address: s.address, expiresAt: s.expiresAt ?? '' };
  } catch {
    return null;
  }
}
