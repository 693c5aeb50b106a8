import type { ErrorRequestHandler } from 'express';
import { AppError, failureLogger, publicError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';

export const STATUS: Record<ErrorCode, number> = {
  BAD_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_IN_AUDIENCE: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  CHAT_ENDED: 409,
  CODE_WRONG: 400,
  CODE_EXPIRED: 410,
  LINK_EXPIRED: 410,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUOTA_EXCEEDED: 429,
  TOO_MANY_CONNECTIONS: 429,
  TOO_MANY_ATTEMPTS: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/** Express's own body-parser errors (bad JSON, too large) get the same clear shape as ours. */
function fromBodyParser(err: { type?: string; status?: number }): AppError | null {
  if (err.type === 'entity.parse.failed') return new AppError('BAD_INPUT', 'The request body is not valid JSON');
  if (err.type === 'entity.too.large') return new AppError('TOO_LARGE', 'The request body is too large');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') {
    return new AppError('BAD_INPUT', 'Unsupported body encoding');
  }
  return null;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  // An outage fails every request alike: logged at warn, once per window, not once per request.
  const logFailure = failureLogger(log);
  return (err, req, res, _next) => {
    const known = err instanceof AppError ? err : fromBodyParser(err);
    const body = publicError(known ?? err);
    if (!known) logFailure(err, { reqId: req.id, method: req.method, path: req.path }, 'request failed');
    if (body.code === 'RATE_LIMITED' && typeof body.details?.retryAfterSeconds === 'number') {
      res.setHeader('Retry-After', String(body.details.retryAfterSeconds));
    }
    if (body.code === 'UNAVAILABLE') res.setHeader('Retry-After', '2');
    res.status(STATUS[body.code]).json({ error: body });
  };
}
