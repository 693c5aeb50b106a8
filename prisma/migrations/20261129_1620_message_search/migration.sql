-- Full-text search over what members said (backend/src/chats/search.ts). The `simple`
-- configuration (lower-case words, no stemming, no stop words) because a chat mixes languages
-- and a per-language stemmer would miss words of every other one; search asks for prefixes.
-- Partial: only texts and quoted emails that are not tombstones can be found, and the query
-- repeats this predicate and expression so the planner uses the index.
CREATE INDEX "message_body_search" ON "message" USING GIN (to_tsvector('simple', "body"))
  WHERE "kind" IN ('TEXT', 'QUOTE') AND "deleted_at" IS NULL;
