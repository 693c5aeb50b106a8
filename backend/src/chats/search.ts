import type { Caller } from '../identity/sessions.ts';
import { LIMITS, type SearchHit } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { excerpt, matchRanges, prefixTsQuery, searchWords } from './search-words.ts';

interface HitRow {
  field: SearchHit['field'];
  chat_id: string;
  subject: string;
  ended_at: Date | null;
  seq: number | null;
  at: Date | null;
  text: string;
}

/**
 * Search over my chats: subjects and message text by full-text search (`simple` configuration,
 * every word as a prefix; the message index is `message_body_search`), people by the start of
 * a word of their display name or address. Only chats I am a member of (and only the one chat of
 * a one-chat session) are searched, in SQL, so a name is found only where its member list
 * already shows it to me. Members in Bcc are found only by the owner, as they are shown only to
 * the owner and themselves. Messages come from the archived log's table, so
 * ephemeral chats' messages (never in PostgreSQL) cannot be found; tombstones are not.
 */
export async function searchMyChats(ctx: ChatContext, caller: Caller, query: string): Promise<SearchHit[]> {
  const words = searchWords(query);
  if (words.length === 0) return [];
  const { rows } = await ctx.pool.query<HitRow>(
    `WITH mine AS (SELECT m.chat_id FROM member m WHERE m.identity_id = $1 AND ($2::uuid IS NULL OR m.chat_id = $2::uuid)),
          q AS (SELECT to_tsquery('simple', $3) AS query)
     (SELECT 'subject' AS field, c.id AS chat_id, c.subject, c.ended_at, NULL::int AS seq, NULL::timestamptz AS at, c.subject AS text,
             0 AS rank, c.last_activity_at AS at_order
        FROM mine JOIN chat c ON c.id = mine.chat_id, q
       WHERE to_tsvector('simple', c.subject) @@ q.query)
     UNION ALL
     (SELECT 'person', c.id, c.subject, c.ended_at, NULL, NULL,
             CASE WHEN i.display_name IS NULL THEN o.address ELSE i.display_name || ' (' || o.address || ')' END, 1, c.last_activity_at
        FROM mine JOIN chat c ON c.id = mine.chat_id
        JOIN member o ON o.chat_id = c.id AND o.identity_id <> $1
        JOIN identity i ON i.id = o.identity_id
        JOIN audience_entry a ON a.chat_id = o.chat_id AND a.address = o.address
       WHERE (a.role <> 'BCC' OR c.owner_id = $1) AND (coalesce(i.display_name, '') || ' ' || o.address) ~* ALL($4::text[]))
     UNION ALL
     (SELECT 'message', c.id, c.subject, c.ended_at, g.seq, g.created_at, g.body, 2, g.created_at
        FROM mine JOIN chat c ON c.id = mine.chat_id
        JOIN message g ON g.chat_id = c.id, q
       WHERE g.kind IN ('TEXT', 'QUOTE') AND g.deleted_at IS NULL AND to_tsvector('simple', g.body) @@ q.query)
     ORDER BY rank, at_order DESC
     LIMIT $5`,
    [caller.identityId, caller.chatScope, prefixTsQuery(words), words.map((w) => `(^|[^[:alnum:]])${w}`), LIMITS.searchHits],
  );
  return rows.map((r) => {
    const shown = r.field === 'message' ? excerpt(r.text, words) : { text: r.text, ranges: matchRanges(r.text, words) };
    return {
      chatId: r.chat_id,
      subject: r.subject,
      endedAt: r.ended_at?.toISOString() ?? null,
      field: r.field,
      seq: r.seq,
      at: r.at?.toISOString() ?? null,
      text: shown.text,
      ranges: shown.ranges,
    };
  });
}
