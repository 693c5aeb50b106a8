/**
 * Builds what every part of the add-in needs: shared storage, the stored session, the REST
 * client and the queue of undelivered changes, all pointed at one server.
 */
import { ApiClient } from '../../../ui/src/api-client.ts';
import { PendingChanges } from '../../../mail-client/pending-changes.ts';
import { AddinSession } from './session.ts';
import { defaultStore, type KeyValueStore } from './storage.ts';

/** Where undelivered changes wait (the key from before the queue moved to mail-client/). */
const PENDING_KEY = 'inbox-chat.addin.pending';

export interface AddinContext {
  serverUrl: string;
  session: AddinSession;
  api: ApiClient;
  pending: PendingChanges;
}

export interface ContextOptions {
  store?: KeyValueStore;
  /** The server origin; by default the page's own (panes are served by the server). */
  serverUrl?: string;
  fetch?: typeof fetch;
}

function pageOrigin(): string | null {
  const loc = (globalThis as { location?: Location }).location;
  return loc && /^https?:$/.test(loc.protocol) ? loc.origin : null;
}

export async function createContext(opts: ContextOptions = {}): Promise<AddinContext> {
  const store = opts.store ?? defaultStore();
  const session = new AddinSession(store);
  await session.load();
  const origin = opts.serverUrl ?? pageOrigin();
  // Panes know their origin and leave it for the event runtime, which may not.
  if (origin) await session.rememberServer(origin).catch(() => undefined);
  const serverUrl = origin ?? (await session.server()) ?? '';
  const api = new ApiClient({ baseUrl: serverUrl, getToken: () => session.token, fetch: opts.fetch });
  return { serverUrl, session, api, pending: new PendingChanges(store, PENDING_KEY) };
}
