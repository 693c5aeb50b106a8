/**
 * Key-value storage the panes and the event handlers share. Outlook's event runtime on classic
 * Windows has no localStorage, so OfficeRuntime.storage comes first; in a browser-hosted pane
 * without it, localStorage; and memory as a last resort (private mode, tests).
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  remove(key: string): Promise<void>;
}

interface OfficeRuntimeStorage {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    get: async (k) => map.get(k) ?? null,
    set: async (k, v) => void map.set(k, v),
    remove: async (k) => void map.delete(k),
  };
}

function officeRuntimeStorage(): OfficeRuntimeStorage | null {
  const runtime = (globalThis as { OfficeRuntime?: { storage?: OfficeRuntimeStorage } }).OfficeRuntime;
  return runtime?.storage ?? null;
}

function localStore(): Storage | null {
  try {
    const ls = (globalThis as { localStorage?: Storage }).localStorage;
    if (!ls) return null;
    ls.getItem('inbox-chat.probe');
    return ls;
  } catch {
    return null;
  }
}

/**
 * Reads the first store that has the key and writes to all of them: a pane and the event runtime
 * of the same Outlook may see different stores (OfficeRuntime.storage in one, localStorage in the
 * other), and both must find the session and the queued changes.
 */
export function layeredStore(stores: KeyValueStore[]): KeyValueStore {
  return {
    async get(k) {
      for (const s of stores) {
        const v = await s.get(k).catch(() => null);
        if (v !== null) return v;
      }
      return null;
    },
    async set(k, v) {
      await Promise.all(stores.map((s) => s.set(k, v).catch(() => undefined)));
    },
    async remove(k) {
      await Promise.all(stores.map((s) => s.remove(k).catch(() => undefined)));
    },
  };
}

let shared: KeyValueStore | null = null;

export function defaultStore(): KeyValueStore {
  if (shared) return shared;
  const stores: KeyValueStore[] = [];
  const office = officeRuntimeStorage();
  if (office) {
    stores.push({
      get: (k) => office.getItem(k).then((v) => v ?? null),
      set: (k, v) => office.setItem(k, v),
      remove: (k) => office.removeItem(k),
    });
  }
  const local = localStore();
  if (local) {
    stores.push({
      get: async (k) => local.getItem(k),
      set: async (k, v) => local.setItem(k, v),
      remove: async (k) => local.removeItem(k),
    });
  }
  shared = stores.length ? layeredStore(stores) : memoryStore();
  return shared;
}
