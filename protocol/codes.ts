/**
 * Machine codes every side agrees on. Kept apart from the zod schemas (like limits.ts) so
 * browser bundles can use these values at run time without pulling in the schema library.
 */

/** Codes the server answers with: REST `{error: {code}}`, socket acks and handshake refusals. */
export const SERVER_ERROR_CODES = [
  'BAD_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_IN_AUDIENCE',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'CODE_WRONG',
  'CODE_EXPIRED',
  'TOO_MANY_ATTEMPTS',
  'LINK_EXPIRED',
  'CHAT_ENDED',
  'TOO_LARGE',
  /** A store's per-user or global cap is reached (details.scope says which). */
  'QUOTA_EXCEEDED',
  /** Too many open sockets for one identity or one client IP. */
  'TOO_MANY_CONNECTIONS',
  'UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof SERVER_ERROR_CODES)[number];

/**
 * Codes a client makes up itself when there is no server answer to report: the request never
 * reached the server (NETWORK), the socket is down (OFFLINE), no ack in time (TIMEOUT), the
 * client was closed (CLOSED), or a non-JSON HTTP failure (`HTTP_<status>`, e.g. a proxy's 502).
 */
export const CLIENT_ERROR_CODES = ['NETWORK', 'OFFLINE', 'TIMEOUT', 'CLOSED'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number] | `HTTP_${number}`;

/** Everything a client may find in an ApiError's or TransportError's `code`. */
export type AnyErrorCode = ErrorCode | ClientErrorCode;

/**
 * Why the server is about to close a socket on purpose (`server:closing`): a clean shutdown
 * (reconnect to another node), the session was signed out (stop, sign in again), or the
 * connection flooded the server (too many events or bytes in its window).
 */
export const SERVER_CLOSING_REASONS = ['server restarting', 'signed out', 'too many events', 'too much data'] as const;
export type ServerClosingReason = (typeof SERVER_CLOSING_REASONS)[number];
