import { readFile } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/index.ts';
import { AccessRequests } from './chats/access-requests.ts';
import { ChatService } from './chats/chats.ts';
import type { ChatContext } from './chats/context.ts';
import { EphemeralStore, type EphemeralLog } from './chats/ephemeral-store.ts';
import { MemberHandles } from './chats/handles.ts';
import { loadVisibility } from './chats/membership.ts';
import { RedisEphemeralStore } from './chats/redis-ephemeral-store.ts';
import { ArchivedMessageLog } from './chats/archived-message-log.ts';
import { EphemeralMessageLog } from './chats/ephemeral-message-log.ts';
import { MessageLogs } from './chats/message-log.ts';
import { MessageService } from './chats/messages.ts';
import { DisplayNames } from './identity/display-names.ts';
import { MessageWriter } from './chats/message-writer.ts';
import { listMyChats } from './chats/my-chats.ts';
import { searchMyChats } from './chats/search.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { migrate } from './db/migrator.ts';
import { createPool } from './db/pool.ts';
import { createPrisma } from './db/prisma.ts';
import { createHttpApp } from './http/app.ts';
import { mediaRoutes } from './http/media.ts';
import { defaultOrigins, originChecker } from './http/origins.ts';
import { Sessions } from './identity/sessions.ts';
import { Verification } from './identity/verification.ts';
import { IdentityLanguage } from './identity/language.ts';
import { loadSecretKey } from './identity/secret-key.ts';
import { codeHasher } from './identity/tokens.ts';
import type { Logger } from './log.ts';
import { MailCatcher } from './mail/catcher.ts';
import { createMailer } from './mail/mailer.ts';
import { jobCounts } from './jobs/queue.ts';
import { createMetrics } from './ops/metrics.ts';
import { createRateLimit } from './ops/rate-limits.ts';
import { connectRedis, type RedisClients } from './ops/redis.ts';
import { SocketFanout } from './realtime/events.ts';
import { SocketCallEvents } from './realtime/call-events.ts';
import { CallService } from './calls/calls.ts';
import { MemoryCallStore, RedisCallStore, type CallStore } from './calls/call-store.ts';
import { withChatHooks } from './chats/events.ts';
import { receiptSink } from './realtime/receipt-sink.ts';
import { createSocketServer } from './realtime/socket-server.ts';
import { EmailBridge } from './email-bridge/index.ts';
import { createBridgeServices } from './email-bridge/services.ts';
import { addressesBlockingActor } from './presence/blocks.ts';
import { PresenceService } from './presence/service.ts';
import type { DNSResolver } from './smtp/authenticate.ts';
import type { InboundMail } from './smtp/listener.ts';
import { createReplyListener, listenForReplies } from './smtp/replies.ts';
import { AlertSettings } from './alerts/alert-settings.ts';
import type { Services } from './services.ts';
import { createProvider } from './translation/create-provider.ts';
import { Translations } from './translation/translations.ts';
import { createMediaStore } from './media/create-store.ts';
import { POSTER_EMAIL_MAX_BYTES, readSmallObject } from './media/small-object.ts';
import { MediaLinks } from './media/links.ts';
import { MEDIA_SWEEP_QUEUE, MediaObjects } from './media/media-objects.ts';
import { RecurringJob } from './jobs/recurring.ts';
import { MediaService } from './media/media.ts';

export class StartupError extends Error {}

export interface RunningServer {
  url: string;
  httpServer: HttpServer;
  services: Services;
  catcher?: MailCatcher;
  /** The email bridge (jobs, presence, notifier, receipts). */
  bridge: EmailBridge;
  /** The inbound SMTP listener for reply-by-email; null when INBOUND_SMTP is off. */
  inbound: InboundMail | null;
  /** Message translation (its counters are what the benchmark reads). */
  translations: Translations;
  /** Finishes in-flight sends, then closes sockets, HTTP, mail and the database. */
  stop(): Promise<void>;
}

/** What tests may swap: mailauth's DNS (there is no internet here, so tests serve fake records). */
export interface ServerHooks {
  dnsResolver?: DNSResolver;
}

/**
 * The composition root: config -> database -> mail -> email bridge -> chat domain -> adapters
 * (inbound SMTP, HTTP, realtime). Each part is built after everything it uses, so no closure
 * refers to a part declared further down. Everything it starts, stop() shuts down in reverse order.
 */
