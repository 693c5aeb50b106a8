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

/** What a client may see of any error: our own errors as they are, anything else as INTERNAL. */
export function publicError(err: unknown): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
  if (err instanceof AppError) {
    const details = err.details && 'cause' in err.details ? undefined : err.details;
    return { code: err.code, message: err.message, ...(details ? { details } : {}) };
  }
  return { code: 'INTERNAL', message: 'Something went wrong on our side; try again' };
}
