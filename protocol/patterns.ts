/**
 * The one UUID pattern (RFC 9562: version nibble 1-8, variant 10xx), the same one the server's
 * zod `uuidSchema` accepts, so a client never finds a chat id in an email that the server then
 * refuses. Zod-free like limits.ts, for the browser bundles. Case-insensitive; ids are compared
 * lower-cased.
 */
export const UUID_PATTERN = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}';

const WHOLE_UUID = new RegExp(`^${UUID_PATTERN}$`);

/** True when `s` is exactly one UUID (no surrounding text). */
export function isUuid(s: string): boolean {
  return WHOLE_UUID.test(s);
}
