/**
 * What the extension keeps in `storage.local`: the server it talks to, the session (the token
 * from proving an address once; it stays signed in after that), and where transcripts are filed.
 */
import type { SessionView } from '../../../protocol/index.ts';
import type { Messenger } from '../messenger.ts';

export const DEFAULT_BACKEND_URL = 'http://localhost:3000';

export interface StoredSession {
  token: string;
  address: string;
  expiresAt: string;
}

export interface Settings {
  backendUrl: string;
  session: StoredSession | null;
  /** A local folder the user picked for "Save transcript". */
  transcriptFolderId: string | null;
}

const KEYS = ['backendUrl', 'session', 'transcriptFolderId'] as const;

/** Accepts http(s) origins with an optional path; strips the trailing slash. Null when invalid. */
export function normaliseBackendUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function isSession(v: unknown): v is StoredSession {
  const s = v as StoredSession | null;
  return !!s && typeof s.token === 'string' && typeof s.address === 'string' && typeof s.expiresAt === 'string';
}

export async function loadSettings(m: Messenger): Promise<Settings> {
  const raw = await m.storage.local.get([...KEYS]);
  const backendUrl = typeof raw.backendUrl === 'string' ? normaliseBackendUrl(raw.backendUrl) : null;
  const session = isSession(raw.session) && Date.parse(raw.session.expiresAt) > Date.now() ? raw.session : null;
  return {
    backendUrl: backendUrl ?? DEFAULT_BACKEND_URL,
    session,
    transcriptFolderId: typeof raw.transcriptFolderId === 'string' ? raw.transcriptFolderId : null,
  };
}

export function sessionFrom(view: SessionView): StoredSession {
  return { token: view.token, address: view.identity.addresses[0] ?? '', expiresAt: view.expiresAt };
}

export async function saveSession(m: Messenger, session: StoredSession | null): Promise<void> {
  if (session) await m.storage.local.set({ session });
  else await m.storage.local.remove('session');
}

/** A different server means a different identity store: the old session is dropped. */
export async function saveBackendUrl(m: Messenger, backendUrl: string): Promise<void> {
  const current = await loadSettings(m);
  if (current.backendUrl === backendUrl) return;
  await m.storage.local.set({ backendUrl });
  await m.storage.local.remove('session');
}

export async function saveTranscriptFolder(m: Messenger, folderId: string | null): Promise<void> {
  if (folderId) await m.storage.local.set({ transcriptFolderId: folderId });
  else await m.storage.local.remove('transcriptFolderId');
}

export function settingsChanged(changes: Record<string, unknown>): boolean {
  return KEYS.some((k) => k in changes);
}
