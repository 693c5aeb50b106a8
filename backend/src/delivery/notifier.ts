import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import { enqueue } from '../jobs/queue.ts';
import { RetryLater, type JobContext, type JobRunner } from '../jobs/runner.ts';
import type { MessageView } from '../../../protocol/index.ts';
import { createChatLink, createReplyAddress } from './links.ts';
import { queueMail } from './outbound.ts';
import type { Presence } from './presence.ts';
import { digestMail, notificationMail, type MailLine } from './templates.ts';

export const NOTIFY_QUEUE = 'notify.member';
export const REMIND_QUEUE = 'notify.remind';
export const DIGEST_QUEUE = 'notify.digest';

export interface NotifierOptions {
  /** Messages are gathered this long before one email goes out. */
  batchWindowMs: number;
  /** A member must have had no live connection for this long to be emailed. */
  offlineDelayMs: number;
  historyCount: number;
  replyTtlMs: number;
  linkTtlMs: number;
  inboundDomain: string;
  mailDomain: string;
  publicUrl: () => string;
}

interface MessageRow {
  seq: number;
  author_id: string | null;
  author_address: string | null;
  kind: 'TEXT' | 'QUOTE';
  body: string;
  created_at: Date;
}

const line = (r: MessageRow): MailLine => ({
  seq: r.seq,
  author: r.author_address ?? 'someone',
  body: r.body,
  at: r.created_at,
  kind: r.kind,
});

/**
 * Email for members who are not connected. A committed message schedules one job per
 * offline member and chat, due after the batch window; more messages in the window ride on
 * that job (dedupe key). When it runs, the member is checked again: back online means no
 * email. Otherwise everything new since the last email (or read position) goes out as one
 * email, with recent history, a personal link and a reply address.
 */
export class EmailNotifier {

  constructor(
    private readonly pool: pg.Pool,
    private readonly presence: Presence,
    private readonly runner: JobRunner,
    private readonly log: Logger,
    private readonly opts: NotifierOptions,
    /** Told when a member's emailed position moved (delivery receipts). */
    private readonly onEmailed: (chatId: string, identityId: string) => void = () => {},
  ) {
    runner.register(NOTIFY_QUEUE, (p, job) => this.notify(p, job));
    runner.register(REMIND_QUEUE, (p) => this.remind(p));
    runner.register(DIGEST_QUEUE, (p) => this.digest(p));
  }

  /** Called for every committed batch of archived messages. Never throws; never blocks the sender. */
  messagesCommitted(messages: MessageView[]): void {
    for (const m of messages) {
      if (m.kind !== 'TEXT' || !m.authorId) continue;
      this.queued.add(`${m.chatId}|${m.authorId}`);
    }
    if (this.queued.size > 0 && !this.scheduling) this.runSchedule();
  }

  // (chat, author) pairs waiting to be scheduled. One scheduling query runs at a time for the
  // whole node, whatever the message rate: commits during it are folded into the next one,
  // so the email bridge never competes with the message writer for pool connections.
  private readonly queued = new Set<string>();
  private scheduling: Promise<void> | null = null;

  private runSchedule(): void {
    const pairs = [...this.queued].map((k) => k.split('|') as [string, string]);
    this.queued.clear();
    this.scheduling = this.schedule(pairs)
      .catch((err) => this.log.error({ err, chats: pairs.length }, 'could not schedule email notifications'))
      .finally(() => {
        this.scheduling = null;
        if (this.queued.size > 0) this.runSchedule();
      });
  }

  /** Resolves once scheduling already under way has reached the database (shutdown). */
  async drain(): Promise<void> {
    while (this.scheduling) await this.scheduling;
  }

