/**
 * Domain errors carry a stable machine code and a human sentence. Adapters map codes to
 * HTTP statuses or socket acks; domain code never knows about either.
 */
export type ErrorCode =
  | 'BAD_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_IN_AUDIENCE'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'CODE_WRONG'
  | 'CODE_EXPIRED'
  | 'TOO_MANY_ATTEMPTS'
  | 'LINK_EXPIRED'
  | 'CHAT_ENDED'
  | 'TOO_LARGE'
  /** A store's per-user or global cap is reached (details.scope says which). */
  | 'QUOTA_EXCEEDED'
  /** Too many open sockets for one identity or one client IP. */
  | 'TOO_MANY_CONNECTIONS'
  | 'UNAVAILABLE'
  | 'INTERNAL';

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

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const forbidden = (why: string) => new AppError('FORBIDDEN', why);

/** What a client may see of any error: our own errors as they are, anything else as INTERNAL. */
export function publicError(err: unknown): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (err instanceof AppError) {
    const details = err.details && 'cause' in err.details ? undefined : err.details;
    return { code: err.code, message: err.message, ...(details ? { details } : {}) };
  }
  return { code: 'INTERNAL', message: 'Something went wrong on our side; try again' };
}
