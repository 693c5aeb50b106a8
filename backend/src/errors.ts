import type { Logger } from './log.ts';

/**
 * Domain errors carry a stable machine code and a human sentence. Adapters map codes to
 * HTTP statuses or socket acks; domain code never knows about either.
 */
import type { ErrorCode } from '../../protocol/codes.ts';

/** The codes are the protocol's (protocol/codes.ts): clients switch on the same union. */
export type { ErrorCode };

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Socket-level failures: the peer (PostgreSQL, Redis) is down, restarting or unreachable. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);
/**
 * PostgreSQL SQLSTATEs that say "the server cannot serve you right now" rather than "your
 * query is wrong": admin/crash shutdown, starting up, too many connections, and the whole
 * 08 class (connection exceptions).
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Prisma's codes for the same conditions (reached through its pg driver adapter). */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
/** node-postgres and ioredis report some of them only in words. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|not queryable|MaxRetriesPerRequest|Reached the max retries|Stream isn't writeable|Can't reach database server|Server has closed the connection|the database system is (shutting down|starting up|in recovery mode)/i;

/**
 * True when an error means a dependency (PostgreSQL, Redis) is unreachable, rather than a bug:
 * those are UNAVAILABLE (retry later), not INTERNAL. Looks through wrapped causes, since the
 * database driver and Prisma wrap the socket error.
 */
export function isUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const o = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; kind?: unknown };
    const code = typeof o.code === 'string' ? o.code : '';
    if (CONNECTION_ERRNOS.has(code) || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_PRISMA_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    if (o.name === 'PrismaClientInitializationError' || o.name === 'MaxRetriesPerRequestError') return true;
    if (
      o.kind === 'DatabaseNotReachable' ||
      o.kind === 'ConnectionClosed' ||
      o.kind === 'SocketTimeout' ||
      o.kind === 'TooManyConnections'
    ) {
      return true;
    }
    if (typeof o.message === 'string' && UNAVAILABLE_MESSAGES.test(o.message)) return true;
    e = o.cause;
  }
  return false;
}

export const unavailable = () => new AppError('UNAVAILABLE', 'The service is briefly unavailable; try again in a moment');

/** What a client may see of any error: our own errors as they are, an outage as UNAVAILABLE, anything else as INTERNAL. */
export function publicError(err: unknown): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (err instanceof AppError) {
    const details = err.details && 'cause' in err.details ? undefined : err.details;
    return { code: err.code, message: err.message, ...(details ? { details } : {}) };
  }
  if (isUnavailable(err)) return { code: 'UNAVAILABLE', message: unavailable().message };
  return { code: 'INTERNAL', message: 'Something went wrong on our side; try again' };
}

/**
 * Logs a failure that reached an adapter (REST route, socket handler, handshake): bugs at
 * error with their stack, outages at warn and at most once per `everyMs` per logger, with a
 * count of how many were folded in. During a database outage every request fails the same
 * way; one line per window says so without drowning the log.
 */
export function failureLogger(log: Pick<Logger, 'error' | 'warn'>, everyMs = 10_000) {
  let windowStart = 0;
  let suppressed = 0;
  return (err: unknown, context: Record<string, unknown>, what: string): void => {
    if (!isUnavailable(err)) {
      log.error({ err, ...context }, what);
      return;
    }
    const now = Date.now();
    if (now - windowStart < everyMs) {
      suppressed++;
      return;
    }
    log.warn({ err: String((err as Error)?.message ?? err), ...context, suppressed }, `${what}: a dependency is unavailable`);
    windowStart = now;
    suppressed = 0;
  };
}
