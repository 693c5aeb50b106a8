/**
 * Keeps the outbox's unsent messages in localStorage, per identity and chat, so closing or
 * reloading the page while offline loses nothing.
 */
import { chatStorage } from './chat-storage.ts';

export interface UnsentMessage {
  clientId: string;
  body: string;
  mentions?: string[];
}

export interface UnsentStore {
  load(): UnsentMessage[];
  save(messages: UnsentMessage[]): void;
}

export function unsentStore(identityId: string, chatId: string): UnsentStore {
  const storage = chatStorage('unsent', identityId, chatId);
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(storage.read() ?? '[]');
        if (!Array.isArray(parsed)) return [];
        return parsed
          .filter((m): m is UnsentMessage => typeof m?.clientId === 'string' && typeof m?.body === 'string')
          .map((m) => ({
            clientId: m.clientId,
            body: m.body,
            // Kept by an older page or edited by hand: only a list of strings is a list of mentions.
            mentions: Array.isArray(m.mentions) ? m.mentions.filter((h): h is string => typeof h === 'string') : [],
          }));
      } catch {
        return [];
      }
    },
    save(messages) {
      storage.write(messages.length === 0 ? null : JSON.stringify(messages));
    },
  };
}
