import type pg from 'pg';
import { emailWords, recipientLanguage, type EmailWords } from '../mail/i18n.ts';

/** Who an email goes to, as far as it is known: a person, or only an address (maybe someone's). */
export interface EmailRecipient {
  identityId?: string | null;
  address?: string;
  /** The chat the email is about: the reading language chosen for it counts when the person has none of their own. */
  chatId?: string;
}

/**
 * The words for an email to this recipient, in their language: the identity's own language
 * (what their interface speaks), else the reading language they chose for this chat, else the
 * languages the request asked in (`requested`: a sign-in code to an address nobody owns yet is
 * written in the Accept-Language of the page that asked for it), else English.
 */
export async function emailWordsFor(
  /** The pool, or the transaction's own connection when the email is queued inside one (no second connection held meanwhile). */
  db: Pick<pg.ClientBase, 'query'>,
  to: EmailRecipient,
  requested: readonly string[] = [],
): Promise<EmailWords> {
  const res = await db.query<{ identity_language: string | null; chat_language: string | null }>(
    `SELECT i.language AS identity_language, m.language AS chat_language
       FROM identity i LEFT JOIN member m ON m.identity_id = i.id AND m.chat_id = $3::uuid
      WHERE i.id = coalesce($1::uuid, (SELECT e.identity_id FROM email_address e WHERE e.address = $2))`,
    [to.identityId ?? null, to.address ?? null, to.chatId ?? null],
  );
  const known = res.rows[0];
  return emailWords(recipientLanguage([known?.identity_language, known?.chat_language, ...requested]));
}

/**
 * A person's own reading language (identity.language): what their chats are translated into
 * unless they chose another for one chat. It starts as the language of the first client they
 * use (the browser's, Outlook's display language, Thunderbird's UI language) and stays whatever
 * they set afterwards: a client never overrides a language already there.
 */
export class IdentityLanguage {
  constructor(private readonly pool: pg.Pool) {}

  async of(identityId: string): Promise<string | null> {
    const res = await this.pool.query<{ language: string | null }>('SELECT language FROM identity WHERE id = $1', [identityId]);
    return res.rows[0]?.language ?? null;
  }

  /** The person's choice; null turns translation off for them (until a chat asks for a language). */
  async set(identityId: string, language: string | null): Promise<string | null> {
    await this.pool.query('UPDATE identity SET language = $2 WHERE id = $1', [identityId, language]);
    return language;
  }

  /** A client's own language becomes the default only while there is none. */
  async adoptClientLanguage(identityId: string, language: string): Promise<void> {
    await this.pool.query('UPDATE identity SET language = $2 WHERE id = $1 AND language IS NULL', [identityId, language]);
  }

  /** The words for an email to this recipient (emailWordsFor). */
  wordsFor(to: EmailRecipient, requested: readonly string[] = []): Promise<EmailWords> {
    return emailWordsFor(this.pool, to, requested);
  }
}
