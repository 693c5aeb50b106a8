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
  /** Handles of the members it @mentions. */
  mentions?: string[];
  /**
   * queued: behind an earlier message of mine; sending: on the wire; waiting: for the
   * connection to come back; retrying: the server had a hiccup, tried again shortly;
   * failed: refused for good.
   */
  state: 'queued' | 'sending' | 'waiting' | 'retrying' | 'failed';
  error?: string;
  /** Failed attempts so far, for backing off. */
  attempts: number;
}

/** Failures that a later retry can fix; anything else is final and shown to the writer. */
const RETRYABLE = new Set(['OFFLINE', 'TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED', 'CLOSED', 'INTERNAL']);
/** These clear up by themselves while connected, so they are retried on a timer too. */
const RETRY_ON_TIMER = new Set(['TIMEOUT', 'UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL']);
/**
 * Short: the server answers UNAVAILABLE at once while its database is away, and the writer
 * should see their message go out within a few seconds of it returning. Jittered so many
 * panels do not retry in lockstep against a recovering server.
 */
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 4_000;

/**
 * Sends strictly one message at a time, oldest first: a message typed after an outage must
 * not commit before one typed during it, so the next one goes only once the one before it
 * is acknowledged (or refused for good).
 */
export class Outbox {
  /** In typing order (Map keeps insertion order). */
  private readonly pending = new Map<string, PendingMessage>();
  private inFlight: PendingMessage | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deliver: (clientId: string, body: string, mentions: string[]) => Promise<MessageView>,
    private readonly onChange: () => void,
    private readonly onDelivered: (m: MessageView) => void,
    private readonly newId: () => string = () => newClientId(),
  ) {}

  list(): PendingMessage[] {
    return [...this.pending.values()];
  }

  add(body: string, mentions: string[] = []): PendingMessage {
    const p: PendingMessage = { clientId: this.newId(), body, mentions, state: 'queued', attempts: 0 };
    this.pending.set(p.clientId, p);
    this.onChange();
    // Whatever waits ahead of it is tried now, not at the end of its backoff: the new message
    // cannot go before it, and the writer should not wait on an old timer.
    this.retryAll();
    return p;
  }

  /**
   * Takes back messages a previous page left unsent (kept in storage across a reload), with
   * their original client ids, so a message that did reach the server is not posted twice.
   */
  restore(entries: readonly { clientId: string; body: string; mentions?: string[] }[]): void {
    for (const e of entries) {
      if (this.pending.has(e.clientId)) continue;
      this.pending.set(e.clientId, { clientId: e.clientId, body: e.body, mentions: e.mentions, state: 'queued', attempts: 0 });
    }
    this.onChange();
    this.pump();
  }

  /** What is worth keeping across a reload: everything not finally refused. */
  unsent(): { clientId: string; body: string; mentions?: string[] }[] {
    return this.list()
      .filter((p) => p.state !== 'failed')
      .map((p) => ({ clientId: p.clientId, body: p.body, ...(p.mentions?.length ? { mentions: p.mentions } : {}) }));
  }

  /** Sends again at once whatever is waiting (the connection came back, or a send just went through). */
  retryAll(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const p of this.pending.values()) if (p.state === 'waiting' || p.state === 'retrying') p.state = 'queued';
    this.pump();
  }

  /** A message of mine arrived by another path (live event, catch-up): it is delivered. */
  settle(clientId: string): boolean {
    const had = this.pending.delete(clientId);
    if (had) {
      this.onChange();
      this.pump();
    }
    return had;
  }

  discard(clientId: string): void {
    this.settle(clientId);
  }

  /** Stops timers when the panel goes away. */
  stop(): void {
    clearTimeout(this.retryTimer);
  }

  /** Starts the oldest unsent message unless one is on the wire or the oldest waits for a retry. */
  private pump(): void {
    if (this.inFlight) return;
    const head = this.list().find((p) => p.state !== 'failed');
    if (head?.state === 'queued') void this.attempt(head);
  }

  private async attempt(p: PendingMessage): Promise<void> {
    this.inFlight = p;
    p.state = 'sending';
    this.onChange();
    let message: MessageView;
    try {
      message = await this.deliver(p.clientId, p.body, p.mentions ?? []);
    } catch (err) {
      this.inFlight = null;
      if (!this.pending.has(p.clientId)) {
        this.pump();
        return;
      }
      const code = err instanceof TransportError ? err.code : 'OFFLINE';
      if (RETRYABLE.has(code)) {
        p.attempts++;
        // Offline waits for the reconnect (the panel calls retryAll); other hiccups back off briefly.
        p.state = RETRY_ON_TIMER.has(code) ? 'retrying' : 'waiting';
        if (p.state === 'retrying' && !this.retryTimer) {
          const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.min(p.attempts, 4)) * (0.8 + 0.4 * Math.random());
          this.retryTimer = setTimeout(() => this.retryAll(), delay);
        }
      } else {
        p.state = 'failed';
        // Without the server's words, the view says it was refused.
        p.error = err instanceof Error ? err.message : undefined;
        // A refused message does not hold back the ones after it.
        this.pump();
      }
      this.onChange();
      return;
    }
    this.inFlight = null;
    this.pending.delete(p.clientId);
    this.onDelivered(message);
    this.onChange();
    // A send just went through, so the connection and the server work: whatever waits goes now.
    this.retryAll();
  }
}
