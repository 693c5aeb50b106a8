/**
 * My chats' unread counts for the "Chats" button badge, and a notification for a new IM from
 * someone else while Thunderbird is in the background. Counts come from the server's chat list
 * (the source of truth across devices), refreshed whenever the socket reports activity.
 */
import type { ChatSummary } from '../../../protocol/index.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';

export interface UnreadDeps {
  transport(): Pick<ChatTransport, 'status' | 'on' | 'watchChats'>;
  /** GET /api/chats; null when signed out. */
  listChats(): Promise<ChatSummary[]> | null;
  setBadge(total: number): void;
  /** True when no Thunderbird window has the focus. */
  inBackground(): Promise<boolean>;
  notify(chat: ChatSummary): void;
  /** Debounce for bursts of activity. */
  delayMs?: number;
  /**
   * Each chat's last seq as of the previous list, kept across the background being suspended,
   * so the first list after waking still notifies about what arrived while it slept.
   */
  memory?: {
    load(): Promise<Record<string, number> | null>;
    save(lastSeqs: Record<string, number>): Promise<void>;
  };
}

export function totalUnread(chats: readonly ChatSummary[]): number {
  return chats.reduce((n, c) => n + (c.endedAt ? 0 : c.unread), 0);
}

/** Chats that got a new message from someone else since the previous list (authors are named per chat). */
export function newFromOthers(before: ReadonlyMap<string, number>, after: readonly ChatSummary[]): ChatSummary[] {
  return after.filter((c) => {
    // A chat not seen before (someone just started it with me) counts from zero.
    const known = before.get(c.id) ?? 0;
    if (c.lastSeq <= known || c.unread === 0) return false;
    const m = c.lastMessage;
    return !!m && m.kind === 'TEXT' && !m.deleted && m.authorId !== c.me.identityId;
  });
}

export class UnreadTracker {
  private lastSeqs = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private offs: (() => void)[] = [];
  private generation = 0;
  chats: ChatSummary[] = [];

  constructor(private readonly deps: UnreadDeps) {}

  /** (Re)subscribes to the current transport and loads the list. */
  attach(): void {
    for (const off of this.offs) off();
    this.generation++;
    this.lastSeqs.clear();
    this.chats = [];
    const t = this.deps.transport();
    this.offs = [
      t.on('chats:activity', () => this.schedule()),
      t.on('read', () => this.schedule()),
      t.on('status', (s) => {
        if (s === 'online') void this.watch();
        if (s === 'unauthorized') this.deps.setBadge(0);
      }),
    ];
    if (t.status === 'online') void this.watch();
    else if (t.status === 'unauthorized') this.deps.setBadge(0);
  }

  /** Something outside the socket changed the counts (a view marked a chat read). */
  schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.deps.delayMs ?? 300);
  }

  private async watch(): Promise<void> {
    const gen = this.generation;
    try {
      const remembered = await this.deps.memory?.load().catch(() => null);
      const chats = await this.deps.transport().watchChats();
      if (gen !== this.generation) return;
      // Without a memory of the previous list, everything would look new: no notifications then.
      if (remembered && this.lastSeqs.size === 0) this.lastSeqs = new Map(Object.entries(remembered));
      await this.apply(chats, !!remembered || this.lastSeqs.size > 0);
    } catch {
      // Offline or signed out: the next 'online' status retries.
    }
  }

  async refresh(): Promise<void> {
    const gen = this.generation;
    const pending = this.deps.listChats();
    if (!pending) return;
    try {
      const chats = await pending;
      if (gen === this.generation) await this.apply(chats, true);
    } catch {
      // Keep the last known badge; the next activity refreshes again.
    }
  }

  private async apply(chats: ChatSummary[], mayNotify: boolean): Promise<void> {
    const fresh = mayNotify ? newFromOthers(this.lastSeqs, chats) : [];
    this.chats = chats;
    this.lastSeqs = new Map(chats.map((c) => [c.id, c.lastSeq]));
    this.deps.setBadge(totalUnread(chats));
    await this.deps.memory?.save(Object.fromEntries(this.lastSeqs)).catch(() => undefined);
    if (fresh.length && (await this.deps.inBackground())) for (const c of fresh) this.deps.notify(c);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const off of this.offs) off();
    this.offs = [];
  }
}
