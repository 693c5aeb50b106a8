import type pg from 'pg';

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
}
