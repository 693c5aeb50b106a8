import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { ClusterMessage } from 'socket.io-adapter';
import type { z } from 'zod';
import {
  capabilitiesEvent,
  deleteEvent,
  editEvent,
  reactEvent,
  joinEvent,
  leaveEvent,
  readEvent,
  sendEvent,
  typingEvent,
  visibilityEvent,
  watchEvent,
  type Ack,
  type ClientToServerEvents,
  type ServerClosingReason,
  type ServerToClientEvents,
} from '../../../protocol/index.ts';
import { AppError, failureLogger, publicError } from '../errors.ts';
import type { Presence } from '../email-bridge/presence.ts';
import type { Caller } from '../identity/sessions.ts';
import type { Logger } from '../log.ts';
import { secondsSince, type Metrics } from '../ops/metrics.ts';
import type { Services } from '../services.ts';
import { parseInput } from '../validate.ts';
import { callListeners } from './call-handlers.ts';
import { rooms, type IoServer, type SocketData, type SocketFanout } from './events.ts';

export interface RealtimeDeps {
  httpServer: HttpServer;
  services: Services;
  fanout: SocketFanout;
  /** Told of every socket and whether its client is visible: who is looking decides who is emailed. */
  presence: Pick<Presence, 'connected' | 'visibility' | 'disconnected'>;
  log: Logger;
  metrics: Metrics;
  isAllowedOrigin: (origin: string | undefined) => boolean;
  maxPayloadBytes: number;
  eventsPer10s: number;
  /** Bytes a connection may send per 10 s, counted on every frame (known events or not). */
  bytesPer10s: number;
  /** Open sockets allowed per identity and per client IP, on this node. */
  maxSocketsPerIdentity: number;
  maxSocketsPerIp: number;
  /** Take the client IP from X-Forwarded-For (behind a reverse proxy), as the HTTP side does. */
  trustProxy: boolean;
  /** The adapter's own client (see ops/redis.ts): it queues commands through an outage. */
  redis?: { client: Redis; keyPrefix: string; streamMaxLen: number };
  /** False while shutting down: new sends are refused so in-flight ones can finish. */
  accepting: () => boolean;
}

/**
 * A fixed window per connection, fed by the transport itself (every event packet, whatever
 * its name, and every frame's bytes): over the event budget, events are refused; far over
 * it, or over the byte budget (a flood), the connection is cut off as soon as that frame is
 * read, so one client cannot make the server read, parse and answer everything it sends.
 */
class ConnectionBudget {
  private windowStart = Date.now();
  private events = 0;
  private bytes = 0;
  constructor(
    private readonly eventLimit: number,
    private readonly byteLimit: number,
  ) {}
  takeEvent(): 'ok' | 'over' | 'flood' {
    this.roll();
    this.events++;
    if (this.events > this.eventLimit * 3) return 'flood';
    return this.events > this.eventLimit ? 'over' : 'ok';
  }
  takeBytes(n: number): 'ok' | 'flood' {
    this.roll();
    this.bytes += n;
    return this.bytes > this.byteLimit ? 'flood' : 'ok';
  }
  private roll(): void {
    const now = Date.now();
    if (now - this.windowStart >= 10_000) {
      this.windowStart = now;
      this.events = 0;
      this.bytes = 0;
    }
  }
}

type IoSocket = Parameters<Parameters<IoServer['on']>[1]>[0];

/** One socket's state, kept per socket for the listeners all sockets share. */
export interface Connection {
  socket: IoSocket;
  caller: Caller;
  budget: ConnectionBudget;
  /** The client's language was offered to the identity already (once per connection). */
  clientLanguageSeen: boolean;
}

/** Open connections per key (identity, IP) on this node; a key is dropped at zero. */
class ConnectionCounter {
  private readonly counts = new Map<string, number>();
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string, n: 1 | -1): void {
    const next = this.count(key) + n;
    if (next > 0) this.counts.set(key, next);
    else this.counts.delete(key);
  }
}

