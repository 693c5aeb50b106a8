import type { Server } from 'socket.io';
import type { ChatEvents } from '../chats/events.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../protocol/index.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export interface SocketData {
  identityId: string;
  sessionId: string;
}

/** Room names in one place: every node and every handler must agree on them. */
export const rooms = {
  chat: (chatId: string) => `chat:${chatId}`,
  activity: (chatId: string) => `activity:${chatId}`,
  identity: (identityId: string) => `identity:${identityId}`,
  watcher: (identityId: string) => `watch:${identityId}`,
  session: (sessionId: string) => `session:${sessionId}`,
};

/**
 * Turns domain events into socket emits. Created before the socket server exists (the
 * message writer needs it at construction), so emits before attach() go nowhere.
 */
export class SocketFanout implements ChatEvents {
  private io: IoServer | null = null;
  /** True when rooms span several nodes (Redis adapter): an empty local room says nothing then. */
  private clustered = false;

  attach(io: IoServer, opts: { clustered: boolean } = { clustered: false }): void {
    this.io = io;
    this.clustered = opts.clustered;
  }

  messagePosted(m: Parameters<ChatEvents['messagePosted']>[0]): void {
    if (!this.io) return;
    this.io.to(rooms.chat(m.chatId)).emit('message', m);
    // Each broadcast encodes its packet even for an empty room; sidebars watching a chat are rare.
    const activityRoom = rooms.activity(m.chatId);
    if (this.clustered || this.io.sockets.adapter.rooms.has(activityRoom)) {
      this.io.to(activityRoom).emit('chats:activity', { chatId: m.chatId, lastSeq: m.seq, lastActivityAt: m.createdAt });
    }
  }

  chatUpdated(chatId: string): void {
    this.io?.to([rooms.chat(chatId), rooms.activity(chatId)]).emit('chat:updated', { chatId });
  }

  memberJoined(chatId: string, identityId: string): void {
    this.io?.in(rooms.watcher(identityId)).socketsJoin(rooms.activity(chatId));
  }

  memberRemoved(chatId: string, identityId: string): void {
    if (!this.io) return;
    this.io.in(rooms.identity(identityId)).socketsLeave([rooms.chat(chatId), rooms.activity(chatId)]);
    this.io.to(rooms.identity(identityId)).emit('chat:updated', { chatId });
  }

  readMoved(n: Parameters<ChatEvents['readMoved']>[0]): void {
    this.io?.to([rooms.chat(n.chatId), rooms.identity(n.identityId)]).emit('read', n);
  }

  accessRequested(ownerId: string, r: Parameters<ChatEvents['accessRequested']>[1]): void {
    this.io?.to(rooms.identity(ownerId)).emit('access:requested', r);
  }

  accessDecided(identityId: string, r: Parameters<ChatEvents['accessDecided']>[1]): void {
    this.io?.to(rooms.identity(identityId)).emit('access:decided', r);
  }

  disconnectSession(sessionId: string): void {
    if (!this.io) return;
    this.io.to(rooms.session(sessionId)).emit('server:closing', { reason: 'signed out' });
    this.io.in(rooms.session(sessionId)).disconnectSockets(true);
  }
}