  private async schedule(pairs: [string, string][]): Promise<void> {
    // Members with a live connection right now are skipped here already; the job re-checks.
    await this.pool.query(
      `INSERT INTO job (queue, payload, dedupe_key, run_at)
       SELECT $1, json_build_object('chatId', m.chat_id, 'identityId', m.identity_id),
              'notify:' || m.chat_id || ':' || m.identity_id,
              now() + make_interval(secs => $4::float8 / 1000)
         FROM member m
        WHERE m.chat_id = ANY($2::uuid[]) AND m.email_notify
          AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::uuid[]) AS a(chat_id, author_id)
                           WHERE a.chat_id = m.chat_id AND a.author_id = m.identity_id)
          AND NOT EXISTS (SELECT 1 FROM presence p WHERE p.identity_id = m.identity_id AND p.connections > 0
                             AND p.seen_at > now() - make_interval(secs => $5::float8 / 1000))
       ON CONFLICT (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL DO NOTHING`,
      [NOTIFY_QUEUE, pairs.map((p) => p[0]), pairs.map((p) => p[1]), this.opts.batchWindowMs, this.presenceFreshMs],
    );
  }

  /** Presence rows older than this are from a node that stopped heartbeating. */
  presenceFreshMs = 45_000;

  private async memberSettings(chatId: string, identityId: string) {
    const res = await this.pool.query<{
      email_notify: boolean;
      retention: string;
      dnd: boolean | null;
      dnd_mode: 'RESEND' | 'DIGEST' | null;
      resend_minutes: number | null;
      dnd_since: Date | null;
    }>(
      `SELECT m.email_notify, c.retention, a.dnd, a.dnd_mode, a.resend_minutes, a.dnd_since
         FROM member m JOIN chat c ON c.id = m.chat_id
         LEFT JOIN availability a ON a.identity_id = m.identity_id
        WHERE m.chat_id = $1 AND m.identity_id = $2`,
      [chatId, identityId],
    );
    return res.rows[0];
  }

  private async notify(p: { chatId: string; identityId: string }, job: JobContext): Promise<void> {
    const s = await this.memberSettings(p.chatId, p.identityId);
    // Ephemeral chats keep no lasting record, so their messages never go out by email.
    if (!s || !s.email_notify || s.retention !== 'ARCHIVED') return;
    if (s.dnd && s.dnd_mode === 'DIGEST') return; // the digest on return carries these
    const { offlineSince } = await this.presence.status(p.identityId);
    if (offlineSince === null) return; // back online: they see it live
    const waited = Date.now() - offlineSince.getTime();
    if (waited < this.opts.offlineDelayMs) throw new RetryLater(this.opts.offlineDelayMs - waited);
    if (s.dnd && s.dnd_mode === 'RESEND') {
      // Held for the first resend interval of do-not-disturb; from then on reminders repeat until read.
      const wait = (s.dnd_since ?? new Date()).getTime() + (s.resend_minutes ?? 60) * 60_000 - Date.now();
      if (wait > 0) throw new RetryLater(wait);
    }
    // From here on, messages committed meanwhile schedule a fresh job instead of riding on this one.
    await this.pool.query(`UPDATE job SET dedupe_key = NULL WHERE id = $1`, [job.id]);
    const sent = await this.emailChat(p.chatId, p.identityId, s.dnd && s.dnd_mode === 'RESEND' ? 'unread' : 'new', false);
    if (sent && s.dnd && s.dnd_mode === 'RESEND') await this.scheduleReminder(p.chatId, p.identityId, s.resend_minutes ?? 60);
  }

  /** Do-not-disturb "re-send until read": the unread messages again, every resend interval. */
  private async remind(p: { chatId: string; identityId: string }): Promise<void> {
    const s = await this.memberSettings(p.chatId, p.identityId);
    if (!s || !s.email_notify || !s.dnd || s.dnd_mode !== 'RESEND') return;
    const sent = await this.emailChat(p.chatId, p.identityId, 'unread', true);
    if (sent) await this.scheduleReminder(p.chatId, p.identityId, s.resend_minutes ?? 60);
  }

