import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { NewMessage } from './message-log.ts';

/**
 * Who may post what, as the WHEN arms of a SQL CASE over an input row `i` (chat_id, author_id,
 * kind, trusted) and its chat row `l` (NULL when there is none): the chat exists, a member send
 * comes from a member, and an ended chat takes nothing but system notices (call lines included: a call may end after its chat). The archived writer
 * decides inside its one statement with it (under the chat lock); the ephemeral log asks
 * checkPosting, which runs the same arms, before its store numbers the message.
 */
export const POSTING_RULES = `
      WHEN l.id IS NULL THEN 'NOT_FOUND'
      WHEN NOT i.trusted AND i.author_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM member mb WHERE mb.chat_id = i.chat_id AND mb.identity_id = i.author_id) THEN 'FORBIDDEN'
      WHEN l.ended_at IS NOT NULL AND i.kind NOT IN ('SYSTEM', 'CALL') THEN 'CHAT_ENDED'`;

export type PostingRefusal = 'NOT_FOUND' | 'FORBIDDEN' | 'CHAT_ENDED';

/** The error a refused post answers with, the same from either log. */
export function refusalError(verdict: PostingRefusal): AppError {
  switch (verdict) {
    case 'NOT_FOUND':
      return new AppError('NOT_FOUND', 'chat not found');
    case 'FORBIDDEN':
      return new AppError('FORBIDDEN', 'Only members of this chat can post in it');
    case 'CHAT_ENDED':
      return new AppError('CHAT_ENDED', 'This chat has ended; no new messages can be posted');
  }
}

const CHECK_SQL = `
SELECT CASE ${POSTING_RULES}
         ELSE 'OK'
       END AS verdict
  FROM (SELECT $1::uuid AS chat_id, $2::uuid AS author_id, $3::"MessageKind" AS kind, $4::bool AS trusted) i
  LEFT JOIN chat l ON l.id = i.chat_id`;

/** Throws the refusal of a post the rules forbid (for logs whose messages are not stored in PostgreSQL). */
export async function checkPosting(pool: pg.Pool, m: NewMessage): Promise<void> {
  const { rows } = await pool.query<{ verdict: PostingRefusal | 'OK' }>({
    name: 'inbox-chat-check-posting',
    text: CHECK_SQL,
    values: [m.chatId, m.authorId, m.kind, m.trusted === true],
  });
  const verdict = rows[0]!.verdict;
  if (verdict !== 'OK') throw refusalError(verdict);
}
