/**
 * Landing from a personal link in an email (`/c/<id>#link=<token>`): the link is used up and
 * gives a session for that one chat. A device that already holds a full session for the
 * same person keeps it (it sees every chat); the one-chat session is then ended at once.
 * Another person's link asks before it replaces the session here (adoptSession).
 */
import type { ApiClient } from '../api-client.ts';
import { t } from '../i18n/index.ts';
import { adoptSession, type ConfirmSwitch, type SessionStore } from './session.ts';

/** The session is named in the reader's language at the time (it is how they find it in their session list). */
export async function adoptLinkSession(api: ApiClient, session: SessionStore, token: string, confirmSwitch: ConfirmSwitch): Promise<void> {
  const { session: linked } = await api.redeemLink(token, t('session.linkLabel'));
  await adoptSession(api, session, linked, confirmSwitch);
}