  private async scheduleReminder(chatId: string, identityId: string, minutes: number): Promise<void> {
    await enqueue(this.pool, REMIND_QUEUE, { chatId, identityId }, {
      delayMs: minutes * 60_000,
      dedupeKey: `remind:${chatId}:${identityId}`,
    });
  }

  /**
   * Emails one member what is new for them in one chat, as one transaction: the mail job,
   * the reply address, the personal link and the new "emailed up to" position commit
   * together, under a lock on the member's delivery row, so two nodes never email the same
   * messages twice. Returns false when there was nothing to send.
   */
  async emailChat(chatId: string, identityId: string, mode: 'new' | 'unread', reminder: boolean): Promise<boolean> {
    const emailed = await inTransaction(this.pool, async (client) => {
      // Only for a current member: one removed from the audience meanwhile has nothing to send.
      await client.query(
        `INSERT INTO delivery_state (chat_id, identity_id)
         SELECT chat_id, identity_id FROM member WHERE chat_id = $1 AND identity_id = $2
         ON CONFLICT DO NOTHING`,
        [chatId, identityId],
      );
      const state = await client.query<{
        emailed_seq: number;
        delivered_seq: number;
        last_email_message_id: string | null;
        address: string;
        last_read_seq: number;
        subject: string;
        email_message_id: string | null;
      }>(
        `SELECT d.emailed_seq, d.delivered_seq, d.last_email_message_id, m.address, m.last_read_seq, c.subject, c.email_message_id
           FROM delivery_state d
           JOIN member m ON m.chat_id = d.chat_id AND m.identity_id = d.identity_id
           JOIN chat c ON c.id = d.chat_id
          WHERE d.chat_id = $1 AND d.identity_id = $2
          FOR UPDATE OF d`,
        [chatId, identityId],
      );
      const st = state.rows[0];
      if (!st) return false;
      const base = mode === 'new' ? Math.max(st.emailed_seq, st.delivered_seq, st.last_read_seq) : st.last_read_seq;
      const fresh = (
        await client.query<MessageRow>(
          `SELECT seq, author_id, author_address, kind, body, created_at FROM message
            WHERE chat_id = $1 AND seq > $2 AND kind IN ('TEXT', 'QUOTE') AND deleted_at IS NULL
              AND author_id IS DISTINCT FROM $3
            ORDER BY seq DESC LIMIT 50`,
          [chatId, base, identityId],
        )
      ).rows.reverse();
      if (fresh.length === 0) return false;
      const history = (
        await client.query<MessageRow>(
          `SELECT seq, author_id, author_address, kind, body, created_at FROM message
            WHERE chat_id = $1 AND seq < $2 AND kind IN ('TEXT', 'QUOTE') AND deleted_at IS NULL
            ORDER BY seq DESC LIMIT $3`,
          [chatId, fresh[0]!.seq, this.opts.historyCount],
        )
      ).rows.reverse();
      const publicUrl = this.opts.publicUrl();
      const personalUrl = await createChatLink(client, {
        publicUrl,
        chatId,
        address: st.address,
        purpose: 'NOTIFY',
        createdById: null,
        ttlMs: this.opts.linkTtlMs,
      });
      const replyAddress = await createReplyAddress(client, {
        chatId,
        identityId,
        domain: this.opts.inboundDomain,
        ttlMs: this.opts.replyTtlMs,
      });
      const mail = notificationMail({
        subject: st.subject,
        chatId,
        chatUrl: `${publicUrl}/c/${chatId}`,
        personalUrl,
        replyAddress,
        fresh: fresh.map(line),
        history: history.map(line),
        reminder,
      });
      const authors = [...new Set(fresh.filter((r) => r.kind === 'TEXT').map((r) => r.author_address ?? ''))].filter(Boolean);
      const messageId = `<chat-${chatId}-${randomUUID()}@${this.opts.mailDomain}>`;
      const threadRoot = st.email_message_id ? angle(st.email_message_id) : null;
      const references = [threadRoot, st.last_email_message_id].filter((x): x is string => !!x);
      await queueMail(
        client,
        {
          to: st.address,
          ...mail,
          fromName: authors.length ? `${authors.slice(0, 2).join(', ')} via Inbox Chat` : 'Inbox Chat',
          replyTo: replyAddress,
          messageId,
          ...(references.length ? { inReplyTo: threadRoot ?? references[references.length - 1]!, references } : {}),
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Inbox-Chat-Id': chatId },
        },
        this.opts.mailDomain,
      );
      await client.query(
        `UPDATE delivery_state SET emailed_seq = GREATEST(emailed_seq, $3), last_email_message_id = $4
          WHERE chat_id = $1 AND identity_id = $2`,
        [chatId, identityId, fresh[fresh.length - 1]!.seq, messageId],
      );
      return true;
    });
    if (!emailed) return false;
    this.runner.wake();
    this.onEmailed(chatId, identityId);
    return true;
  }

