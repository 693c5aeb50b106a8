/**
 * Landing from a personal link in an email (`/c/<id>#link=<token>`): the link is used up and
 * gives a session for that one chat. A device that already holds a full session for the
 * same person keeps it (it sees every chat); the one-chat session is then ended at once.
 */
import { ApiClient, ApiError } from '../api-client.ts';
import type { SessionStore } from './session.ts';

const LINK_LABEL = 'Web browser (email link)';

export async function adoptLinkSession(api: ApiClient, session: SessionStore, token: string): Promise<void> {
  const { session: linked } = await api.redeemLink(token, LINK_LABEL);
  const current = session.token;
  if (current) {
    const me = await api.me().catch((err: unknown) => {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') return null;
      throw err;
    });
    if (me && me.id === linked.identity.id && me.chatId === null) {
      // Same person, already fully signed in here: keep that, drop the narrower session.
      void signOutToken(linked.token);
      return;
    }
    // Another person's session, or a one-chat session for some other chat: the link's
    // address was just proven, so it takes over this device; the old session is ended.
    if (me) void signOutToken(current);
  }
  session.save(linked);
}

/** Ends a session this device no longer uses (best effort). */
export function signOutToken(token: string): Promise<void> {
  return new ApiClient({ baseUrl: '', getToken: () => token }).signOut().catch(() => {});
}
