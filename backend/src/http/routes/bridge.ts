import type { Services } from '../../services.ts';
import type { RouteHandlers } from './index.ts';

type BridgeRoutes =
  'redeemLink' | 'invite' | 'delivery' | 'sendTranscript' | 'availability' | 'setAvailability' | 'startAddressLink' | 'verifyAddressLink';

/** REST over the email bridge: invitations, personal links, receipts, transcript email, availability, addresses. */
export function bridgeHandlers(s: Services): Pick<RouteHandlers, BridgeRoutes> {
  return {
    // The one chat route without a session: the personal link itself is the proof.
    redeemLink: ({ body }) => s.bridge.invitations.redeem(body.token, body.label),
    invite: ({ params, body }, { caller }) => s.bridge.invitations.invite(caller, params.chatId, body.address),
    delivery: ({ params }, { caller }) => s.bridge.delivery(caller, params.chatId),
    sendTranscript: ({ params }, { caller }) => s.bridge.transcripts.send(caller, params.chatId),
    availability: (_input, { caller }) => s.bridge.availability.get(caller),
    setAvailability: ({ body }, { caller }) => s.bridge.availability.set(caller, body),
    startAddressLink: ({ body }, { caller }) => s.bridge.addressLinks.start(caller, body.address),
    verifyAddressLink: ({ body }, { caller }) => s.bridge.addressLinks.verify(caller, body.linkId, body.code),
  };
}
