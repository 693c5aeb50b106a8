/**
 * A displayed email (mailbox:// or imap:// URL) is not a secure context, so `crypto.randomUUID`
 * is missing there while the shared panel uses it for message client ids. getRandomValues is
 * available everywhere; build the same RFC 4122 version 4 UUID from it.
 */
export function randomUuid(fill: (a: Uint8Array<ArrayBuffer>) => void): string {
  const b = new Uint8Array(16);
  fill(b);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function ensureRandomUuid(c: Crypto): void {
  if (typeof c.randomUUID === 'function') return;
  Object.defineProperty(c, 'randomUUID', {
    configurable: true,
    value: () => randomUuid((a) => void c.getRandomValues(a)),
  });
}
