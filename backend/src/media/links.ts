import { createHmac, timingSafeEqual } from 'node:crypto';
import { UUID_PATTERN } from '../../../protocol/patterns.ts';

/** `<member id>.<expiry, base 36>.<HMAC>` */
const LINK_TOKEN = new RegExp(`^(${UUID_PATTERN})\\.([0-9a-z]{1,12})\\.([A-Za-z0-9_-]{43})$`);

/**
 * Signed download links, so an <img>, <video> or download link (which cannot send an
 * Authorization header) fetches one object of one chat for one member, for a short while.
 * The link names the member; the download still checks, on every request, that they are a
 * member now: a link outlives nobody's membership.
 */
export class MediaLinks {
  private readonly key: Buffer;

  constructor(
    secret: Buffer,
    private readonly ttlMs: number,
  ) {
    // A key of its own, so a link's MAC can never stand in for any other use of the secret.
    this.key = createHmac('sha256', secret).update('inbox-chat media links v1').digest();
  }

  sign(chatId: string, mediaId: string, identityId: string, now = Date.now()): { token: string; expiresAt: Date } {
    const expires = now + this.ttlMs;
    const mac = this.mac(chatId, mediaId, identityId, expires);
    return { token: `${identityId}.${expires.toString(36)}.${mac}`, expiresAt: new Date(expires) };
  }

  /** The member the link was made for, or null when it is forged, for another object, or expired. */
  verify(token: string, chatId: string, mediaId: string, now = Date.now()): string | null {
    const m = LINK_TOKEN.exec(token);
    if (!m) return null;
    const [, identityId, exp, mac] = m;
    const expires = parseInt(exp!, 36);
    if (!(expires > now)) return null;
    const expected = Buffer.from(this.mac(chatId, mediaId, identityId!, expires));
    const given = Buffer.from(mac!);
    return given.length === expected.length && timingSafeEqual(given, expected) ? identityId! : null;
  }

  private mac(chatId: string, mediaId: string, identityId: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${chatId}|${mediaId}|${identityId}|${expires}`).digest('base64url');
  }
}
