import type { z } from 'zod';
import { callRefEvent, callSignalEvent, callStartEvent, type Ack, type ClientToServerEvents } from '../../../protocol/index.ts';
import type { CallService } from '../calls/calls.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';

/** What a call listener needs of its connection: the socket id names this device. */
interface CallConnection {
  socket: { id: string };
  caller: Caller;
}

/** The socket server's validating listener factory (socket-server.ts). */
export type Handle = <S extends z.ZodType, R extends object>(
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: z.output<S>, c: CallConnection) => Promise<R>,
) => (this: object, payload: unknown, ack?: (r: Ack<R>) => void) => void;

/**
 * Call signalling, one listener per event shared by every socket. Each event is checked by the
 * call domain against the caller's membership of the chat; the socket id names this device, so
 * a member's signals reach the one device that joined the call. The socket server tells the
 * domain when a device's socket is gone.
 */
export function callListeners(handle: Handle, calls: CallService, accepting: () => boolean) {
  return {
    start: handle('call:start', callStartEvent, async ({ chatId, media }, { socket, caller }) => {
      if (!accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; call again in a moment');
      return calls.start(caller, socket.id, chatId, media);
    }),
    accept: handle('call:accept', callRefEvent, ({ chatId, callId }, { socket, caller }) =>
      calls.accept(caller, socket.id, chatId, callId),
    ),
    decline: handle('call:decline', callRefEvent, async ({ chatId, callId }, { caller }) => {
      await calls.decline(caller, chatId, callId);
      return {};
    }),
    leave: handle('call:leave', callRefEvent, async ({ chatId, callId }, { caller }) => {
      await calls.leave(caller, chatId, callId);
      return {};
    }),
    signal: handle('call:signal', callSignalEvent, async ({ chatId, callId, to, signal }, { socket, caller }) => {
      await calls.signal(caller, socket.id, chatId, callId, to, signal);
      return {};
    }),
  };
}
