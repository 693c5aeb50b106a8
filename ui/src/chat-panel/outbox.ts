/**
 * Messages typed but not yet acknowledged. Each keeps its client-chosen id for life, so
 * re-sending after a reconnect can never post it twice (the server returns the first result).
 */
import type { MessageView } from '../../../protocol/index.ts';
import { TransportError } from '../transport.ts';
import { newClientId } from '../client-id.ts';

export interface PendingMessage {
  clientId: string;
  body: string;
  state: 'sending' | 'waiting' | 'failed';
  error?: string;
  /** Failed attempts so far, for backing off. */
  attempts: number;
}

/** Failures that a later retry can fix; anything else is final and shown to the writer. */
const RETRYABLE = new Set(['OFFLINE', 'TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED', 'CLOSED', 'INTERNAL']);
/** These clear up by themselves while connected, so they are retried on a timer too. */
const RETRY_ON_TIMER = new Set(['TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL']);
const MAX_BACKOFF_MS = 30_000;

export class Outbox {
  private readonly pending = new Map<string, PendingMessage>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (clientId: string, body: string) => Promise<MessageView>,
    private readonly onChange: () => void,
    private readonly onDelivered: (m: MessageView) => void,
    private readonly newId: () => string = () => newClientId(),
  ) {}

  list(): PendingMessage[] {
    return [...this.pending.values()];
  }

  add(body: string): PendingMessage {
    const p: PendingMessage = { clientId: this.newId(), body, state: 'waiting', attempts: 0 };
    this.pending.set(p.clientId, p);
    void this.attempt(p);
    return p;
  }

  /**
   * Takes back messages a previous page left unsent (kept in storage across a reload), with
   * their original client ids, so a message that did reach the server is not posted twice.
   */
  restore(entries: readonly { clientId: string; body: string }[]): void {
    for (const e of entries) {
      if (this.pending.has(e.clientId)) continue;
      const p: PendingMessage = { clientId: e.clientId, body: e.body, state: 'waiting', attempts: 0 };
      this.pending.set(p.clientId, p);
      void this.attempt(p);
    }
  }

  /** What is worth keeping across a reload: everything not finally refused. */
  unsent(): { clientId: string; body: string }[] {
    return this.list()
      .filter((p) => p.state !== 'failed')
      .map((p) => ({ clientId: p.clientId, body: p.body }));
  }

  /** Re-sends everything still waiting (called whenever the connection comes back). */
  retryAll(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const p of this.pending.values()) if (p.state === 'waiting') void this.attempt(p);
  }

  /** A message of mine arrived by another path (live event, catch-up): it is delivered. */
  settle(clientId: string): boolean {
    const had = this.pending.delete(clientId);
    if (had) this.onChange();
    return had;
  }

  discard(clientId: string): void {
    this.settle(clientId);
  }

  /** Stops timers when the panel goes away. */
  stop(): void {
    clearTimeout(this.retryTimer);
  }

  private async attempt(p: PendingMessage): Promise<void> {
    if (p.state === 'sending') return;
    p.state = 'sending';
    this.onChange();
    try {
      const message = await this.deliver(p.clientId, p.body);
      this.pending.delete(p.clientId);
      this.onDelivered(message);
      this.onChange();
    } catch (err) {
      if (!this.pending.has(p.clientId)) return;
      const code = err instanceof TransportError ? err.code : 'OFFLINE';
      if (RETRYABLE.has(code)) {
        p.state = 'waiting';
        p.attempts++;
        // Offline waits for the reconnect (the panel calls retryAll); other hiccups back off.
        if (RETRY_ON_TIMER.has(code) && !this.retryTimer) {
          const delay = Math.min(MAX_BACKOFF_MS, 1_000 * 2 ** Math.min(p.attempts, 5));
          this.retryTimer = setTimeout(() => this.retryAll(), delay);
        }
      } else {
        p.state = 'failed';
        p.error = err instanceof Error ? err.message : 'Could not send';
      }
      this.onChange();
    }
  }
}
