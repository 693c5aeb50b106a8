/**
 * Follows a person's chats through the transport they already have (the "My chats" feed:
 * `chats:watch`, then `chats:activity`, `read` and `chat:updated`), and hands each new message
 * that deserves an alert to the surface's sink. The server filters both the summaries and the
 * settings for this person; the settings are read fresh whenever a message might alert, so
 * do-not-disturb or a mute set on another device holds at once.
 */
import type { AlertsView, ChatSummary } from '../../../protocol/index.ts';
import type { ChatTransport } from '../transport.ts';
import { alertsFor, EVERY_ALERT, seenOf, unreadToBadge, type Alert } from './alert-policy.ts';

/** What a surface does with alerts: the web page notifies and plays a sound, Thunderbird uses messenger.notifications. */
export interface AlertSink {
  alert(a: Alert, settings: AlertsView): void;
  /** Unread messages to badge (title, favicon, toolbar button), already zero under do-not-disturb. */
  unread(n: number): void;
}

export interface AlertWatchOptions {
  api: { alerts(): Promise<AlertsView> };
  transport: Pick<ChatTransport, 'watchChats' | 'on'>;
  /** True while the person is looking at that chat (it is open and visible): no alert for it. */
  lookingAt: (chatId: string) => boolean;
  sink: AlertSink;
  /** Events come in bursts (a message, then its read and activity): one check after they settle. */
  settleMs?: number;
}

export interface AlertWatch {
  /** Look again now (e.g. the page became visible, or settings changed here). */
  check(): void;
  destroy(): void;
}

export function watchAlerts(opts: AlertWatchOptions): AlertWatch {
  const settle = opts.settleMs ?? 150;
  let seen: Map<string, number> | null = null;
  let settings: AlertsView | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let again = false;
  let destroyed = false;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const chats: ChatSummary[] = await opts.transport.watchChats();
      if (destroyed) return;
      // The first look only learns where every chat stands: what was there before is not news.
      if (!settings || (seen && alertsFor(seen, chats, EVERY_ALERT, opts.lookingAt).length > 0)) settings = await opts.api.alerts();
      if (destroyed) return;
      const alerts = seen ? alertsFor(seen, chats, settings, opts.lookingAt) : [];
      seen = seenOf(chats, seen ?? undefined);
      opts.sink.unread(unreadToBadge(chats, settings));
      for (const a of alerts) opts.sink.alert(a, settings);
    } catch {
      // Offline or signed out: the next event or reconnect looks again.
    } finally {
      running = false;
      if (again && !destroyed) {
        again = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), settle);
  };
  const offs = [
    opts.transport.on('chats:activity', schedule),
    opts.transport.on('read', schedule),
    opts.transport.on('chat:updated', schedule),
    opts.transport.on('status', (s) => s === 'online' && schedule()),
  ];
  void run();
  return {
    check: () => {
      // Settings may have changed here: read them again with the next look.
      settings = null;
      schedule();
    },
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      offs.forEach((off) => off());
    },
  };
}
