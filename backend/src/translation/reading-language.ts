import type pg from 'pg';

/**
 * The one rule for what a member reads a chat in: their choice for this chat, else their own
 * (identity) language, which starts as their first client's language. null: not translated.
 * SQL over `member m JOIN identity i ON i.id = m.identity_id`.
 */
export const READING_LANGUAGE_SQL = 'coalesce(m.language, i.language)';

export function readingLanguage(member: { language: string | null }, identity: { language: string | null }): string | null {
  return member.language ?? identity.language;
}

export interface Reader {
  identityId: string;
  language: string | null;
}

/** Every member of a chat with their reading language. */
export async function readersOf(pool: pg.Pool, chatId: string): Promise<Reader[]> {
  const res = await pool.query<{ identity_id: string; language: string | null }>(
    `SELECT m.identity_id, ${READING_LANGUAGE_SQL} AS language
       FROM member m JOIN identity i ON i.id = m.identity_id
      WHERE m.chat_id = $1`,
    [chatId],
  );
  return res.rows.map((r) => ({ identityId: r.identity_id, language: r.language }));
}
