-- "Reply with IM" draft keys are one format in Outlook and Thunderbird now: reply:<Message-ID
-- without angle brackets> (Outlook used reply:<<id>>, Thunderbird thunderbird-reply:<id>), and
-- reply-item:<Outlook item id> for an email without a Message-ID (Outlook used reply:<item id>;
-- Outlook's Message-IDs always came with angle brackets, its item ids never do). The keys
-- of chats made before are rewritten so that pressing the button again on the same email still
-- opens its chat. When one owner has two such chats for one email (one from each client), the
-- oldest takes the new key and the other keeps its old one; a chat already under the new key keeps it.
WITH renamed AS (
  SELECT id, owner_id, created_at,
         left(
           CASE
             WHEN draft_key LIKE 'reply:<%>' THEN 'reply:' || substr(draft_key, 8, length(draft_key) - 8)
             WHEN draft_key LIKE 'reply:%' THEN 'reply-item:' || substr(draft_key, 7)
             ELSE 'reply:' || substr(draft_key, length('thunderbird-reply:') + 1)
           END,
           200
         ) AS new_key
  FROM chat
  WHERE draft_key ~ '^(thunderbird-)?reply:'
),
oldest AS (
  SELECT DISTINCT ON (owner_id, new_key) id, owner_id, new_key
  FROM renamed
  ORDER BY owner_id, new_key, created_at, id
)
UPDATE chat c SET draft_key = o.new_key
FROM oldest o
WHERE c.id = o.id
  AND c.draft_key IS DISTINCT FROM o.new_key
  AND NOT EXISTS (SELECT 1 FROM chat taken WHERE taken.owner_id = o.owner_id AND taken.draft_key = o.new_key);
