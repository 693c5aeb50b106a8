import { createHmac } from 'node:crypto';
import type { IceServerView } from '../../../protocol/index.ts';

export interface IceSettings {
  /** stun:, turn: and turns: URIs (TURN_URLS). */
  iceUrls: string[];
  /** coturn's static-auth-secret (TURN_SECRET). */
  turnSecret?: string;
  turnTtlSeconds: number;
}

/**
 * ICE servers for one member in one call, in the TURN REST API's shared-secret scheme (what
 * coturn's use-auth-secret checks): the username is "<expiry unix time>:<who>", the password
 * base64(HMAC-SHA1(secret, username)). The relay checks it without asking this server, the
 * password dies at the expiry, and nothing lasting is ever handed to a client.
 */
export function iceServersFor(s: IceSettings, who: string, now = Date.now()): { iceServers: IceServerView[]; expiresAt: string | null } {
  const stun = s.iceUrls.filter((u) => u.startsWith('stun'));
  const turn = s.iceUrls.filter((u) => u.startsWith('turn'));
  const iceServers: IceServerView[] = stun.length ? [{ urls: stun }] : [];
  if (turn.length === 0 || !s.turnSecret) return { iceServers, expiresAt: null };
  const expiry = Math.floor(now / 1000) + s.turnTtlSeconds;
  const username = `${expiry}:${who}`;
  const credential = createHmac('sha1', s.turnSecret).update(username).digest('base64');
  iceServers.push({ urls: turn, username, credential });
  return { iceServers, expiresAt: new Date(expiry * 1000).toISOString() };
}
