import { pino, type DestinationStream, type Logger } from 'pino';
import { errorLogLimiter, type ErrorLogLimit } from './ops/log-limit.ts';

export type { Logger };

/**
 * Fields that hold secrets wherever they appear (top level or one object down): session and
 * link tokens, sign-in codes, credentials. A second guard behind the first rule, which is not
 * to log them at all (the mailer logs no subjects: a sign-in email's subject is its code).
 */
const SECRET_FIELDS = ['token', 'linkToken', 'code', 'authorization', 'cookie', 'password', 'secret', 'subject', 'text', 'html'];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.filter((f) => f !== 'code').map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Structured JSON logs on stdout (or `destination`, for tests); one logger per process, children per component. */
export function createLogger(level: string, destination?: DestinationStream, errorLimit?: ErrorLogLimit): Logger {
  const options = {
    level,
    hooks: { logMethod: errorLogLimiter(errorLimit) },
    base: { service: 'inbox-chat' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
