import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import type { ClusterMessage } from 'socket.io-adapter';
import type { z } from 'zod';
import {
  deleteEvent,
  joinEvent,
  leaveEvent,
  readEvent,
  sendEvent,
  typingEvent,
  watchEvent,
  type Ack,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../../protocol/index.ts';
import { AppError, failureLogger, publicError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Services } from '../services.ts';
import { parseInput } from '../validate.ts';
import { rooms, type IoServer, type SocketData, type SocketFanout } from './events.ts';

export interface RealtimeDeps {
  httpServer: HttpServer;
  services: Services;
  fanout: SocketFanout;
  log: Logger;
  metrics: Metrics;
  isAllowedOrigin: (origin: string | undefined) => boolean;
  maxPayloadBytes: number;
  eventsPer10s: number;
  /** The adapter's own client (see ops/redis.ts): it queues commands through an outage. */
  redis?: { client: Redis; keyPrefix: string; streamMaxLen: number };
  /** False while shutting down: new sends are refused so in-flight ones can finish. */
  accepting: () => boolean;
}

/**
 * A fixed window per socket: over budget, events are refused; far over it (a flood),
 * the socket is cut off so one client cannot starve the others.
 */
class EventBudget {
  private windowStart = Date.now();
  private count = 0;
  constructor(private readonly limit: number) {}
  take(): 'ok' | 'over' | 'flood' {
    const now = Date.now();
    if (now - this.windowStart >= 10_000) {
      this.windowStart = now;
      this.count = 0;
    }
    this.count++;
    if (this.count > this.limit * 3) return 'flood';
    return this.count > this.limit ? 'over' : 'ok';
  }
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
  const io: IoServer = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    d.httpServer,
    {
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
    },
  );
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

  const callers = new WeakMap<object, Caller>();
  // During an outage every handler and handshake fails alike: one warn line per window.
  const logFailure = failureLogger(d.log);

  io.use(async (socket, next) => {
    try {
      const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
      const caller = await d.services.sessions.authenticate(token);
      callers.set(socket, caller);
      socket.data.identityId = caller.identityId;
      socket.data.sessionId = caller.sessionId;
      next();
    } catch (err) {
      const e = publicError(err);
      if (!(err instanceof AppError)) logFailure(err, {}, 'socket handshake failed');
      next(Object.assign(new Error(e.message), { data: { code: e.code } }));
    }
  });

  io.on('connection', (socket) => {
    coalesceWrites(socket.conn);
    socket.conn.on('upgrade', () => coalesceWrites(socket.conn));
    const caller = callers.get(socket)!;
    const budget = new EventBudget(d.eventsPer10s);
    d.metrics.socketsConnected.inc();
    socket.on('disconnect', () => d.metrics.socketsConnected.dec());
    void socket.join([rooms.identity(caller.identityId), rooms.session(caller.sessionId)]);

    /** Wraps a handler: budget, zod validation, error-to-ack mapping, metrics. Never throws. */
    function on<S extends z.ZodType, R extends object>(
      event: string,
      schema: S,
      handler: (input: z.output<S>) => Promise<R>,
    ) {
      socket.on(event as 'typing', ((payload: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (r: Ack<R>) => void) : () => {};
        const verdict = budget.take();
        if (verdict === 'flood') {
          d.log.warn({ identityId: caller.identityId, event }, 'socket flood: disconnecting');
          d.metrics.socketEvents.inc({ event, outcome: 'flood' });
          socket.emit('server:closing', { reason: 'too many events' });
          socket.disconnect(true);
          return;
        }
        if (verdict === 'over') {
          d.metrics.socketEvents.inc({ event, outcome: 'rate_limited' });
          reply({ ok: false, error: { code: 'RATE_LIMITED', message: 'Slow down: too many events' } });
          return;
        }
        Promise.resolve()
          .then(() => handler(parseInput(schema, payload)))
          .then(
            (result) => {
              d.metrics.socketEvents.inc({ event, outcome: 'ok' });
              reply({ ok: true, ...result });
            },
            (err: unknown) => {
              const e = publicError(err);
              if (!(err instanceof AppError)) logFailure(err, { event }, 'socket handler failed');
              d.metrics.socketEvents.inc({ event, outcome: e.code });
              reply({ ok: false, error: { code: e.code, message: e.message } });
            },
          );
      }) as never);
    }

    on('chat:join', joinEvent, async ({ chatId, lastSeq }) => {
      const chat = await d.services.chats.open(caller, chatId);
      // Join the room before reading the catch-up, so nothing committed in between is missed;
      // the client drops anything it already has by seq.
      await socket.join(rooms.chat(chatId));
      const page = await d.services.messages.catchUp(caller, chatId, lastSeq);
      return { chat, missed: page.messages, hasMore: page.hasMore };
    });

    on('chat:leave', leaveEvent, async ({ chatId }) => {
      await socket.leave(rooms.chat(chatId));
      return {};
    });

    on('message:send', sendEvent, async ({ chatId, clientId, body }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; your message will be retried');
      const message = await d.services.messages.send(caller, chatId, clientId, body);
      return { message };
    });

    on('message:delete', deleteEvent, async ({ chatId, seq }) => {
      if (!d.accepting()) throw new AppError('UNAVAILABLE', 'The server is restarting; try again');
      return { message: await d.services.messages.delete(caller, chatId, seq) };
    });

    on('typing', typingEvent, async ({ chatId, typing }) => {
      // Only sockets whose join passed the membership check are in the room.
      if (!socket.rooms.has(rooms.chat(chatId))) throw new AppError('FORBIDDEN', 'Join the chat first');
      socket.to(rooms.chat(chatId)).emit('typing', {
        chatId,
        identityId: caller.identityId,
        typing,
      });
      return {};
    });

    on('read', readEvent, async ({ chatId, seq }) => {
      return { lastReadSeq: await d.services.messages.markRead(caller, chatId, seq) };
    });

    on('chats:watch', watchEvent, async () => {
      const chats = await d.services.myChats(caller);
      await socket.join([rooms.watcher(caller.identityId), ...chats.map((c) => rooms.activity(c.id))]);
      return { chats };
    });
  });

  return io;
}
