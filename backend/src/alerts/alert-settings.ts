import { AppError } from '../errors.ts';
import { requireMember } from '../chats/membership.ts';
import type { ChatContext } from '../chats/context.ts';
import type { Caller } from '../identity/sessions.ts';
import type { AlertSettingsBody, AlertsView, ChatAlertsBody, ChatAlertsView } from '../../../protocol/index.ts';

interface SettingsRow {
  desktop: boolean;
  sound: boolean;
  vibrate: boolean;
  speak: boolean;
  dnd: boolean;
}

/**
 * How a person is alerted to messages in chats they are not looking at. Kept per identity (and
 * per membership for mute and sound), not per browser: every device asks here before it alerts,
 * so a change on one device, or do-not-disturb, holds on all of them at once. The devices make
 * the noise; the server only remembers the choices.
 */
export class AlertSettings {
  constructor(private readonly ctx: ChatContext) {}

  async get(caller: Caller): Promise<AlertsView> {
    const pool = this.ctx.pool;
    const [settings, chats] = await Promise.all([
      pool.query<SettingsRow>(
        `SELECT COALESCE(s.desktop, true) AS desktop, COALESCE(s.sound, true) AS sound, COALESCE(s.vibrate, true) AS vibrate,
                COALESCE(s.speak, false) AS speak, COALESCE(a.dnd, false) AS dnd
           FROM (SELECT $1::uuid AS id) i
           LEFT JOIN alert_settings s ON s.identity_id = i.id
           LEFT JOIN availability a ON a.identity_id = i.id`,
        [caller.identityId],
      ),
      // A one-chat session learns nothing of the person's other chats.
      pool.query<{ chat_id: string; muted: boolean; sound: boolean }>(
        `SELECT chat_id, muted, sound FROM chat_alerts
          WHERE identity_id = $1 AND (muted OR NOT sound) AND ($2::uuid IS NULL OR chat_id = $2::uuid)
          ORDER BY chat_id`,
        [caller.identityId, caller.chatScope],
      ),
    ]);
    const s = settings.rows[0]!;
    return {
      desktop: s.desktop,
      sound: s.sound,
      vibrate: s.vibrate,
      speak: s.speak,
      dnd: s.dnd,
      chats: chats.rows.map((r) => ({ chatId: r.chat_id, muted: r.muted, sound: r.sound })),
    };
  }

  async set(caller: Caller, body: AlertSettingsBody): Promise<AlertsView> {
    if (caller.chatScope) throw new AppError('FORBIDDEN', 'Sign in with a code to change your alerts');
    const before = await this.get(caller);
    await this.ctx.pool.query(
      `INSERT INTO alert_settings (identity_id, desktop, sound, vibrate, speak) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (identity_id) DO UPDATE SET desktop = EXCLUDED.desktop, sound = EXCLUDED.sound,
         vibrate = EXCLUDED.vibrate, speak = EXCLUDED.speak`,
      [
        caller.identityId,
        body.desktop ?? before.desktop,
        body.sound ?? before.sound,
        body.vibrate ?? before.vibrate,
        body.speak ?? before.speak,
      ],
    );
    return this.get(caller);
  }

  /** Only a member may mute a chat: the row hangs off the membership and goes with it. */
  async setForChat(caller: Caller, chatId: string, body: ChatAlertsBody): Promise<ChatAlertsView> {
    await requireMember(this.ctx, caller, chatId);
    const res = await this.ctx.pool.query<{ muted: boolean; sound: boolean }>(
      `INSERT INTO chat_alerts (chat_id, identity_id, muted, sound) VALUES ($1, $2, COALESCE($3, false), COALESCE($4, true))
       ON CONFLICT (chat_id, identity_id) DO UPDATE SET muted = COALESCE($3, chat_alerts.muted), sound = COALESCE($4, chat_alerts.sound)
       RETURNING muted, sound`,
      [chatId, caller.identityId, body.muted ?? null, body.sound ?? null],
    );
    const r = res.rows[0]!;
    return { chatId, muted: r.muted, sound: r.sound };
  }
}
