import type { Server } from 'socket.io';
import type { ChatEvents } from '../chats/events.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../protocol/index.ts';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export interface SocketData {
  identityId: string;
  sessionId: string;
}

interface Corkable {
  cork(): void;
  uncork(): void;
}
/** engine.io connection -> its websocket transport -> the ws socket -> the TCP socket. */
interface EngineConnection {
  transport?: { socket?: { _socket?: Corkable } };
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
  private corked: Set<Corkable> | null = null;

  attach(io: IoServer, opts: { clustered: boolean } = { clustered: false }): void {
    this.io = io;
    this.clustered = opts.clustered;
  }

  messagePosted(m: Parameters<ChatEvents['messagePosted']>[0]): void {
    if (!this.io) return;
    const chatRoom = rooms.chat(m.chatId);
    this.holdWrites(chatRoom);
    this.io.to(chatRoom).emit('message', m);
    // Each broadcast encodes its packet even for an empty room; sidebars watching a chat are rare.
    const activityRoom = rooms.activity(m.chatId);
    if (this.clustered || this.io.sockets.adapter.rooms.has(activityRoom)) {
      this.io.to(activityRoom).emit('chats:activity', { chatId: m.chatId, lastSeq: m.seq, lastActivityAt: m.createdAt });
    }
  }

  /**
   * A committed batch fans out many messages (and their acks) within one turn of the event
   * loop, often several to the same connection; each would be its own write system call, the
   * largest cost in the profile. Corking the room's TCP sockets until setImmediate sends each
   * connection's frames in one write. Reaches into engine.io/ws internals, so it does nothing
   * when their shape differs (e.g. long-polling clients).
   */
  private holdWrites(room: string): void {
    const io = this.io!;
    const ids = io.sockets.adapter.rooms.get(room);
    if (!ids) return;
    let corked = this.corked;
    if (!corked) {
      corked = this.corked = new Set();
      setImmediate(() => {
        this.corked = null;
        for (const tcp of corked!) tcp.uncork();
      });
    }
    for (const id of ids) {
      const conn = io.sockets.sockets.get(id)?.conn as unknown as EngineConnection | undefined;
      const tcp = conn?.transport?.socket?._socket;
      if (tcp && typeof tcp.cork === 'function' && !corked.has(tcp)) {
        tcp.cork();
        corked.add(tcp);
      }
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
