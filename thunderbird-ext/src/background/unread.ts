/**
 * My chats' unread counts for the "Chats" button badge, and an alert for a new IM from someone
 * else in a chat the person is not looking at (no visible view shows it, or Thunderbird is in the
 * background). Counts come from the server's chat list (the source of truth across devices),
 * refreshed whenever the socket reports activity; what alerts, and how, follows the person's
 * alert settings and do-not-disturb from the server, by the rules every surface shares
 * (ui/src/alerts/alert-policy.ts).
 */
import type { AlertsView, ChatSummary } from '../../../protocol/index.ts';
import { alertsFor, EVERY_ALERT, seenOf, unreadToBadge, type Alert } from '../../../ui/src/alerts/alert-policy.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';

export interface UnreadDeps {
  transport(): Pick<ChatTransport, 'status' | 'on' | 'watchChats'>;
  /** GET /api/chats; null when signed out. */
  listChats(): Promise<ChatSummary[]> | null;
  /** GET /api/me/alerts; null when signed out. */
  alertSettings(): Promise<AlertsView> | null;
  setBadge(total: number): void;
  /** True when no Thunderbird window has the focus. */
  inBackground(): Promise<boolean>;
  /** True while a visible view (message pane, Chats tab) shows this chat. */
  showing(chatId: string): boolean;
  alert(a: Alert, settings: AlertsView): void;
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

export class UnreadTracker {
  private lastSeqs = new Map<string, number>();
  private settings: AlertsView | null = null;
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
    this.settings = null;
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
    const candidates = mayNotify && alertsFor(this.lastSeqs, chats, EVERY_ALERT, () => false).length > 0;
    // Fresh settings whenever something might alert: do-not-disturb or a mute from another device holds at once.
    const fresh = candidates || !this.settings ? ((await this.deps.alertSettings()?.catch(() => null)) ?? null) : this.settings;
    if (fresh) this.settings = fresh;
    const settings = this.settings;
    const background = candidates ? await this.deps.inBackground() : true;
    // Settings that could not be read now stay silent rather than break a do-not-disturb set meanwhile.
    const alerts = candidates && fresh ? alertsFor(this.lastSeqs, chats, fresh, (id) => !background && this.deps.showing(id)) : [];
    this.chats = chats;
    this.lastSeqs = seenOf(chats, this.lastSeqs);
    this.deps.setBadge(unreadToBadge(chats, settings));
    await this.deps.memory?.save(Object.fromEntries(this.lastSeqs)).catch(() => undefined);
    if (fresh) for (const a of alerts) this.deps.alert(a, fresh);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const off of this.offs) off();
    this.offs = [];
  }
}
