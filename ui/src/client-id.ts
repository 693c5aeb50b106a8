/**
 * A fresh RFC 4122 version 4 UUID for a message's client id (its idempotency key).
 * `crypto.randomUUID` exists only in secure contexts: a displayed email in Thunderbird
 * (mailbox:// URL) or the chat page over plain http on another host lacks it, while
 * `getRandomValues` is available everywhere, so fall back to building the UUID from that.
 */
export function newClientId(c: Pick<Crypto, 'getRandomValues'> & Partial<Pick<Crypto, 'randomUUID'>> = globalThis.crypto): string {
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
