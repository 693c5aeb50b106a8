import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 random bits, URL-safe. Only its hash is ever stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Hashes a 6-digit code for storage; see codeHasher. */
export type CodeHasher = (verificationId: string, code: string) => string;

/**
 * Codes (sign-in and address linking) are stored as an HMAC under the server's secret key (see
 * secret-key.ts): a plain hash of a 6-digit code is undone by trying all million, so a database
 * leak would reveal every live code. The verification id is mixed in so equal codes never share
 * a hash.
 */
export function codeHasher(key: Buffer): CodeHasher {
  return (verificationId, code) => createHmac('sha256', key).update(`${verificationId}:${code}`).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