/** An engine.io packet as its 'packet' event gives it. */
interface EnginePacket {
  type: string;
  data?: unknown;
}

function packetBytes(p: EnginePacket): number {
  if (typeof p.data === 'string') return Buffer.byteLength(p.data);
  if (p.data instanceof ArrayBuffer || ArrayBuffer.isView(p.data)) return p.data.byteLength;
  return 0;
}

/** engine.io connection -> websocket transport -> ws socket -> TCP socket (internals; checked at run time). */
interface EngineConnection {
  transport?: { send?: (packets: unknown[]) => void; socket?: { _socket?: { cork(): void; uncork(): void } }; coalesced?: boolean };
}

/**
 * engine.io writes every packet it flushes as its own websocket frame, and each frame is its
 * own write system call: the largest cost in the server's profile under load (a connection
 * gets its chats' messages and its acks in bursts). Corking the TCP socket around one flush
 * sends all of its frames in one write. Does nothing for transports of another shape (polling).
 */
function coalesceWrites(conn: unknown): void {
  const transport = (conn as EngineConnection).transport;
  const tcp = transport?.socket?._socket;
  const send = transport?.send;
  if (!transport || transport.coalesced || !tcp || typeof tcp.cork !== 'function' || typeof send !== 'function') return;
  transport.coalesced = true;
  transport.send = (packets: unknown[]) => {
    tcp.cork();
    try {
      send.call(transport, packets);
    } finally {
      tcp.uncork();
    }
  };
}

/**
 * The cluster adapter hands a broadcast to this node's own sockets only after Redis has
 * taken the copy for the other nodes. Through a Redis outage that would hold back every
 * live message, even between two members on the same node. Here the publish resolves at
 * once and the copy goes to Redis in the background (the client queues it through an
 * outage, in order); the stream offset it would return only serves connection-state
 * recovery, which is off.
 */
function localFirst<A extends { doPublish(message: ClusterMessage): unknown }>(adapter: A, log: Logger, maxPending: number): A {
  const publish = adapter.doPublish.bind(adapter);
  let loggedAt = 0;
  // Through a long outage the queue would grow without bound; past what the stream keeps
  // anyway, a broadcast is dropped and other nodes' clients repair the hole by re-joining.
  let pending = 0;
  let dropped = 0;
  adapter.doPublish = (message: ClusterMessage) => {
    if (pending >= maxPending) {
      dropped++;
      if (Date.now() - loggedAt > 10_000) {
        loggedAt = Date.now();
        log.warn({ dropped }, 'Redis unreachable and the broadcast queue is full: broadcasts to other nodes dropped');
      }
      return Promise.resolve('');
    }
    pending++;
    Promise.resolve(publish(message))
      .catch((err: unknown) => log.warn({ err: String(err) }, 'could not publish a broadcast to Redis'))
      .finally(() => pending--);
    return Promise.resolve('');
  };
  return adapter;
}

