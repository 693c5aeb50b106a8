import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every environment variable the server reads, validated once at start.
 * README.md documents the same table; keep them in step.
 */
const boolish = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

function isDnsServer(entry: string): boolean {
  const m = /^(?:\[([0-9a-f:.]+)\]|([0-9.]+)|([0-9a-f:]+))(?::(\d{1,5}))?$/i.exec(entry);
  if (!m) return false;
  const ip = m[1] ?? m[2] ?? m[3] ?? '';
  // A bare IPv6 address cannot carry a port (its colons would be ambiguous): use [addr]:port.
  if (m[3] && m[4]) return isIP(entry) === 6;
  return isIP(ip) !== 0 && (m[4] === undefined || (Number(m[4]) > 0 && Number(m[4]) < 65536));
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default('.data'),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default('Inbox Chat <no-reply@inbox-chat.localhost>'),
  REDIS_URL: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('inbox-chat'),
  REDIS_STREAM_MAX_LEN: z.coerce.number().int().min(1_000).max(10_000_000).default(200_000),
  ALLOWED_ORIGINS: csv.default([]),
  SESSION_TTL_DAYS: z.coerce.number().positive().default(90),
  CODE_TTL_MINUTES: z.coerce.number().positive().default(15),
  CODE_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  CODES_PER_ADDRESS_PER_HOUR: z.coerce.number().int().positive().default(5),
  CODES_PER_CLIENT_PER_HOUR: z.coerce.number().int().positive().default(20),
  CODES_PER_ADDRESS_CEILING: z.coerce.number().int().positive().default(20),
  SECRET_KEY: z.string().min(32, 'at least 32 characters').max(1000).optional(),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(200).regex(/^\S+$/, 'no whitespace').optional(),
  MAX_MESSAGE_CHARS: z.coerce.number().int().positive().max(100_000).default(4000),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  MAX_AUDIENCE: z.coerce.number().int().positive().default(200),
  SOCKET_EVENTS_PER_10S: z.coerce.number().int().positive().default(200),
  SOCKET_KB_PER_10S: z.coerce.number().int().positive().default(1024),
  SOCKETS_PER_IDENTITY: z.coerce.number().int().positive().default(20),
  SOCKETS_PER_IP: z.coerce.number().int().positive().default(50),
  HTTP_REQUESTS_PER_MINUTE: z.coerce.number().int().positive().default(600),
  EPHEMERAL_TTL_MINUTES: z.coerce
    .number()
    .positive()
    .default(24 * 60),
  EPHEMERAL_MAX_PER_CHAT: z.coerce.number().int().positive().default(1000),
  EPHEMERAL_USER_KB: z.coerce.number().int().positive().default(2048),
  EPHEMERAL_TOTAL_MB: z.coerce.number().int().positive().default(256),
  DB_POOL_SIZE: z.coerce.number().int().positive().default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEV_MAILBOX: boolish.optional(),
  DEV_MAILBOX_FILE: z.string().min(1).optional(),
  DEV_LOOPBACK_AUTH: boolish.optional(),
  TRUST_PROXY: boolish.default(false),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  // Email bridge (docs/email-bridge.md)
  INBOUND_SMTP: boolish.default(true),
  INBOUND_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  INBOUND_SMTP_HOST: z.string().optional(),
  INBOUND_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'a domain name')
    .optional(),
  INBOUND_MAX_KB: z.coerce.number().int().positive().default(256),
  INBOUND_AUTH_FAILURE: z.enum(['reject', 'hold']).default('reject'),
  // host:port entries as node:dns Resolver.setServers takes them: 192.0.2.1, 192.0.2.1:5353, [2001:db8::1]:53.
  INBOUND_DNS_SERVERS: csv
    .refine((list) => list.every(isDnsServer), 'a comma-separated list of DNS server IP addresses, each with an optional :port')
    .default([]),
  EMAIL_BATCH_WINDOW_MS: z.coerce.number().int().min(0).default(120_000),
  EMAIL_OFFLINE_DELAY_MS: z.coerce.number().int().min(0).default(60_000),
  EMAIL_HISTORY_MESSAGES: z.coerce.number().int().min(0).max(50).default(5),
  REPLY_ADDRESS_TTL_DAYS: z.coerce.number().positive().default(30),
  INVITE_TTL_DAYS: z.coerce.number().positive().default(7),
  EMAIL_LINK_TTL_DAYS: z.coerce.number().positive().default(7),
  INVITES_PER_HOUR: z.coerce.number().int().positive().default(30),
  TRANSCRIPTS_PER_HOUR: z.coerce.number().int().positive().default(5),
  JOBS_POLL_MS: z.coerce.number().int().positive().default(1000),
  JOBS_CONCURRENCY: z.coerce.number().int().positive().default(4),
  JOBS_RETRY_BASE_MS: z.coerce.number().int().positive().default(5000),
  JOBS_RETRY_MAX_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 60_000),
  JOBS_LEASE_MS: z.coerce.number().int().positive().default(120_000),
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().positive().default(15_000),
  // Calls (docs/calls.md)
  TURN_URLS: csv
    .refine((list) => list.every((u) => /^(stun|stuns|turn|turns):[^\s,]+$/.test(u)), 'comma-separated stun:, turn: or turns: URIs')
    .default([]),
  TURN_SECRET: z.string().min(16, 'at least 16 characters').max(500).optional(),
  TURN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  CALL_RING_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  CALLS_PER_HOUR: z.coerce.number().int().positive().default(30),
  // Message translation (docs/translation.md)
  TRANSLATION_PROVIDER: z.enum(['libretranslate', 'apertium', 'deepl']).optional(),
  TRANSLATION_URL: z.url().optional(),
  TRANSLATION_API_KEY: z.string().min(1).max(500).optional(),
  TRANSLATION_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  TRANSLATION_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  TRANSLATIONS_PER_CHAT_PER_MINUTE: z.coerce.number().int().positive().default(120),
  // Media (docs/media.md): a folder under DATA_DIR unless S3_BUCKET is set.
  MEDIA_DIR: z.string().min(1).optional(),
  MEDIA_MAX_FILE_MB: z.coerce.number().positive().default(100),
  MEDIA_MAX_DAILY_MB: z.coerce.number().positive().default(1000),
  MEDIA_LINK_TTL_MINUTES: z.coerce.number().positive().default(60),
  MEDIA_UNFINISHED_HOURS: z.coerce.number().positive().default(24),
  MEDIA_UNPOSTED_GRACE_HOURS: z.coerce.number().positive().default(24),
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: boolish.default(true),
  /** Connected with no visible client for this long shows as "away". */
  PRESENCE_AWAY_MS: z.coerce.number().int().positive().default(120_000),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither');
  }
  if (e.NODE_ENV === 'production' && e.DATABASE_URL !== undefined && e.SECRET_KEY === undefined) {
    // Several nodes share that database and must hash sign-in codes with one key.
    throw new ConfigError(
      'Invalid configuration:\n  SECRET_KEY: required in production with DATABASE_URL (the same random value of 32+ characters on every node)',
    );
  }
  if (e.DEV_LOOPBACK_AUTH === true && (e.NODE_ENV === 'production' || e.SMTP_URL !== undefined)) {
    // The local rule trusts any mail from this machine: never where real mail flows.
    throw new ConfigError(
      'Invalid configuration:\n  DEV_LOOPBACK_AUTH: only for development without SMTP_URL (it would let anyone on this host post as any member)',
    );
  }
  if (e.TURN_URLS.some((u) => u.startsWith('turn')) && e.TURN_SECRET === undefined) {
    // A TURN relay takes only credentials signed with its shared secret: without it, no client could use it.
    throw new ConfigError(
      "Invalid configuration:\n  TURN_SECRET: required with turn: or turns: entries in TURN_URLS (coturn's static-auth-secret)",
    );
  }
  if ((e.TRANSLATION_PROVIDER === 'libretranslate' || e.TRANSLATION_PROVIDER === 'apertium') && !e.TRANSLATION_URL) {
    throw new ConfigError(
      `Invalid configuration:\n  TRANSLATION_URL: required with TRANSLATION_PROVIDER=${e.TRANSLATION_PROVIDER} (the server's base URL)`,
    );
  }
  if (e.TRANSLATION_PROVIDER === 'deepl' && !e.TRANSLATION_API_KEY) {
    throw new ConfigError('Invalid configuration:\n  TRANSLATION_API_KEY: required with TRANSLATION_PROVIDER=deepl');
  }
  const tls = e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined;
  const mediaDir = (e.MEDIA_DIR ?? `${e.DATA_DIR.replace(/\/$/, '')}/media`).replace(/\/$/, '');
  const publicUrl = (e.PUBLIC_URL ?? `${tls ? 'https' : 'http'}://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    /** Without PUBLIC_URL, the server uses http://localhost:<the port it got> after listen(). */
    publicUrl,
    publicUrlFixed: e.PUBLIC_URL !== undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    redisUrl: e.REDIS_URL,
    /** Separates deployments (and test runs) that share one Redis. */
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    /**
     * Broadcasts kept in the Redis stream that carries them between nodes: a node whose
     * connection to Redis drops reads what it missed from there. 200,000 is ~20 s at the
     * peak measured rate (~5,000 messages/s per node, two broadcasts each); clients repair
     * anything older by re-joining from their last seq.
     */
    redisStreamMaxLen: e.REDIS_STREAM_MAX_LEN,
    allowedOrigins: e.ALLOWED_ORIGINS,
    sessionTtlMs: e.SESSION_TTL_DAYS * 86_400_000,
    codeTtlMs: e.CODE_TTL_MINUTES * 60_000,
    codeMaxAttempts: e.CODE_MAX_ATTEMPTS,
    codesPerAddressPerHour: e.CODES_PER_ADDRESS_PER_HOUR,
    codesPerClientPerHour: e.CODES_PER_CLIENT_PER_HOUR,
    /** Codes to one address from all clients within one code lifetime (CODE_TTL_MINUTES). */
    codesPerAddressCeiling: e.CODES_PER_ADDRESS_CEILING,
    /** HMAC key for stored sign-in codes; without it, one is generated under DATA_DIR (identity/secret-key.ts). */
    secretKey: e.SECRET_KEY,
    /** Bearer token for /metrics; without it /metrics is off. */
    metricsToken: e.METRICS_TOKEN,
    maxMessageChars: e.MAX_MESSAGE_CHARS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    maxAudience: e.MAX_AUDIENCE,
    socketEventsPer10s: e.SOCKET_EVENTS_PER_10S,
    socketBytesPer10s: e.SOCKET_KB_PER_10S * 1024,
    socketsPerIdentity: e.SOCKETS_PER_IDENTITY,
    socketsPerIp: e.SOCKETS_PER_IP,
    httpRequestsPerMinute: e.HTTP_REQUESTS_PER_MINUTE,
    /** Bounds on what ephemeral chats hold (memory, or Redis with REDIS_URL). */
    ephemeral: {
      ttlMs: e.EPHEMERAL_TTL_MINUTES * 60_000,
      maxPerChat: e.EPHEMERAL_MAX_PER_CHAT,
      maxBytesPerUser: e.EPHEMERAL_USER_KB * 1024,
      maxBytesTotal: e.EPHEMERAL_TOTAL_MB * 1024 * 1024,
    },
    dbPoolSize: e.DB_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    /** The dev mailbox page shows caught mail; only on when mail is caught in-process. */
    devMailbox: e.DEV_MAILBOX ?? (!e.SMTP_URL && e.NODE_ENV !== 'production'),
    /** Caught mail survives a restart in this JSONL file (tests keep theirs in memory unless they name one). */
    devMailboxFile: e.DEV_MAILBOX_FILE ?? (e.NODE_ENV === 'test' ? null : `${e.DATA_DIR.replace(/\/$/, '')}/dev-mailbox.jsonl`),
    trustProxy: e.TRUST_PROXY,
    /** Serve HTTPS (and wss) directly, e.g. with an office-addin-dev-certs certificate; Outlook needs HTTPS. */
    tls,
    /** Live calls: ICE servers handed to each participant, with TURN credentials signed by `turnSecret`. */
    calls: {
      iceUrls: e.TURN_URLS,
      turnSecret: e.TURN_SECRET,
      turnTtlSeconds: e.TURN_TTL_SECONDS,
      ringMs: e.CALL_RING_SECONDS * 1000,
      startsPerHour: e.CALLS_PER_HOUR,
    },
    media: {
      /** Finished objects live here (folder back end); uploads in progress always sit under DATA_DIR/uploads. */
      dir: mediaDir,
      uploadsDir: `${mediaDir}/uploads`,
      maxFileBytes: Math.floor(e.MEDIA_MAX_FILE_MB * 1024 * 1024),
      maxDailyBytes: Math.floor(e.MEDIA_MAX_DAILY_MB * 1024 * 1024),
      linkTtlMs: e.MEDIA_LINK_TTL_MINUTES * 60_000,
      /** An upload not finished within this long is refused (410) and its bytes swept away. */
      unfinishedTtlMs: e.MEDIA_UNFINISHED_HOURS * 3_600_000,
      /** An object no live message shows (never posted, or its ephemeral message expired) is removed after this long. */
      unpostedGraceMs: e.MEDIA_UNPOSTED_GRACE_HOURS * 3_600_000,
      s3: e.S3_BUCKET
        ? {
            bucket: e.S3_BUCKET,
            endpoint: e.S3_ENDPOINT,
            region: e.S3_REGION,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            credentials:
              e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                : undefined,
          }
        : undefined,
    },
    bridge: {
      inboundEnabled: e.INBOUND_SMTP,
      // Tests run many servers at once, so they get a free port unless they ask for one.
      inboundPort: e.INBOUND_SMTP_PORT ?? (e.NODE_ENV === 'test' ? 0 : 2525),
      /** Without an explicit port, a busy default port only disables reply-by-email (with a warning). */
      inboundPortExplicit: e.INBOUND_SMTP_PORT !== undefined,
      inboundHost: e.INBOUND_SMTP_HOST ?? e.HOST,
      inboundDomain: (e.INBOUND_DOMAIN ?? (e.PUBLIC_URL ? new URL(e.PUBLIC_URL).hostname : 'inbox-chat.localhost')).toLowerCase(),
      inboundMaxBytes: e.INBOUND_MAX_KB * 1024,
      inboundAuthFailure: e.INBOUND_AUTH_FAILURE,
      /**
       * Development only: replies that reach the inbound listener from this machine count as
       * authenticated (the dev mailbox's reply form sends them), since no DNS vouches for a
       * local sender. Never with NODE_ENV=production or SMTP_URL (refused above when asked for).
       */
      inboundLoopbackAuth: (e.DEV_LOOPBACK_AUTH ?? e.NODE_ENV === 'development') && e.NODE_ENV !== 'production' && e.SMTP_URL === undefined,
      inboundDnsServers: e.INBOUND_DNS_SERVERS,
      batchWindowMs: e.EMAIL_BATCH_WINDOW_MS,
      offlineDelayMs: e.EMAIL_OFFLINE_DELAY_MS,
      historyMessages: e.EMAIL_HISTORY_MESSAGES,
      replyTtlMs: e.REPLY_ADDRESS_TTL_DAYS * 86_400_000,
      inviteTtlMs: e.INVITE_TTL_DAYS * 86_400_000,
      linkTtlMs: e.EMAIL_LINK_TTL_DAYS * 86_400_000,
      invitesPerHour: e.INVITES_PER_HOUR,
      transcriptsPerHour: e.TRANSCRIPTS_PER_HOUR,
      jobs: {
        pollMs: e.JOBS_POLL_MS,
        concurrency: e.JOBS_CONCURRENCY,
        retryBaseMs: e.JOBS_RETRY_BASE_MS,
        retryMaxMs: e.JOBS_RETRY_MAX_MS,
        leaseMs: e.JOBS_LEASE_MS,
      },
      presenceHeartbeatMs: e.PRESENCE_HEARTBEAT_MS,
    },
    /** Message translation; null: off (messages are shown as written, and clients are told). */
    translation: e.TRANSLATION_PROVIDER
      ? {
          provider: { provider: e.TRANSLATION_PROVIDER, url: e.TRANSLATION_URL, apiKey: e.TRANSLATION_API_KEY },
          timeoutMs: e.TRANSLATION_TIMEOUT_MS,
          attempts: e.TRANSLATION_ATTEMPTS,
          retryBaseMs: 250,
          perChatPerMinute: e.TRANSLATIONS_PER_CHAT_PER_MINUTE,
        }
      : null,
    presenceAwayMs: e.PRESENCE_AWAY_MS,
  };
}

/**
 * Settings that start but will not work as a deployment probably means; logged once at start.
 * Outlook loads add-in pages only over HTTPS, so an http:// PUBLIC_URL (also the default without
 * TLS) means the manifest served at /addin/manifest.xml cannot be installed.
 */
export function configWarnings(config: Pick<Config, 'publicUrl'>): string[] {
  return config.publicUrl.startsWith('http://')
    ? [
        `PUBLIC_URL is ${config.publicUrl}: Outlook refuses add-ins served over http://, so the Outlook add-in will not load; use an https:// address (TLS_CERT_FILE/TLS_KEY_FILE or a TLS proxy)`,
      ]
    : [];
}
