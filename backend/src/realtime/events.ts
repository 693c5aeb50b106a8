import type { Server } from 'socket.io';
import type { ChatEvents } from '../chats/events.ts';
import type { MemberHandles } from '../chats/handles.ts';
import { viewersOf, type Visibility } from '../chats/membership.ts';
import { publicMessage } from '../chats/views.ts';
import type { Logger } from '../log.ts';
import type { PresenceEvents } from '../presence/publisher.ts';
import type {
  ClientToServerEvents,
  DeliveryNotice,
  CapabilitiesNotice,
  PresenceNotice,
  ServerToClientEvents,
  TranslationView,
} from '../../../protocol/index.ts';

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
  /** One member's sockets joined to one chat: what is for that reader alone (translations, mentions) goes here. */
  member: (chatId: string, identityId: string) => `member:${chatId}:${identityId}`,
  /** Presence notices: full sessions of an identity, and a one-chat session's own chat. */
  presence: (identityId: string) => `presence:${identityId}`,
  presenceIn: (identityId: string, chatId: string) => `presence:${identityId}:${chatId}`,
};

/**
 * Turns domain events into socket emits. Created before the socket server exists (the
 * message writer needs it at construction), so emits before attach() go nowhere.
 */
export class SocketFanout implements ChatEvents, PresenceEvents {
  private io: IoServer | null = null;
  /** True when rooms span several nodes (Redis adapter): an empty local room says nothing then. */
  private clustered = false;

  /**
   * Every member-scoped event leaves here named by member handle, and an event about a hidden
   * (Bcc) member goes only to the identity rooms of the owner and that member, never to the
   * chat's room: the same rule the REST views apply (membership.ts, sees/viewersOf).
   */
  constructor(
    private readonly handles: MemberHandles,
    private readonly visibility: (chatIds: string[]) => Promise<Map<string, Visibility>>,
    private readonly log: Logger,
  ) {}

  /** Calls `send` per member with who may hear about them: everyone in the chat room, or only these identities. */
  private async toViewers(
    chatId: string,
    memberIds: string[],
    send: (memberId: string, viewers: 'everyone' | string[]) => void,
  ): Promise<void> {
    const v = (await this.visibility([chatId])).get(chatId);
    if (!v) return;
    for (const id of memberIds) send(id, viewersOf(v, id));
  }

  attach(io: IoServer, opts: { clustered: boolean } = { clustered: false }): void {
    this.io = io;
    this.clustered = opts.clustered;
  }

  messagePosted(m: Parameters<ChatEvents['messagePosted']>[0]): void {
    if (!this.io) return;
    // The mentioned get their own copy (mentionsMe), in the chat and in their lists; everyone else the common one.
    const mentionedRooms = m.mentions.map((id) => rooms.member(m.chatId, id));
    const mentionedWatchers = m.mentions.map(rooms.watcher);
    this.io.to(rooms.chat(m.chatId)).except(mentionedRooms).emit('message', publicMessage(m, this.handles));
    if (m.mentions.length > 0) this.io.to(mentionedRooms).emit('message', { ...publicMessage(m, this.handles), mentionsMe: true });
    // Each broadcast encodes its packet even for an empty room; sidebars watching a chat are rare.
    const activityRoom = rooms.activity(m.chatId);
    const activity = { chatId: m.chatId, lastSeq: m.seq, lastActivityAt: m.createdAt };
    if (this.clustered || this.io.sockets.adapter.rooms.has(activityRoom)) {
      this.io.to(activityRoom).except(mentionedWatchers).emit('chats:activity', activity);
    }
    if (m.mentions.length > 0) this.io.to(mentionedWatchers).emit('chats:activity', { ...activity, mentionsMe: true });
  }

  chatUpdated(chatId: string, only?: string[]): void {
    const to = only ? only.map(rooms.identity) : [rooms.chat(chatId), rooms.activity(chatId)];
    this.io?.to(to).emit('chat:updated', { chatId });
  }

  /** Clients learn of the end from the chat's view, as of any other change to it. */
  chatEnded(chatId: string): void {
    this.chatUpdated(chatId);
  }

  memberJoined(chatId: string, identityId: string): void {
    this.io?.in(rooms.watcher(identityId)).socketsJoin(rooms.activity(chatId));
  }

  memberRemoved(chatId: string, identityId: string): void {
    if (!this.io) return;
    this.io.in(rooms.identity(identityId)).socketsLeave([rooms.chat(chatId), rooms.activity(chatId), rooms.member(chatId, identityId)]);
    this.io.to(rooms.identity(identityId)).emit('chat:updated', { chatId });
  }

  audienceAdded(chat: Parameters<ChatEvents['audienceAdded']>[0], identityIds: string[]): void {
    if (!this.io || identityIds.length === 0) return;
    const watchers = identityIds.map(rooms.watcher);
    // Their open lists follow the chat's activity from now on, as for a chat they joined.
    this.io.in(watchers).socketsJoin(rooms.activity(chat.chatId));
    this.io.to(watchers).emit('chats:activity', chat);
  }

