/**
 * Contacts: two people become contacts when both have accepted (opened) a chat in which each
 * sees the other. The email that put someone in a chat is the permission, and opening it is the
 * acceptance: nobody becomes anybody's contact by naming an address (no blind initiation), and
 * a hidden (Bcc) member becomes a contact of the owner only. A contact is mutual: one row per
 * direction, written and removed together. Removing one does not stop a later accepted chat
 * from making them contacts again; blocking does.
 */
import type pg from 'pg';
import type { MemberHandles } from '../chats/handles.ts';
import { loadVisibility, sees } from '../chats/membership.ts';
import { blockedEitherWaySql } from './blocks.ts';

/** `identityId` just joined `chatId`: they become contacts of every member they see there, and who sees them. */
export async function chatAccepted(pool: pg.Pool, chatId: string, identityId: string): Promise<string[]> {
  const [members, visibility] = await Promise.all([
    pool.query<{ identity_id: string; address: string }>(`SELECT identity_id, address FROM member WHERE chat_id = $1`, [chatId]),
    loadVisibility(pool, [chatId]),
  ]);
  const v = visibility.get(chatId);
  const me = members.rows.find((m) => m.identity_id === identityId);
  if (!v || !me) return [];
  const others = members.rows.filter(
    (m) => m.identity_id !== identityId && sees(v, identityId, m.identity_id) && sees(v, m.identity_id, identityId),
  );
  if (others.length === 0) return [];
  const res = await pool.query<{ identity_id: string }>(
    `WITH pair AS (
       SELECT $1::uuid AS a, $2::text AS a_address, o.id AS b, o.address AS b_address
         FROM unnest($3::uuid[], $4::text[]) AS o(id, address)
        WHERE NOT ${blockedEitherWaySql('$1::uuid', 'o.id')}
     ), mine AS (
       INSERT INTO contact (identity_id, contact_id, address) SELECT a, b, b_address FROM pair ON CONFLICT DO NOTHING RETURNING contact_id
     ), theirs AS (
       INSERT INTO contact (identity_id, contact_id, address) SELECT b, a, a_address FROM pair ON CONFLICT DO NOTHING
     )
     SELECT contact_id AS identity_id FROM mine`,
    [identityId, me.address, others.map((o) => o.identity_id), others.map((o) => o.address)],
  );
  return res.rows.map((r) => r.identity_id);
}

export interface ContactRow {
  contactId: string;
  address: string;
  /** Their display name now: a contact accepted a chat with me, where their name was shown anyway. */
  displayName: string | null;
  since: Date;
}

export async function listContacts(pool: pg.Pool, identityId: string): Promise<ContactRow[]> {
  const res = await pool.query<{ contact_id: string; address: string; display_name: string | null; created_at: Date }>(
    // A block also hides a contact made before the blocked address was linked to its owner.
    `SELECT c.contact_id, c.address, i.display_name, c.created_at FROM contact c JOIN identity i ON i.id = c.contact_id
      WHERE c.identity_id = $1
        AND NOT ${blockedEitherWaySql('$1::uuid', 'c.contact_id')}
      ORDER BY c.address`,
    [identityId],
  );
  return res.rows.map((r) => ({ contactId: r.contact_id, address: r.address, displayName: r.display_name, since: r.created_at }));
}

export async function removeContact(pool: pg.Pool, identityId: string, contactId: string): Promise<void> {
  await pool.query(`DELETE FROM contact WHERE (identity_id = $1 AND contact_id = $2) OR (identity_id = $2 AND contact_id = $1)`, [
    identityId,
    contactId,
  ]);
}

/** How my contact list names a contact: keyed per owner, so it matches no chat handle and no other list. */
export function contactHandle(handles: MemberHandles, ownerId: string, contactId: string): string {
  return handles.of(`contacts:${ownerId}`, contactId);
}
