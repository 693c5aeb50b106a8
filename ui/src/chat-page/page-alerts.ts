/**
 * Alerts on the web page: for every chat of the signed-in person except the one open in a
 * visible tab. A hidden tab, or home, alerts for all of them.
 */
import type { ApiClient } from '../api-client.ts';
import { browserAlerts } from '../alerts/browser-alerts.ts';
import { watchAlerts, type AlertWatch } from '../alerts/alert-watch.ts';
import type { ChatTransport } from '../transport.ts';

export function pageAlerts(opts: {
  api: ApiClient;
  transport: ChatTransport;
  /** The chat on screen now (the messenger switches chats without loading a page). */
  openChatId: () => string | null;
  /** A notification was clicked: open its chat (default: load its page). */
  openChat?: (chatId: string) => void;
}): AlertWatch {
  const sink = browserAlerts({ host: document.body, openChat: opts.openChat ?? ((chatId) => location.assign(`/c/${chatId}`)) });
  const watch = watchAlerts({
    api: opts.api,
    transport: opts.transport,
    lookingAt: (chatId) => chatId === opts.openChatId() && document.visibilityState === 'visible',
    sink,
  });
  // Coming back to the tab: the open chat gets read, and the count follows.
  const visible = () => watch.check();
  document.addEventListener('visibilitychange', visible);
  return {
    check: watch.check,
    destroy() {
      document.removeEventListener('visibilitychange', visible);
      watch.destroy();
      sink.destroy();
    },
  };
}
