/**
 * Audience syncs and chat endings that could not reach the server (slow, down, offline), in both
 * clients. Sending an email never waits for the server: the send handler queues the change here
 * and whatever runs next (an Outlook pane or event, Thunderbird's background waking) delivers it.
 * One entry per chat; the newest change wins.
 */
import type { AudienceInput } from '../protocol/index.ts';
import { ApiError } from '../protocol/api-error.ts';

/** Where a client keeps the queue: Office's storage, Thunderbird's storage.local. */
export interface PendingStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
}

/** The calls that deliver a change. */
export interface PendingApi {
  replaceAudience(chatId: string, audience: AudienceInput): Promise<unknown>;
  endChat(chatId: string): Promise<unknown>;
}

export type PendingChange =
  { kind: 'audience'; chatId: string; audience: AudienceInput; at: string } | { kind: 'end'; chatId: string; at: string };

export class PendingChanges {
  constructor(
    private readonly store: PendingStore,
    /** The storage key; each client keeps the one it always used, so queued changes survive an update. */
    private readonly key: string,
  ) {}

  async list(): Promise<PendingChange[]> {
    try {
      const raw = await this.store.get(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as PendingChange[]) : [];
    } catch {
      return [];
    }
  }

  async put(change: PendingChange): Promise<void> {
    const rest = (await this.list()).filter((c) => c.chatId !== change.chatId);
    await this.store.set(this.key, JSON.stringify([...rest, change]));
  }

  async drop(chatId: string): Promise<void> {
    const rest = (await this.list()).filter((c) => c.chatId !== chatId);
    await this.store.set(this.key, JSON.stringify(rest));
  }

  /**
   * Delivers what is queued. A change the server refuses for good (the chat is gone, it is not
   * ours) is dropped; one that still cannot reach the server stays for next time.
   */
  async flush(api: PendingApi): Promise<{ delivered: number; kept: number }> {
    let delivered = 0;
    let kept = 0;
    for (const change of await this.list()) {
      try {
        if (change.kind === 'audience') await api.replaceAudience(change.chatId, change.audience);
        else await api.endChat(change.chatId);
        delivered++;
        await this.drop(change.chatId);
      } catch (err) {
        if (isTransient(err)) kept++;
        else await this.drop(change.chatId);
      }
    }
    return { delivered, kept };
  }
}

/** Worth retrying later: no answer, a timeout, or the server overloaded or restarting. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ApiError) return err.code === 'NETWORK' || err.status === 0 || err.status === 429 || err.status >= 500;
  return true;
}
