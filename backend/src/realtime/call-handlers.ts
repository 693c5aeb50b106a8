import type { z } from 'zod';
import { callRefEvent, callSignalEvent, callStartEvent, type Ack, type ClientToServerEvents } from '../../../protocol/index.ts';
import type { CallService } from '../calls/calls.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import type { IoServer } from './events.ts';

/** The socket server's validating listener factory (socket-server.ts). */
export type Handle = <S extends z.ZodType, R extends object>(
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: z.output<S>) => Promise<R>,
) => (payload: unknown, ack?: (r: Ack<R>) => void) => void;

type IoSocket = Parameters<Parameters<IoServer['on']>[1]>[0];

/**
 * Call signalling on one connection. Each event is checked by the call domain against the
 * caller's membership of the chat; the socket id names this device, so a member's signals
 * reach the one device that joined the call.
 */
export function registerCallHandlers(socket: IoSocket, caller: Caller, handle: Handle, calls: CallService, accepting: () => boolean): void {
  const device = socket.id;
  socket.on(
    'call:start',
    handle('call:start', callStartEvent, async ({ chatId, media }) => {
      if (!accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; call again in a moment');
      return calls.start(caller, device, chatId, media);
    }),
  );
  socket.on(
    'call:accept',
    handle('call:accept', callRefEvent, ({ chatId, callId }) => calls.accept(caller, device, chatId, callId)),
  );
  socket.on(
    'call:decline',
    handle('call:decline', callRefEvent, async ({ chatId, callId }) => {
      await calls.decline(caller, chatId, callId);
      return {};
    }),
  );
  socket.on(
    'call:leave',
    handle('call:leave', callRefEvent, async ({ chatId, callId }) => {
      await calls.leave(caller, chatId, callId);
      return {};
    }),
  );
  socket.on(
    'call:signal',
    handle('call:signal', callSignalEvent, async ({ chatId, callId, to, signal }) => {
      await calls.signal(caller, device, chatId, callId, to, signal);
      return {};
    }),
  );
  socket.on('disconnect', () => calls.deviceGone(device));
}