  /** Do-not-disturb ended in DIGEST mode: one email with everything new in every chat. */
  private async digest(p: { identityId: string }): Promise<void> {
    const { identityId } = p;
    const touched: string[] = [];
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO delivery_state (chat_id, identity_id)
         SELECT chat_id, identity_id FROM member WHERE identity_id = $1 ON CONFLICT DO NOTHING`,
        [identityId],
      );
      const members = await client.query<{
        chat_id: string;
        address: string;
        subject: string;
        base: number;
      }>(
        `SELECT m.chat_id, m.address, c.subject, GREATEST(d.emailed_seq, d.delivered_seq, m.last_read_seq) AS base
           FROM member m JOIN chat c ON c.id = m.chat_id
           JOIN delivery_state d ON d.chat_id = m.chat_id AND d.identity_id = m.identity_id
          WHERE m.identity_id = $1 AND m.email_notify AND c.retention = 'ARCHIVED'
            AND c.last_seq > GREATEST(d.emailed_seq, d.delivered_seq, m.last_read_seq)
          ORDER BY c.last_activity_at DESC LIMIT 20
          FOR UPDATE OF d`,
        [identityId],
      );
      const publicUrl = this.opts.publicUrl();
      const chats = [];
      let to = '';
      for (const m of members.rows) {
        const fresh = (
          await client.query<MessageRow>(
            `SELECT seq, author_id, author_address, kind, body, created_at FROM message
              WHERE chat_id = $1 AND seq > $2 AND kind IN ('TEXT', 'QUOTE') AND deleted_at IS NULL
                AND author_id IS DISTINCT FROM $3 ORDER BY seq DESC LIMIT 20`,
            [m.chat_id, m.base, identityId],
          )
        ).rows.reverse();
        if (fresh.length === 0) continue;
        to ||= m.address;
        const personalUrl = await createChatLink(client, {
          publicUrl,
          chatId: m.chat_id,
          address: m.address,
          purpose: 'NOTIFY',
          createdById: null,
          ttlMs: this.opts.linkTtlMs,
        });
        chats.push({ subject: m.subject, chatId: m.chat_id, chatUrl: `${publicUrl}/c/${m.chat_id}`, personalUrl, fresh: fresh.map(line) });
        await client.query(
          `UPDATE delivery_state SET emailed_seq = GREATEST(emailed_seq, $3) WHERE chat_id = $1 AND identity_id = $2`,
          [m.chat_id, identityId, fresh[fresh.length - 1]!.seq],
        );
        touched.push(m.chat_id);
      }
      if (chats.length > 0) {
        await queueMail(client, { to, ...digestMail(chats), headers: { 'Auto-Submitted': 'auto-generated' } }, this.opts.mailDomain);
      }
    });
    this.runner.wake();
    for (const chatId of touched) this.onEmailed(chatId, identityId);
  }
}

function angle(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}
