/**
 * localStorage for what one person keeps about one chat on this device (unsent messages, the
 * draft). Storage may be missing or full (private mode, some mail-client views): then reads find
 * nothing and writes are dropped, and the data lives as long as the page.
 */
export interface ChatStorage {
  read(): string | null;
  /** null removes the entry. */
  write(value: string | null): void;
}

export function chatStorage(kind: 'unsent' | 'draft', identityId: string, chatId: string): ChatStorage {
  const key = `inbox-chat.${kind}.${identityId}.${chatId}`;
  return {
    read() {
      try {
        return globalThis.localStorage?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    write(value) {
      try {
        if (value === null) globalThis.localStorage?.removeItem(key);
        else globalThis.localStorage?.setItem(key, value);
      } catch {
        // No storage, or it is full: kept for as long as the page is open.
      }
    },
  };
}