export function createSocketServer(d: RealtimeDeps): IoServer {
  const io: IoServer = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(d.httpServer, {
    transports: ['websocket', 'polling'],
    perMessageDeflate: false,
    httpCompression: false,
    maxHttpBufferSize: d.maxPayloadBytes,
    // A dead client (and, for an idle client, a dead server) is noticed within 15 s rather
    // than 45 s: offline members are emailed sooner and idle panels reconnect sooner. A
    // busy client notices faster still: its transport replaces a connection whose ack is late.
    pingInterval: 10_000,
    pingTimeout: 5_000,
    cors: { origin: (origin, cb) => cb(null, d.isAllowedOrigin(origin)), credentials: false },
    // The Origin check on the handshake itself, for websocket and polling alike.
    allowRequest: (req, cb) => {
      const ok = d.isAllowedOrigin(req.headers.origin);
      if (!ok) d.log.warn({ origin: req.headers.origin }, 'socket handshake refused: origin not allowed');
      cb(ok ? null : 'origin not allowed', ok);
    },
  });
  if (d.redis) {
    // Redis Streams rather than pub/sub: a node that loses Redis for a while resumes reading
    // the stream from its last offset, so its clients get the broadcasts they missed instead
    // of each discovering a gap and re-joining. A reader takes up to 1,000 entries per call to
    // keep up at peak rates; a short block time lets a closing node stop its reader promptly.
    const maxPending = d.redis.streamMaxLen;
    const streams = createAdapter(d.redis.client, {
      streamName: `${d.redis.keyPrefix}:socket.io`,
      channelPrefix: `${d.redis.keyPrefix}:socket.io`,
      maxLen: d.redis.streamMaxLen,
      readCount: 1_000,
      blockTimeInMs: 1_000,
      onlyPlaintext: true,
    });
    // socket.io calls this with `new`, so a function, not an arrow (returning an object from a constructor is allowed).
    io.adapter(function (nsp: unknown) {
      return localFirst(streams(nsp), d.log, maxPending);
    });
  }
  d.fanout.attach(io, { clustered: !!d.redis });

  /** Each socket's connection state, for the listeners every socket shares. */
  const connections = new WeakMap<object, Connection>();
  const perIdentity = new ConnectionCounter();
  const perIp = new ConnectionCounter();
  const clientIp = (socket: { handshake: { address: string; headers: Record<string, string | string[] | undefined> } }) => {
    const forwarded = socket.handshake.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    return d.trustProxy && first ? first : socket.handshake.address;
  };
  // During an outage every handler and handshake fails alike: one warn line per window.
  const logFailure = failureLogger(d.log);

  io.use(async (socket, next) => {
    try {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
      const caller = await d.services.sessions.authenticate(token);
      // Counted per node (each process caps its own connections): enough to stop one token or
      // one address from holding hundreds of sockets, without a shared counter to keep right.
      const ip = clientIp(socket);
      if (perIdentity.count(caller.identityId) >= d.maxSocketsPerIdentity) {
        throw new AppError(
          'TOO_MANY_CONNECTIONS',
          `Too many open connections for this account (at most ${d.maxSocketsPerIdentity}); close some tabs or windows`,
        );
      }
      if (perIp.count(ip) >= d.maxSocketsPerIp) {
        throw new AppError('TOO_MANY_CONNECTIONS', `Too many open connections from this address (at most ${d.maxSocketsPerIp})`);
      }
      // Gone while we looked the session up: its close has fired already, so it must not be counted.
      if (socket.conn.readyState !== 'open') return next(new Error('connection closed'));
      perIdentity.add(caller.identityId, 1);
      perIp.add(ip, 1);
      // The engine connection's close always fires, even when the socket never finished connecting.
      socket.conn.once('close', () => {
        perIdentity.add(caller.identityId, -1);
        perIp.add(ip, -1);
      });
      connections.set(socket, {
        socket,
        caller,
        budget: new ConnectionBudget(d.eventsPer10s, d.bytesPer10s),
        clientLanguageSeen: false,
      });
      socket.data.identityId = caller.identityId;
      socket.data.sessionId = caller.sessionId;
      next();
    } catch (err) {
      const e = publicError(err);
      if (!(err instanceof AppError)) logFailure(err, {}, 'socket handshake failed');
      next(Object.assign(new Error(e.message), { data: { code: e.code } }));
    }
  });

  const cutOff = (c: Connection, why: ServerClosingReason, event: string) => {
    if (c.socket.disconnected) return;
    d.log.warn({ identityId: c.caller.identityId, event, why }, 'socket flood: disconnecting');
    d.metrics.socketEvents.inc({ event, outcome: 'flood' });
    c.socket.emit('server:closing', { reason: why });
    c.socket.disconnect(true);
  };
  const handled = new Set<string>();

  /**
   * The listener for one client event: zod validation, error-to-ack mapping, metrics (the
   * budget is in the socket's middleware). Never throws. Typed by the protocol's
   * ClientToServerEvents where it is registered, so a handler's result must be what that
   * event's ack promises. Made once for all sockets: Socket.IO calls a listener with the
   * socket as `this`, and the connection's state is looked up from it. A closure per event
   * per socket (two dozen of them, each with its context) was a good part of the memory an
   * idle member costs.
   */
  function handle<S extends z.ZodType, R extends object>(
    event: keyof ClientToServerEvents,
    schema: S,
    handler: (input: z.output<S>, c: Connection) => Promise<R>,
  ): (this: object, payload: unknown, ack?: (r: Ack<R>) => void) => void {
    handled.add(event);
    return function (this: object, payload: unknown, ack?: (r: Ack<R>) => void): void {
      // A client may put anything where the ack goes: only a function is called back.
      const reply = typeof ack === 'function' ? ack : () => {};
      const started = performance.now();
      const c = connections.get(this);
      Promise.resolve()
        .then(() => {
          if (!c) throw new Error('socket without a connection');
          return handler(parseInput(schema, payload), c);
        })
        .then(
          (result) => {
            d.metrics.socketEvents.inc({ event, outcome: 'ok' });
            d.metrics.socketAckSeconds.observe({ event, outcome: 'ok' }, secondsSince(started));
            reply({ ok: true, ...result });
          },
          (err: unknown) => {
            const e = publicError(err);
            if (!(err instanceof AppError)) logFailure(err, { event }, 'socket handler failed');
            d.metrics.socketEvents.inc({ event, outcome: e.code });
            d.metrics.socketAckSeconds.observe({ event, outcome: e.code }, secondsSince(started));
            reply({ ok: false, error: { code: e.code, message: e.message } });
          },
        );
    };
  }

  const listeners = {
    join: handle('chat:join', joinEvent, async ({ chatId, lastSeq, reactionsFrom, language }, c) => {
      const { socket, caller } = c;
      // Once per connection: a client's language never changes under it, and joins are frequent.
      if (language && !c.clientLanguageSeen) {
        await d.services.language.adoptClientLanguage(caller.identityId, language);
        c.clientLanguageSeen = true;
      }
      const { view: chat, me } = await d.services.chats.enter(caller, chatId);
      // Join the room before reading the catch-up, so nothing committed in between is missed;
      // the client drops anything it already has by seq.
      await socket.join([rooms.chat(chatId), rooms.member(chatId, caller.identityId)]);
      const page = await d.services.messages.catchUp(caller, chatId, lastSeq, me);
      const reactions = reactionsFrom === undefined ? [] : await d.services.messages.reactionsShown(caller, chatId, reactionsFrom, lastSeq);
      return { chat, missed: page.messages, hasMore: page.hasMore, reactions, call: await d.services.calls.current(chatId) };
    }),

    leave: handle('chat:leave', leaveEvent, async ({ chatId }, { socket, caller }) => {
      await socket.leave(rooms.chat(chatId));
      await socket.leave(rooms.member(chatId, caller.identityId));
      return {};
    }),

    send: handle('message:send', sendEvent, async ({ chatId, clientId, body, mentions }, { caller }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; your message will be retried');
      const message = await d.services.messages.send(caller, chatId, clientId, body, mentions);
      return { message };
    }),

    delete: handle('message:delete', deleteEvent, async ({ chatId, seq }, { caller }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; try again');
      return { message: await d.services.messages.delete(caller, chatId, seq) };
    }),

    edit: handle('message:edit', editEvent, async ({ chatId, seq, body }, { caller }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; try again');
      return { message: await d.services.messages.edit(caller, chatId, seq, body) };
    }),

    react: handle('message:react', reactEvent, async ({ chatId, seq, emoji, on }, { caller }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; try again');
      return d.services.messages.react(caller, chatId, seq, emoji, on);
    }),

    typing: handle('typing', typingEvent, async ({ chatId, typing }, { socket, caller }) => {
      // Only sockets whose join passed the membership check are in the room.
      if (!socket.rooms.has(rooms.chat(chatId))) throw new AppError('FORBIDDEN', 'Join the chat first');
      await d.fanout.typing(chatId, caller.identityId, typing, socket.id);
      return {};
    }),

    read: handle('read', readEvent, async ({ chatId, seq }, { caller }) => {
      return { lastReadSeq: await d.services.messages.markRead(caller, chatId, seq) };
    }),

    // Only memory changes here; presence coalesces its writes, so a flapping client costs nothing more.
    visibility: handle('presence:visibility', visibilityEvent, async ({ visible }, { socket }) => {
      d.presence.visibility(socket.id, visible);
      return {};
    }),

    capabilities: handle('capabilities', capabilitiesEvent, async (caps, { caller }) => {
      await d.services.presence.reportCapabilities(caller, caps);
      return {};
    }),

    watch: handle('chats:watch', watchEvent, async (_input, { socket, caller }) => {
      const chats = await d.services.myChats(caller);
      // A one-chat (link) session hears of its chat only: the watcher room announces new chats.
      const watcher = caller.chatScope ? [] : [rooms.watcher(caller.identityId)];
      await socket.join([...watcher, ...chats.map((c) => rooms.activity(c.id))]);
      return { chats };
    }),

    calls: callListeners(handle, d.services.calls, d.accepting),
  };

  io.on('connection', (socket) => {
    coalesceWrites(socket.conn);
    socket.conn.on('upgrade', () => coalesceWrites(socket.conn));
    const c = connections.get(socket)!;
    const { caller, budget } = c;
    d.metrics.socketsConnected.inc();
    d.presence.connected(socket.id, caller.identityId);
    socket.on('disconnect', () => {
      d.metrics.socketsConnected.dec();
      d.presence.disconnected(socket.id);
      d.services.calls.deviceGone(socket.id);
    });
    void socket.join([
      rooms.identity(caller.identityId),
      rooms.session(caller.sessionId),
      caller.chatScope ? rooms.presenceIn(caller.identityId, caller.chatScope) : rooms.presence(caller.identityId),
    ]);

    // Every frame, before socket.io decodes it: bytes are budgeted whatever the event is called.
    socket.conn.on('packet', (packet: EnginePacket) => {
      if (packet.type === 'message' && budget.takeBytes(packetBytes(packet)) === 'flood') cutOff(c, 'too much data', 'bytes');
    });
    // Every event packet, known or unknown, counts against the event budget.
    socket.use(([event, ...args], next) => {
      const verdict = budget.takeEvent();
      const name = typeof event === 'string' && handled.has(event) ? event : 'unknown';
      if (verdict === 'flood') return cutOff(c, 'too many events', name);
      if (verdict === 'over') {
        d.metrics.socketEvents.inc({ event: name, outcome: 'rate_limited' });
        const ack = args.at(-1);
        if (typeof ack === 'function') ack({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down: too many events' } });
        return;
      }
      next();
    });

    socket.on('chat:join', listeners.join);
    socket.on('chat:leave', listeners.leave);
    socket.on('message:send', listeners.send);
    socket.on('message:delete', listeners.delete);
    socket.on('message:edit', listeners.edit);
    socket.on('message:react', listeners.react);
    socket.on('typing', listeners.typing);
    socket.on('read', listeners.read);
    socket.on('presence:visibility', listeners.visibility);
    socket.on('capabilities', listeners.capabilities);
    socket.on('chats:watch', listeners.watch);
    socket.on('call:start', listeners.calls.start);
    socket.on('call:accept', listeners.calls.accept);
    socket.on('call:decline', listeners.calls.decline);
    socket.on('call:leave', listeners.calls.leave);
    socket.on('call:signal', listeners.calls.signal);
  });

  return io;
}
