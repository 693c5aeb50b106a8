import { isUuid } from '../../../protocol/patterns.ts';

/** Which page the address bar asks for: home, a chat, or a chat link that cannot be right. */
export type Route = { kind: 'home' } | { kind: 'chat'; chatId: string } | { kind: 'not-found' };

const CHAT_PATH = /^\/c\/([^/]+)\/?$/;

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { kind: 'home' };
  const m = CHAT_PATH.exec(pathname);
  if (!m) return { kind: 'not-found' };
  const id = decodeURIComponent(m[1]!);
  return isUuid(id) ? { kind: 'chat', chatId: id.toLowerCase() } : { kind: 'not-found' };
}

/** The magic-link token from a `#signin=<token>` fragment, if present. */
export function signInToken(hash: string): string | null {
  const m = /^#signin=([A-Za-z0-9_-]{20,200})$/.exec(hash);
  return m ? m[1]! : null;
}

/** The personal-link token from a `#link=<token>` fragment (invitation and notification emails). */
export function chatLinkToken(hash: string): string | null {
  const m = /^#link=([0-9a-f]{40})$/.exec(hash);
  return m ? m[1]! : null;
}
