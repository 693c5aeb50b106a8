/**
 * The facts the presence rule (rule.ts) decides on, loaded in a few queries for many
 * viewer/subject pairs at once: shared accepted chats with the Bcc rule applied, contacts,
 * blocks and the subjects' settings.
 */
import type pg from 'pg';
import type { PresenceVisibility } from '../../../protocol/index.ts';
import { loadVisibility, sees } from '../chats/membership.ts';
import { blockedSql } from './blocks.ts';
import { DEFAULT_VISIBILITY, type Relation } from './rule.ts';

export interface Pair {
  viewer: string;
  subject: string;
}

const key = (p: Pair) => `${p.viewer}/${p.subject}`;

/** Relation of each pair (keyed `viewer/subject`). */
export async function loadRelations(pool: pg.Pool, pairs: Pair[]): Promise<Map<string, Relation>> {
  const out = new Map<string, Relation>(
    pairs.map((p) => [key(p), { self: p.viewer === p.subject, blocked: false, contact: false, chats: [] }]),
  );
  if (pairs.length === 0) return out;
  const viewers = pairs.map((p) => p.viewer);
  const subjects = pairs.map((p) => p.subject);
  const [shared, contacts, blocked] = await Promise.all([
    // Members of both: being in the audience without having opened the chat counts for nothing.
    pool.query<{ viewer: string; subject: string; chat_id: string }>(
      `SELECT p.viewer, p.subject, mv.chat_id
         FROM unnest($1::uuid[], $2::uuid[]) AS p(viewer, subject)
         JOIN member mv ON mv.identity_id = p.viewer
         JOIN member ms ON ms.chat_id = mv.chat_id AND ms.identity_id = p.subject`,
      [viewers, subjects],
    ),
    pool.query<{ viewer: string; subject: string }>(
      `SELECT p.viewer, p.subject FROM unnest($1::uuid[], $2::uuid[]) AS p(viewer, subject)
         JOIN contact c ON c.identity_id = p.subject AND c.contact_id = p.viewer`,
      [viewers, subjects],
    ),
    pool.query<{ viewer: string; subject: string }>(
      `SELECT p.viewer, p.subject FROM unnest($1::uuid[], $2::uuid[]) AS p(viewer, subject)
        WHERE ${blockedSql('p.subject', 'p.viewer')}`,
      [viewers, subjects],
    ),
  ]);
  const visibility = await loadVisibility(pool, [...new Set(shared.rows.map((r) => r.chat_id))]);
  for (const r of shared.rows) {
    const v = visibility.get(r.chat_id);
    const rel = out.get(key(r));
    if (!v || !rel) continue;
    rel.chats.push({ chatId: r.chat_id, viewerSees: sees(v, r.viewer, r.subject), subjectSees: sees(v, r.subject, r.viewer) });
  }
  for (const r of contacts.rows) {
    const rel = out.get(key(r));
    if (rel) rel.contact = true;
  }
  for (const r of blocked.rows) {
    const rel = out.get(key(r));
    if (rel) rel.blocked = true;
  }
  return out;
}

export function relationOf(relations: Map<string, Relation>, viewer: string, subject: string): Relation {
  return relations.get(key({ viewer, subject })) ?? { self: viewer === subject, blocked: false, contact: false, chats: [] };
}

export async function loadVisibilitySettings(pool: pg.Pool, identityIds: string[]): Promise<Map<string, PresenceVisibility>> {
  const res = await pool.query<{ identity_id: string; visibility: PresenceVisibility }>(
    `SELECT identity_id, visibility FROM presence_setting WHERE identity_id = ANY($1::uuid[])`,
    [identityIds],
  );
  const out = new Map(identityIds.map((id) => [id, DEFAULT_VISIBILITY]));
  for (const r of res.rows) out.set(r.identity_id, r.visibility);
  return out;
}

/** Everyone who could be shown the subject's presence anywhere: people in a chat with them, and their contacts. */
export async function candidateViewers(pool: pg.Pool, subject: string): Promise<string[]> {
  const res = await pool.query<{ id: string }>(
    `SELECT m2.identity_id AS id FROM member m1 JOIN member m2 ON m2.chat_id = m1.chat_id WHERE m1.identity_id = $1
     UNION SELECT contact_id FROM contact WHERE identity_id = $1`,
    [subject],
  );
  return res.rows.map((r) => r.id);
}
