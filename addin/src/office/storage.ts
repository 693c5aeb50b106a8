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

let shared: KeyValueStore | null = null;

export function defaultStore(): KeyValueStore {
  if (shared) return shared;
  const office = officeRuntimeStorage();
  const local = localStore();
  if (office) {
    shared = {
      get: (k) => office.getItem(k).then((v) => v ?? null),
      set: (k, v) => office.setItem(k, v),
      remove: (k) => office.removeItem(k),
    };
  } else if (local) {
    shared = {
      get: async (k) => local.getItem(k),
      set: async (k, v) => local.setItem(k, v),
      remove: async (k) => local.removeItem(k),
    };
  } else {
    shared = memoryStore();
  }
  return shared;
}
