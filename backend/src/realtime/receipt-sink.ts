import type { ReceiptSink } from '../email-bridge/receipts.ts';
import type { Logger } from '../log.ts';
import { rooms, type IoServer, type SocketFanout } from './events.ts';

/** Receipts go out through the chat rooms: who has a chat open is who has a socket in its room, on any node. */
export function receiptSink(io: IoServer, fanout: SocketFanout, log: Logger): ReceiptSink {
  return {
    identitiesInChat: async (chatId) => (await io.in(rooms.chat(chatId)).fetchSockets()).map((s) => s.data.identityId),
    emit: (notices) => void fanout.delivery(notices).catch((err) => log.warn({ err }, 'delivery notices not sent')),
  };
}
