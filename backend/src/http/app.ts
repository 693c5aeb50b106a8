import path from 'node:path';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import cors from 'cors';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { MailCatcher } from '../mail/catcher.ts';
import { secondsSince, type Metrics } from '../ops/metrics.ts';
import { createRateLimit } from '../ops/rate-limits.ts';
import type { Services } from '../services.ts';
import type { Redis } from 'ioredis';
import { addinPages, thunderbirdPages } from './addin-pages.ts';
import { bearerToken } from './auth.ts';
import { devMailboxRoutes, type InboundAddress } from './dev-mailbox.ts';
import { errorHandler } from './errors.ts';
import type { MediaHttp } from './media.ts';
import { socketOrigin } from './origins.ts';
import { openApiDocument } from '../../../protocol/openapi.ts';
import { authHandlers } from './routes/auth.ts';
import { alertHandlers } from './routes/alerts.ts';
import { bridgeHandlers } from './routes/bridge.ts';
import { chatHandlers } from './routes/chats.ts';
import { presenceHandlers } from './routes/presence.ts';
import { registerRoutes } from './routes/index.ts';

export const UI_DIST = path.resolve(import.meta.dirname, '../../../dist/ui');

export interface HttpDeps {
  config: Config;
  /** The server's public URL (PUBLIC_URL, or the own address once listening): never a request's Host. */
  publicUrl: () => string;
  log: Logger;
  services: Services;
  metrics: Metrics;
  isAllowedOrigin: (origin: string | undefined) => boolean;
  isReady: () => Promise<boolean>;
  catcher?: MailCatcher;
  /** The inbound SMTP listener's address, for the dev mailbox's reply form. */
  inboundAddress?: InboundAddress;
  redis?: Redis;
  /** Uploads (tus) and downloads of chat files (http/media.ts). */
  media: MediaHttp;
}

export function createHttpApp(d: HttpDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', d.config.trustProxy);
  app.set('query parser', 'simple');

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // Pages talk only to this server: its sockets, not any ws:/wss: host an injected script names.
          connectSrc: ["'self'", () => socketOrigin(d.publicUrl())],
          frameAncestors: ["'self'"],
        },
      },
    }),
  );

  app.use(accessLog(d.log));
  app.use((req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      d.metrics.httpRequests.inc(labels);
      d.metrics.httpSeconds.observe(labels, secondsSince(started));
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const ready = await d.isReady().catch(() => false);
    res.status(ready ? 200 : 503).json({ ready });
  });
  app.get('/metrics', async (req, res) => {
    // Metrics show traffic and internals: only for the scraper holding METRICS_TOKEN, off without one.
    if (!d.config.metricsToken) throw new AppError('NOT_FOUND', 'Not found');
    if (!sameSecret(bearerToken(req.headers.authorization), d.config.metricsToken)) {
      throw new AppError('UNAUTHENTICATED', 'The metrics need the METRICS_TOKEN bearer token');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });

  const perClient = createRateLimit(`${d.config.redisKeyPrefix}:http`, d.config.httpRequestsPerMinute, 60, d.redis);
  const limitPerClient = async (req: express.Request, _res: express.Response, next: express.NextFunction) => {
    await perClient.consume(req.ip ?? 'unknown', 'requests');
    next();
  };
  // Uploads and downloads share the API's per-client budget (an upload is a few requests per chunk size).
  // Before /api's JSON body parser: upload bodies are streamed to disk as they arrive.
  app.use('/media', limitPerClient);
  app.use(d.media.router);

  const api = express.Router();
  // API answers carry sessions, codes' ids and private chats: no browser or proxy may keep them.
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(
    cors({
      origin: (origin, cb) => cb(null, d.isAllowedOrigin(origin)),
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );
  api.use(limitPerClient);
  api.use(express.json({ limit: d.config.maxBodyBytes, strict: true }));
  // Exactly the routes of protocol/routes.ts, each with its schemas; the OpenAPI document lists the same table.
  let openApi: { url: string; doc: Record<string, unknown> } | undefined;
  registerRoutes(
    api,
    {
      openApi: async () => {
        const url = d.publicUrl();
        if (openApi?.url !== url) openApi = { url, doc: openApiDocument({ serverUrl: url }) };
        return openApi.doc;
      },
      ...authHandlers(d.services),
      ...bridgeHandlers(d.services),
      ...alertHandlers(d.services),
      ...chatHandlers(d.services),
      ...presenceHandlers(d.services),
    },
    d.services.sessions,
  );
  api.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'No such API route')));
  app.use('/api', api);

  if (d.catcher && d.config.devMailbox) app.use(devMailboxRoutes(d.catcher, d.inboundAddress ?? (() => null), d.log));

  app.use('/assets', express.static(UI_DIST, { index: false, maxAge: '1h' }));
  app.use('/addin', addinPages(d.publicUrl));
  app.use('/thunderbird', thunderbirdPages(d.publicUrl));
  const page = (name: string) => (_req: express.Request, res: express.Response) => {
    const file = path.join(UI_DIST, name);
    if (!existsSync(file)) {
      res.status(503).type('text').send('The web app is not built yet: run `npm run build`.');
      return;
    }
    res.sendFile(file);
  };
  app.get('/', page('chat.html'));
  app.get('/c/:chatId', page('chat.html'));

  app.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'Not found')));
  app.use(errorHandler(d.log));
  return app;
}

/** A caller's own request id is kept (so a proxy's id links its log to ours) when it is short and plain. */
const REQUEST_ID = /^[\w.:-]{1,100}$/;
/** Probes hit these every few seconds on every node: logging them would bury the requests that matter. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One access-log line per request (method, path without its query, status, time), with a request
 * id that is also sent back as X-Request-Id and carried by the error log of the same request.
 * No headers or query strings: they can hold sessions, codes and addresses.
 */
function accessLog(log: Logger) {
  return pinoHttp({
    logger: log.child({ component: 'http' }),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => PROBES.has((req.url ?? '').split('?')[0]!) },
    // The error handler logs a 5xx's cause with the same request id; this line is the access record.
    // A 503 is a dependency outage, which the error handler already reports once per window: its
    // access records stay at info so an outage does not raise a warning per request.
    customLogLevel: (_req, res, err) => ((err || res.statusCode >= 500) && res.statusCode !== 503 ? 'warn' : 'info'),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

/** Constant-time comparison of a presented secret with the configured one. */
function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
