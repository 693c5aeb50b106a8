import type { CallEvents } from '../calls/events.ts';
import { rooms, type IoServer } from './events.ts';

/**
 * Turns call events into socket emits. A device is a socket id: socket.io addresses one
 * socket by it on any node. Created before the socket server exists, like SocketFanout.
 */
export class SocketCallEvents implements CallEvents {
  private io: IoServer | null = null;

  attach(io: IoServer): void {
    this.io = io;
  }

  ring(identityIds: string[], ring: Parameters<CallEvents['ring']>[1]): void {
    if (identityIds.length) this.io?.to(identityIds.map(rooms.identity)).emit('call:ring', ring);
  }

  updated(call: Parameters<CallEvents['updated']>[0], identityIds: string[]): void {
    this.io?.to([rooms.chat(call.chatId), ...identityIds.map(rooms.identity)]).emit('call:updated', call);
  }

  signal(device: string, notice: Parameters<CallEvents['signal']>[1]): void {
    this.io?.to(device).emit('call:signal', notice);
  }
}
