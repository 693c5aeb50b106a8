import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import { LIMITS, type MessageReactions, type ReactionView } from '../../../protocol/index.ts';
import type { ChatContext } from './context.ts';
import { retentionLasts } from './message-log.ts';
import { loadVisibility, requireMember, sees } from './membership.ts';

/**
 * Emoji reactions to messages. They are state, not log entries: a reaction by a hidden (Bcc)
 * member must not reach the others even as a numbered event, so changes travel as `reaction`
 * events to those who may see the member, and views carry each viewer's filtered state.
 */
export class Reactions {
  constructor(private readonly ctx: ChatContext) {}

  /** Adds (`on`) or takes back my `emoji` on a text, attachment or quote; answers with its reactions as I see them. */
  async set(caller: Caller, chatId: string, seq: number, emoji: string, on: boolean): Promise<MessageReactions> {
    const me = await requireMember(this.ctx, caller, chatId);
    if (me.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended; reactions can no longer change');
    if (!retentionLasts(me.chat.retention)) {
      throw new AppError('FORBIDDEN', 'Reactions are not kept in an ephemeral chat');
    }
    const changed = on ? await this.add(caller.identityId, chatId, seq, emoji) : await this.remove(caller.identityId, chatId, seq, emoji);
    if (changed) this.ctx.events.reactionChanged({ chatId, seq, identityId: caller.identityId, emoji, on });
    return { seq, reactions: (await this.inRange(caller.identityId, chatId, seq, seq)).get(seq) ?? [] };
  }

  private async add(identityId: string, chatId: string, seq: number, emoji: string): Promise<boolean> {
    const { rows } = await this.ctx.pool.query<{ live: boolean; mine: number; has: boolean }>(
      `SELECT (m.kind IN ('TEXT', 'QUOTE', 'ATTACHMENT') AND m.deleted_at IS NULL) AS live,
              (SELECT count(*)::int FROM message_reaction r WHERE r.chat_id = $1 AND r.seq = $2 AND r.identity_id = $3) AS mine,
              EXISTS (SELECT 1 FROM message_reaction r WHERE r.chat_id = $1 AND r.seq = $2 AND r.identity_id = $3 AND r.emoji = $4) AS has
         FROM message m WHERE m.chat_id = $1 AND m.seq = $2`,
      [chatId, seq, identityId, emoji],
    );
    const target = rows[0];
    if (!target?.live) throw new AppError('NOT_FOUND', 'There is no message to react to here (it may have been deleted)');
    if (target.has) return false;
    if (target.mine >= LIMITS.reactionsPerMember) {
      throw new AppError('QUOTA_EXCEEDED', `At most ${LIMITS.reactionsPerMember} different reactions per message`, { scope: 'message' });
    }
    // The text may be deleted between the check and the insert: the insert checks again.
    const inserted = await this.ctx.pool.query(
      `INSERT INTO message_reaction (chat_id, seq, identity_id, emoji)
       SELECT $1, $2, $3, $4 FROM message m WHERE m.chat_id = $1 AND m.seq = $2 AND m.deleted_at IS NULL
       ON CONFLICT DO NOTHING`,
      [chatId, seq, identityId, emoji],
    );
    return inserted.rowCount !== 0;
  }

  private async remove(identityId: string, chatId: string, seq: number, emoji: string): Promise<boolean> {
    const deleted = await this.ctx.pool.query(
      `DELETE FROM message_reaction WHERE chat_id = $1 AND seq = $2 AND identity_id = $3 AND emoji = $4`,
      [chatId, seq, identityId, emoji],
    );
    return deleted.rowCount !== 0;
  }

  /**
   * The reactions on messages `from`..`to` that `viewerId` may see (Bcc members' only for the owner
   * and themselves), by seq; messages without any are absent. Emoji in the order first used.
   */
  async inRange(viewerId: string, chatId: string, from: number, to: number): Promise<Map<number, ReactionView[]>> {
    const out = new Map<number, ReactionView[]>();
    const { rows } = await this.ctx.pool.query<{ seq: number; identity_id: string; emoji: string }>(
      `SELECT seq, identity_id, emoji FROM message_reaction WHERE chat_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq, created_at, emoji`,
      [chatId, from, to],
    );
    if (rows.length === 0) return out;
    const visibility = (await loadVisibility(this.ctx.pool, [chatId])).get(chatId);
    if (!visibility) return out;
    for (const r of rows) {
      if (!sees(visibility, viewerId, r.identity_id)) continue;
      const list = out.get(r.seq) ?? [];
      out.set(r.seq, list);
      const handle = this.ctx.handles.of(chatId, r.identity_id);
      const group = list.find((g) => g.emoji === r.emoji);
      if (group) group.members.push(handle);
      else list.push({ emoji: r.emoji, members: [handle] });
    }
    return out;
  }
}