  audienceRemoved(chatId: string, identityIds: string[]): void {
    for (const id of identityIds) this.memberRemoved(chatId, id);
  }

  readMoved(n: Parameters<ChatEvents['readMoved']>[0]): void {
    if (!this.io) return;
    const notice = { ...n, identityId: this.handles.of(n.chatId, n.identityId) };
    // The reader's own devices always hear it (their unread counts follow).
    this.toViewers(n.chatId, [n.identityId], (id, viewers) =>
      this.io
        ?.to([...(viewers === 'everyone' ? [rooms.chat(n.chatId)] : viewers.map(rooms.identity)), rooms.identity(id)])
        .emit('read', notice),
    ).catch((err) => this.log.warn({ err, chatId: n.chatId }, 'read notice not sent'));
  }

  reactionChanged(n: Parameters<ChatEvents['reactionChanged']>[0]): void {
    if (!this.io) return;
    const notice = { ...n, identityId: this.handles.of(n.chatId, n.identityId) };
    this.toViewers(n.chatId, [n.identityId], (_id, viewers) =>
      this.io?.to(viewers === 'everyone' ? rooms.chat(n.chatId) : viewers.map(rooms.identity)).emit('reaction', notice),
    ).catch((err) => this.log.warn({ err, chatId: n.chatId }, 'reaction notice not sent'));
  }

  /** A member typing, from one of their sockets (which does not hear it back). */
  async typing(chatId: string, identityId: string, typing: boolean, fromSocketId: string): Promise<void> {
    if (!this.io) return;
    const notice = { chatId, identityId: this.handles.of(chatId, identityId), typing };
    await this.toViewers(chatId, [identityId], (_id, viewers) =>
      this.io
        ?.to(viewers === 'everyone' ? rooms.chat(chatId) : viewers.map(rooms.identity))
        .except(fromSocketId)
        .emit('typing', notice),
    );
  }

  /**
   * Members' delivered/emailed positions moved (senders' receipts); `identityId` is the member's
   * identity. A commit moves every open member of a chat at once: the ones everyone may see go
   * to the room as one event (one packet per socket instead of one per member per socket, which
   * was about 40 % of the server's socket writes under load), a hidden member's alone to its viewers.
   */
  async delivery(notices: DeliveryNotice[]): Promise<void> {
    if (!this.io || notices.length === 0) return;
    const byChat = new Map<string, DeliveryNotice[]>();
    for (const n of notices) {
      const list = byChat.get(n.chatId);
      if (list) list.push(n);
      else byChat.set(n.chatId, [n]);
    }
    const v = await this.visibility([...byChat.keys()]);
    for (const [chatId, list] of byChat) {
      const visibility = v.get(chatId);
      if (!visibility) continue;
      const toRoom: DeliveryNotice[] = [];
      for (const n of list) {
        const named = { ...n, identityId: this.handles.of(chatId, n.identityId) };
        const viewers = viewersOf(visibility, n.identityId);
        if (viewers === 'everyone') toRoom.push(named);
        else this.io.to(viewers.map(rooms.identity)).emit('delivery', [named]);
      }
      if (toRoom.length > 0) this.io.to(rooms.chat(chatId)).emit('delivery', toRoom);
    }
  }

  /**
   * A translation reaches only the sockets these members joined to this chat with: the readers
   * of its language (chosen by the translation module from the chat's current members).
   */
  messageTranslated(chatId: string, seq: number, translation: TranslationView, identityIds: string[]): void {
    if (!this.io || identityIds.length === 0) return;
    this.io.to(identityIds.map((id) => rooms.member(chatId, id))).emit('message:translated', { chatId, seq, translation });
  }

  /** A one-chat (link) session hears only of its chat's members: no other chat, no contact list. */
  presence(viewerId: string, notice: PresenceNotice): void {
    if (!this.io) return;
    this.io.to(rooms.presence(viewerId)).emit('presence', notice);
    for (const m of notice.members) {
      const room = rooms.presenceIn(viewerId, m.chatId);
      // One-chat sessions are few: skip encoding a packet for an empty local room.
      if (this.clustered || this.io.sockets.adapter.rooms.has(room)) {
        this.io.to(room).emit('presence', { ...notice, members: [m], contactId: null });
      }
    }
  }

  /** Like presence: a one-chat session hears only of its chat's members. */
  capabilities(viewerId: string, notice: CapabilitiesNotice): void {
    if (!this.io) return;
    this.io.to(rooms.presence(viewerId)).emit('capabilities:changed', notice);
    for (const m of notice.members) {
      const room = rooms.presenceIn(viewerId, m.chatId);
      if (this.clustered || this.io.sockets.adapter.rooms.has(room))
        this.io.to(room).emit('capabilities:changed', { ...notice, members: [m] });
    }
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
