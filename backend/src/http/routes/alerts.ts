import type { Services } from '../../services.ts';
import type { RouteHandlers } from './index.ts';

/** REST over alert settings: mine for every device, and mute or sound per chat. */
export function alertHandlers(s: Services): Pick<RouteHandlers, 'alerts' | 'setAlerts' | 'setChatAlerts'> {
  return {
    alerts: (_input, { caller }) => s.alerts.get(caller),
    setAlerts: ({ body }, { caller }) => s.alerts.set(caller, body),
    setChatAlerts: ({ params, body }, { caller }) => s.alerts.setForChat(caller, params.chatId, body),
  };
}