export async function startServer(config: Config, log: Logger, hooks: ServerHooks = {}): Promise<RunningServer> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((err) => log.warn({ err }, 'cleanup failed'));
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres(config.dataDir, log).catch((err) => {
        throw new StartupError(`Could not start the embedded PostgreSQL under ${config.dataDir}: ${err.message ?? err}`);
      });
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const pool = createPool(databaseUrl, config.dbPoolSize);
    cleanups.push(() => pool.end());
    await pool.query('SELECT 1').catch((err: Error) => {
      throw new StartupError(`Cannot reach the database (${redact(databaseUrl!)}): ${err.message}`);
    });
    await migrate(pool, log).catch((err: Error) => {
      throw new StartupError(`Database migrations failed: ${err.message}`);
    });
    const db = createPrisma(pool);
    cleanups.push(() => db.$disconnect());

    let catcher: MailCatcher | undefined;
    let smtpUrl = config.smtpUrl;
    if (!smtpUrl) {
      catcher = new MailCatcher(log.child({ component: 'mail-catcher' }), 500, config.devMailbox ? config.devMailboxFile : null);
      smtpUrl = await catcher.listen(0);
      cleanups.push(() => catcher!.close());
      log.info({ smtpUrl }, 'no SMTP_URL: outgoing mail is caught by the embedded SMTP catcher');
    }
    const metrics = createMetrics({ jobCounts: () => jobCounts(pool) });
    const mailer = createMailer(smtpUrl, config.mailFrom, log.child({ component: 'mail' }), (outcome) => metrics.mailSent.inc({ outcome }));
    cleanups.push(() => mailer.close());

    let redis: RedisClients | undefined;
    if (config.redisUrl) {
      redis = await connectRedis(config.redisUrl, config.redisKeyPrefix, log.child({ component: 'redis' })).catch((err: Error) => {
        throw new StartupError(`Cannot reach Redis at ${redact(config.redisUrl!)}: ${err.message}`);
      });
      cleanups.push(() => redis!.close());
    }

    const secretKey = await loadSecretKey(config.secretKey, config.dataDir).catch((err: Error) => {
      throw new StartupError(`Cannot read or create the secret key under ${config.dataDir}: ${err.message}`);
    });
    const hashCode = codeHasher(secretKey);
    const mediaStore = createMediaStore(config.media);
    cleanups.push(() => mediaStore.close?.());
    const handles = await MemberHandles.load(pool);
    const fanout = new SocketFanout(handles, (chatIds) => loadVisibility(pool, chatIds), log.child({ component: 'realtime' }));
    let publicUrl = config.publicUrl;
    const translations = new Translations(
      pool,
      config.translation && {
        provider: createProvider(config.translation.provider),
        opts: config.translation,
        perChat: createRateLimit(`${config.redisKeyPrefix}:translations-chat`, config.translation.perChatPerMinute, 60, redis?.commands),
      },
      log.child({ component: 'translation' }),
      (chatId, seq, translation, readers) => fanout.messageTranslated(chatId, seq, translation, readers),
    );
    cleanups.push(() => translations.drain());
    // Before the writer: every commit feeds the bridge's notifier and receipts.
    const bridge = new EmailBridge({
      config,
      pool,
      mailer,
      log,
      publicUrl: () => publicUrl,
      translate: (chatId, identityId, messages) => translations.forEmail(chatId, identityId, messages),
      posterImage: (mediaId) => readSmallObject(mediaStore, mediaId, POSTER_EMAIL_MAX_BYTES),
    });
    const writer = new MessageWriter(pool, (messages, commitSeconds) => {
      metrics.messagesCommitted.inc(messages.length);
      metrics.commitBatchSize.observe(messages.length);
      metrics.commitSeconds.observe(commitSeconds);
      for (const m of messages) fanout.messagePosted(m);
      bridge.messagesCommitted(messages);
      // After delivery: the originals are out, translations follow as update events.
      // An edit is translated as its message's new text (its stored translations went with the old one).
      translations.messagesCommitted(
        messages.map((m) => (m.kind === 'EDIT' && m.targetSeq !== null ? { ...m, kind: 'TEXT', seq: m.targetSeq } : m)),
      );
    });
    // Several processes share one log per ephemeral chat in Redis (one counter orders it); one
    // process keeps it in memory.
    const ephemeral: EphemeralLog = redis
      ? new RedisEphemeralStore(redis.commands, redis.keyPrefix, config.ephemeral)
      : new EphemeralStore(config.ephemeral.ttlMs, config.ephemeral.maxPerChat, config.ephemeral);
    cleanups.push(() => ephemeral.close());
    const logs = new MessageLogs(
      {
        ARCHIVED: new ArchivedMessageLog(pool, writer),
        EPHEMERAL: new EphemeralMessageLog(ephemeral, pool, (m) => fanout.messagePosted(m)),
      },
      pool,
    );

    const chatEvents = withChatHooks(fanout);
    const mediaObjects = new MediaObjects(pool, mediaStore, logs);

    const ctx: ChatContext = {
      db,
      pool,
      logs,
      events: chatEvents.events,
      mailer,
      log: log.child({ component: 'chats' }),
      handles,
      translations,
      limits: { maxMessageChars: config.maxMessageChars, maxAudience: config.maxAudience },
      publicUrl: () => publicUrl,
      onHistoryServed: (chatId, identityId, topSeq) => bridge.historyServed(chatId, identityId, topSeq),
      onAttachmentDeleted: (message) => mediaObjects.release(message),
      addressesBlocking: (actorId, addresses) => addressesBlockingActor(pool, actorId, addresses),
    };
    const callEvents = new SocketCallEvents();
    // Members of one chat may be connected to different nodes: with Redis every node sees the same calls.
    const callStore: CallStore = redis ? new RedisCallStore(redis.commands, redis.keyPrefix) : new MemoryCallStore();
    const calls = new CallService(ctx, callEvents, callStore, {
      ...config.calls,
      startLimit: createRateLimit(`${config.redisKeyPrefix}:call-starts`, config.calls.startsPerHour, 3600, redis?.commands),
    });
    // A removed member's place in a call goes with them.
    chatEvents.onRemoved((chatId, identityId) => calls.memberRemoved(chatId, identityId));
    // Nothing may go on in an ended chat, a call included.
    chatEvents.onEnded((chatId) => calls.chatEnded(chatId));
    const sessions = new Sessions(db, pool, config.sessionTtlMs, (sessionId) => fanout.disconnectSession(sessionId));
    const chats = new ChatService(ctx);
    const messages = new MessageService(ctx);
    const media = new MediaService({
      chats: ctx,
      pool,
      store: mediaStore,
      objects: mediaObjects,
      links: new MediaLinks(secretKey, config.media.linkTtlMs),
      messages,
      limits: { maxFileBytes: config.media.maxFileBytes, maxDailyBytes: config.media.maxDailyBytes },
    });
    const presence = new PresenceService({
      pool,
      presence: bridge.presence,
      handles,
      chats,
      events: fanout,
      log: log.child({ component: 'presence' }),
      awayMs: config.presenceAwayMs,
    });
    // Presence reads chats, and chats tell presence who accepted one: wired once both exist.
    ctx.onMemberJoined = (chatId, identityId) => presence.chatAccepted(chatId, identityId);
    bridge.presence.onChange((identityIds) => presence.changed(identityIds));
    cleanups.push(() => presence.stop());
    const identityLanguage = new IdentityLanguage(pool);
    const services: Services = {
      sessions,
      displayNames: new DisplayNames(pool, (identityId) => {
        services.chats.memberRenamed(identityId).catch((err: unknown) => log.warn({ err, identityId }, 'renamed member not announced'));
      }),
      language: identityLanguage,
      verification: new Verification(db, mailer, sessions, identityLanguage, {
        codeTtlMs: config.codeTtlMs,
        maxAttempts: config.codeMaxAttempts,
        publicUrl: () => publicUrl,
        hashCode,
        perAddress: createRateLimit(`${config.redisKeyPrefix}:code-address-client`, config.codesPerAddressPerHour, 3600, redis?.commands),
        addressCeiling: createRateLimit(
          `${config.redisKeyPrefix}:code-address`,
          config.codesPerAddressCeiling,
          Math.max(1, Math.floor(config.codeTtlMs / 1000)),
          redis?.commands,
        ),
        perClient: createRateLimit(`${config.redisKeyPrefix}:code-client`, config.codesPerClientPerHour, 3600, redis?.commands),
      }),
      chats,
      messages,
      accessRequests: new AccessRequests(ctx),
      myChats: (caller) => listMyChats(ctx, caller),
      search: (caller, query) => searchMyChats(ctx, caller, query),
      bridge: createBridgeServices(bridge, {
        config,
        pool,
        db,
        mailer,
        chats,
        sessions,
        log,
        publicUrl: () => publicUrl,
        hashCode,
        rateLimit: (name, points, seconds) => createRateLimit(`${config.redisKeyPrefix}:${name}`, points, seconds, redis?.commands),
        availabilityChanged: (identityId) => presence.changed([identityId]),
      }),
      alerts: new AlertSettings(ctx),
      calls,
      media,
      presence,
    };
    // A reply's text goes in as a message, its attached files through the media service.
    const replyPoster = {
      send: messages.send.bind(messages),
      checkEmailedFiles: media.checkEmailedFiles.bind(media),
      postEmailedFile: media.postEmailedFile.bind(media),
    };
    const inbound = createReplyListener(config, pool, replyPoster, log, hooks.dnsResolver);

    let accepting = true;
    // The own origin is only known after listen() when PORT=0, so the checker reads it live.
    let checkOrigin = originChecker(defaultOrigins(publicUrl, config.allowedOrigins));
    const isAllowedOrigin = (origin: string | undefined) => checkOrigin(origin);
    const mediaHttp = mediaRoutes({
      media: services.media,
      sessions,
      uploadsDir: config.media.uploadsDir,
      unfinishedTtlMs: config.media.unfinishedTtlMs,
      isAllowedOrigin,
    });
    // Abandoned uploads (a closed tab mid-recording) would otherwise keep their bytes for ever.
    const sweep = setInterval(
      () => void mediaHttp.sweepUnfinished().catch((err: unknown) => log.warn({ err }, 'sweeping unfinished uploads failed')),
      Math.min(config.media.unfinishedTtlMs, 3_600_000),
    );
    sweep.unref();
    cleanups.push(() => clearInterval(sweep));
    const app = createHttpApp({
      media: mediaHttp,
      config,
      publicUrl: () => publicUrl,
      log,
      services,
      metrics,
      isAllowedOrigin,
      catcher,
      // Replies from the dev mailbox go over loopback, where the development rule can vouch for them.
      inboundAddress: () => {
        const port = inbound?.port;
        if (!port) return null;
        const host = config.bridge.inboundHost;
        return { host: host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host, port };
      },
      redis: redis?.commands,
      isReady: async () =>
        accepting &&
        (await pool.query('SELECT 1').then(
          () => true,
          () => false,
        )),
    });
    const httpServer: HttpServer = config.tls ? createHttpsServer(await readTls(config.tls), app) : createServer(app);
    httpServer.keepAliveTimeout = 65_000;
    const io = createSocketServer({
      httpServer,
      services,
      fanout,
      presence: bridge.presence,
      log: log.child({ component: 'realtime' }),
      metrics,
      isAllowedOrigin,
      maxPayloadBytes: config.maxBodyBytes,
      eventsPer10s: config.socketEventsPer10s,
      bytesPer10s: config.socketBytesPer10s,
      maxSocketsPerIdentity: config.socketsPerIdentity,
      maxSocketsPerIp: config.socketsPerIp,
      trustProxy: config.trustProxy,
      redis: redis && { client: redis.adapter, keyPrefix: redis.keyPrefix, streamMaxLen: config.redisStreamMaxLen },
      accepting: () => accepting,
    });
    bridge.receipts.attach(receiptSink(io, fanout, log));
    callEvents.attach(io);

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', (err) => reject(new StartupError(`Cannot listen on ${config.host}:${config.port}: ${err.message}`)));
      httpServer.listen(config.port, config.host, () => resolve());
    });
    const port = (httpServer.address() as AddressInfo).port;
    if (!config.publicUrlFixed) {
      publicUrl = `${config.tls ? 'https' : 'http'}://${displayHost(config.host)}:${port}`;
      checkOrigin = originChecker(defaultOrigins(publicUrl, config.allowedOrigins));
    }
    // Stopped in cleanup: after sends drained and sockets closed, before mail and the database close;
    // the inbound listener first (replies being posted finish), then the bridge.
    cleanups.push(() => bridge.stop());
    // Store hygiene (docs/media.md, "Store hygiene"): one node per period removes objects no live message shows.
    const mediaSweep = new RecurringJob(pool, MEDIA_SWEEP_QUEUE, Math.min(config.media.unpostedGraceMs, 3_600_000));
    mediaSweep.register(bridge.runner, async () => {
      const removed = await mediaObjects.sweepUnshown(config.media.unpostedGraceMs);
      if (removed > 0) log.info({ removed }, 'removed stored files no message shows');
    });
    await mediaSweep.bookNext();
    bridge.start();
    if (inbound) {
      cleanups.push(() => inbound.close());
      await listenForReplies(inbound, config, log).catch((err: Error) => {
        throw new StartupError(
          `Cannot start the email bridge (inbound SMTP on ${config.bridge.inboundHost}:${config.bridge.inboundPort}): ${err.message}`,
        );
      });
    }

    const stop = async () => {
      accepting = false;
      // Only this node's sockets: with the Redis adapter, io.emit and io.disconnectSockets reach
      // every node, and one node's restart would disconnect the whole cluster's clients.
      io.local.emit('server:closing', { reason: 'server restarting' });
      await writer.drain();
      io.local.disconnectSockets(true);
      // Calls cannot outlive their signalling: end them, and let their history lines commit.
      await calls.stop();
      await writer.drain();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      httpServer.closeAllConnections();
      await cleanup();
    };
    return { url: publicUrl, httpServer, services, catcher, bridge, inbound, translations, stop };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function readTls(tls: { certFile: string; keyFile: string }) {
  try {
    const [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
    return { cert, key };
  } catch (err) {
    throw new StartupError(`Cannot read the TLS certificate or key: ${(err as Error).message}`);
  }
}

function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '127.0.0.1' ? 'localhost' : host;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}
