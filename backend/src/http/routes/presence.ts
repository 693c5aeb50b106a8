import type { Services } from '../../services.ts';
import type { RouteHandlers } from './index.ts';

type PresenceRoutes =
  | 'presenceSettings'
  | 'setPresenceSettings'
  | 'chatPresence'
  | 'chatCapabilities'
  | 'contacts'
  | 'removeContact'
  | 'blocks'
  | 'block'
  | 'unblock';

/** REST over presence, contacts and blocked addresses (the rules live in backend/src/presence). */
export function presenceHandlers(s: Services): Pick<RouteHandlers, PresenceRoutes> {
  return {
    presenceSettings: (_input, { caller }) => s.presence.settings(caller),
    setPresenceSettings: ({ body }, { caller }) => s.presence.setSettings(caller, body.visibility),
    chatPresence: ({ params }, { caller }) => s.presence.chatPresence(caller, params.chatId),
    chatCapabilities: ({ params }, { caller }) => s.presence.chatCapabilities(caller, params.chatId),
    contacts: (_input, { caller }) => s.presence.contacts(caller),
    removeContact: async ({ params }, { caller }) => {
      await s.presence.removeContact(caller, params.contactId);
      return undefined;
    },
    blocks: (_input, { caller }) => s.presence.blocks(caller),
    block: ({ body }, { caller }) => s.presence.block(caller, body.address),
    unblock: ({ params }, { caller }) => s.presence.unblock(caller, params.address),
  };
}
