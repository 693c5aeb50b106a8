import { randomBytes, randomUUID } from 'node:crypto';
import { hashToken } from '../identity/tokens.ts';
import type { Sql } from '../jobs/queue.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';

/**
 * Personal tokens that ride in emails. Only their SHA-256 is stored. Hex, not base64url:
 * some mail systems lower-case local parts, and the reply token lives in one.
 */
export function newMailToken(): string {
  return randomBytes(20).toString('hex');
}

export type LinkPurpose = 'INVITE' | 'NOTIFY';

/** A one-click, single-use, expiring sign-in into one chat for one address. Returns the URL. */
export async function createChatLink(
  sql: Sql,
  opts: { publicUrl: string; chatId: string; address: string; purpose: LinkPurpose; createdById: string | null; ttlMs: number },
): Promise<string> {
  const token = newMailToken();
  await sql.query(
    `INSERT INTO chat_link (id, chat_id, address, purpose, token_hash, created_by_id, expires_at)
     VALUES ($1, $2, $3, $4::"ChatLinkPurpose", $5, $6, now() + make_interval(secs => $7::float8 / 1000))`,
    [randomUUID(), opts.chatId, opts.address, opts.purpose, hashToken(token), opts.createdById, opts.ttlMs],
  );
  // In the fragment, so the token never reaches server logs or Referer headers.
  return `${chatUrl(opts.publicUrl, opts.chatId)}#link=${token}`;
}

/** A reply-by-email address for one member of one chat. */
export async function createReplyAddress(
  sql: Sql,
  opts: { chatId: string; identityId: string; domain: string; ttlMs: number },
): Promise<string> {
  const token = newMailToken();
  await sql.query(
    `INSERT INTO reply_address (token_hash, chat_id, identity_id, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8 / 1000))`,
    [hashToken(token), opts.chatId, opts.identityId, opts.ttlMs],
  );
  return `reply+${token}@${opts.domain}`;
}

export type ReplyTokenLookup = { status: 'ok'; chatId: string; identityId: string } | { status: 'expired' } | { status: 'unknown' };

export async function lookupReplyToken(sql: Sql, token: string): Promise<ReplyTokenLookup> {
  if (!/^[0-9a-f]{40}$/.test(token)) return { status: 'unknown' };
  const res = await sql.query<{ chat_id: string; identity_id: string; expired: boolean }>(
    `SELECT chat_id, identity_id, expires_at <= now() AS expired FROM reply_address WHERE token_hash = $1`,
    [hashToken(token)],
  );
  const row = res.rows[0];
  if (!row) return { status: 'unknown' };
  if (row.expired) return { status: 'expired' };
  return { status: 'ok', chatId: row.chat_id, identityId: row.identity_id };
}
