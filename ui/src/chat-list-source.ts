/**
 * "My chats" as one source per connection. The page's chat list and its alerts (and, in
 * Thunderbird, every relayed view) each read the list again after the same activity events;
 * read separately, one event cost one `chats:watch` per reader. Here a read made since the last
 * change reuses the answer already fetched or in flight, and any change (an event, a reconnect, my
 * own send or read) makes the next read fetch again. An answer is reused only briefly, so a change
 * the server did not announce cannot stay hidden for long.
 */
import type { ChatSummary } from '../../protocol/index.ts';

/** Long enough to cover one burst of events and the readers' settle delays (150 and 250 ms). */
export const REUSE_MS = 2_000;

export class ChatListSource {
  private answer: Promise<ChatSummary[]> | null = null;
  private askedAt = 0;

  constructor(
    private readonly fetch: () => Promise<ChatSummary[]>,
    private readonly reuseMs = REUSE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  read(): Promise<ChatSummary[]> {
    if (!this.answer || this.now() - this.askedAt > this.reuseMs) {
      const asked = this.fetch();
      this.answer = asked;
      this.askedAt = this.now();
      // A failed read is not shared: the next reader asks again.
      asked.catch(() => {
        if (this.answer === asked) this.answer = null;
      });
    }
    // Each reader gets its own array, free to sort.
    return this.answer.then((chats) => [...chats]);
  }

  /** Something in my chats changed: the next read asks the server. */
  changed(): void {
    this.answer = null;
  }
}
