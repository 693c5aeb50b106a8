import type { AnyErrorCode } from './codes.ts';

/**
 * A failed call as every client sees it: the server's error code (or a client-only one such as
 * NETWORK), the HTTP status (0 when nothing answered) and the server's sentence. Here rather than
 * in the API client so that rules shared by the clients (mail-client/) can tell kinds of failure
 * apart without depending on the browser code.
 */
export class ApiError extends Error {
  constructor(
    readonly code: AnyErrorCode,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
