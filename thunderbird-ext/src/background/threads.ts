/**
 * Remembers which email each chat belongs to (its Message-ID), learnt when the user sends an
 * email with a panel or opens one, so a saved transcript threads under the right email.
 */
import type { Messenger } from '../messenger.ts';

const KEY = 'threads';
const MAX = 1000;

type ThreadMap = Record<string, { messageId: string; at: number }>;

export class Threads {
  constructor(private readonly m: Messenger) {}

  private async read(): Promise<ThreadMap> {
    const raw = (await this.m.storage.local.get(KEY))[KEY];
    return raw && typeof raw === 'object' ? (raw as ThreadMap) : {};
  }

  async remember(chatId: string, messageId: string): Promise<void> {
    if (!messageId) return;
    const map = await this.read();
    if (map[chatId]?.messageId === messageId) return;
    map[chatId] = { messageId, at: Date.now() };
    const entries = Object.entries(map);
    // Oldest first out, so the map never grows without bound.
    if (entries.length > MAX) entries.sort((a, b) => b[1].at - a[1].at).splice(MAX);
    await this.m.storage.local.set({ [KEY]: Object.fromEntries(entries) });
  }

  async of(chatId: string): Promise<string | null> {
    return (await this.read())[chatId]?.messageId ?? null;
  }
}
