/** The device's session token, kept in localStorage so a reload or a new tab stays signed in. */
import type { SessionView } from '../../../protocol/index.ts';

const KEY = 'inbox-chat.session';

interface StoredSession {
  token: string;
  address: string;
  expiresAt: string;
  /** Set for a one-chat session (a link from an email): it reaches only this chat. */
  chatId?: string | null;
}

export class SessionStore {
  private cached: StoredSession | null = read();

  get token(): string | null {
    return this.cached?.token ?? null;
  }

  get address(): string | null {
    return this.cached?.address ?? null;
  }

  /** The one chat this session is limited to, or null for a full session. */
  get chatScope(): string | null {
    return this.cached?.chatId ?? null;
  }

  save(s: SessionView): void {
    this.cached = { token: s.token, address: s.identity.addresses[0] ?? '', expiresAt: s.expiresAt, chatId: s.chatId };
    try {
      localStorage.setItem(KEY, JSON.stringify(this.cached));
    } catch {
      // Private mode or storage full: the session still works until the tab closes.
    }
  }

  /** What the server says about this session (GET /api/me), which wins over what was stored. */
  update(address: string | undefined, chatId: string | null): void {
    if (!this.cached) return;
    this.cached = { ...this.cached, address: address ?? this.cached.address, chatId };
    try {
      localStorage.setItem(KEY, JSON.stringify(this.cached));
    } catch {
      // see save()
    }
  }

  clear(): void {
    this.cached = null;
    try {
      localStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  }
}

function read(): StoredSession | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<StoredSession>;
    if (typeof s.token !== 'string' || typeof s.address !== 'string') return null;
    if (typeof s.expiresAt === 'string' && Date.parse(s.expiresAt) <= Date.now()) return null;
    return { token: s.token, address: s.address, expiresAt: s.expiresAt ?? '', chatId: typeof s.chatId === 'string' ? s.chatId : null };
  } catch {
    return null;
  }
}
