import path from 'node:path';
import { existsSync } from 'node:fs';
import express, { type Express } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import type { Config } from '../config/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { MailCatcher } from '../mail/catcher.ts';
import type { Metrics } from '../ops/metrics.ts';
import { createRateLimit } from '../ops/rate-limits.ts';
import type { Services } from '../services.ts';
import type { Redis } from 'ioredis';
import { addinPages, thunderbirdPages } from './addin-pages.ts';
import { devMailboxRoutes } from './dev-mailbox.ts';
import { errorHandler } from './errors.ts';
import { authRoutes } from './routes/auth.ts';
import { bridgeRoutes } from './routes/bridge.ts';
import { chatRoutes } from './routes/chats.ts';

export const UI_DIST = path.resolve(import.meta.dirname, '../../../dist/ui');

export interface HttpDeps {
  config: Config;
  log: Logger;
  services: Services;
  metrics: Metrics;
  isAllowedOrigin: (origin: string | undefined) => boolean;
  isReady: () => Promise<boolean>;
  catcher?: MailCatcher;
  redis?: Redis;
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
          connectSrc: ["'self'", 'ws:', 'wss:'],
          frameAncestors: ["'self'"],
        },
      },
    }),
  );

  app.use((req, res, next) => {
    res.on('finish', () => {
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      d.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
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
  app.get('/metrics', async (_req, res) => {
    res.type(d.metrics.registry.contentType).send(await d.metrics.registry.metrics());
  });

  const perClient = createRateLimit(`${d.config.redisKeyPrefix}:http`, d.config.httpRequestsPerMinute, 60, d.redis);
  const api = express.Router();
  api.use(
    cors({
      origin: (origin, cb) => cb(null, d.isAllowedOrigin(origin)),
      allowedHeaders: ['Authorization', 'Content-Type'],
      maxAge: 600,
    }),
  );
  api.use(async (req, _res, next) => {
    await perClient.consume(req.ip ?? 'unknown', 'requests');
    next();
  });
  api.use(express.json({ limit: d.config.maxBodyBytes, strict: true }));
  api.use(authRoutes(d.services));
  // Before chatRoutes: that router demands a session for every path, and link redemption has none.
  api.use(bridgeRoutes(d.services));
  api.use(chatRoutes(d.services));
  api.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'No such API route')));
  app.use('/api', api);

  if (d.catcher && d.config.devMailbox) app.use(devMailboxRoutes(d.catcher));

  app.use('/assets', express.static(UI_DIST, { index: false, maxAge: '1h' }));
  const publicUrl = (req: express.Request) => (d.config.publicUrlFixed ? d.config.publicUrl : `${req.protocol}://${req.get('host')}`);
  app.use('/addin', addinPages(publicUrl));
  app.use('/thunderbird', thunderbirdPages(publicUrl));
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
