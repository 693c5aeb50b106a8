/**
 * Keeps the outbox's unsent messages in localStorage, per identity and chat, so closing or
 * reloading the page while offline loses nothing. Storage may be missing (private mode, some
 * mail-client views): then it quietly keeps nothing.
 */

export interface UnsentMessage {
  clientId: string;
  body: string;
}

export interface UnsentStore {
  load(): UnsentMessage[];
  save(messages: UnsentMessage[]): void;
}

export function unsentStore(identityId: string, chatId: string): UnsentStore {
  const key = `inbox-chat.unsent.${identityId}.${chatId}`;
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(key) ?? '[]');
        if (!Array.isArray(parsed)) return [];
        return parsed.filter((m): m is UnsentMessage => typeof m?.clientId === 'string' && typeof m?.body === 'string');
      } catch {
        return [];
      }
    },
    save(messages) {
      try {
        if (messages.length === 0) globalThis.localStorage?.removeItem(key);
        else globalThis.localStorage?.setItem(key, JSON.stringify(messages));
      } catch {
        // No storage: unsent messages live as long as the page.
      }
    },
  };
}
