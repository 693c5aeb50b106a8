/** The device's session token, kept in localStorage so a reload or a new tab stays signed in. */
import type { SessionView } from '../../../protocol/index.ts';
import { ApiClient, ApiError } from '../api-client.ts';
import { t } from '../i18n/index.ts';

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
    const mine = this.cached?.token;
    this.cached = null;
    try {
      // Another tab may have stored a newer session since (e.g. switched accounts, which ends
      // this one): only the entry this tab put there is removed.
      if (mine === undefined || read()?.token === mine) localStorage.removeItem(KEY);
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

/** Ends a session this device no longer uses (best effort). */
export function signOutToken(token: string): Promise<void> {
  return new ApiClient({ baseUrl: '', getToken: () => token }).signOut().catch(() => {});
}

/** Asks the person whether to leave `current`'s session for `incoming`'s; resolves true to switch. */
export type ConfirmSwitch = (current: string, incoming: string) => Promise<boolean>;

/**
 * Puts a session just obtained from a link (`#signin=` magic link or `#link=` personal link)
 * on this device. Anyone can send a link to their own account, so a link for another person
 * never silently replaces the session here (login CSRF: the visitor would then write into the
 * sender's account, believing it theirs); the person is asked, and the session they had stays
 * unless they accept. For the same person the broader session stays: a full one over a one-chat one.
 */
export async function adoptSession(
  api: ApiClient,
  store: SessionStore,
  incoming: SessionView,
  confirmSwitch: ConfirmSwitch,
): Promise<'adopted' | 'kept'> {
  const current = store.token;
  if (!current || current === incoming.token) {
    store.save(incoming);
    return 'adopted';
  }
  const me = await api.me().catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return null;
    throw err;
  });
  if (!me) {
    // The session kept here has ended anyway: nothing to ask about.
    store.save(incoming);
    return 'adopted';
  }
  if (me.id === incoming.identity.id) {
    if (me.chatId === null && incoming.chatId !== null) {
      void signOutToken(incoming.token);
      return 'kept';
    }
  } else {
    const here = me.addresses[0] ?? store.address ?? t('session.anotherAddress');
    const there = incoming.identity.addresses[0] ?? t('session.anotherAddress');
    if (!(await confirmSwitch(here, there))) {
      void signOutToken(incoming.token);
      return 'kept';
    }
  }
  void signOutToken(current);
  store.save(incoming);
  return 'adopted';
}
