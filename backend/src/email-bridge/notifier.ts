import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import type { Logger } from '../log.ts';
import type { OutgoingMail } from '../mail/mailer.ts';
import { enqueue } from '../jobs/queue.ts';
import { RetryLater, type JobContext, type JobRunner } from '../jobs/runner.ts';
import { isSaid, type MessageView, type Retention, type TranslationView } from '../../../protocol/index.ts';
import { lastingRetentions, retentionLasts } from '../chats/message-log.ts';
import { CHAT_HEADER } from '../../../mail-client/chat-header.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { createChatLink, createReplyAddress } from './links.ts';
import { MAIL_QUEUE, queueMail, type QueuedMail } from './outbound.ts';
import { decideNotify, type NotifyFacts } from './decide.ts';
import type { Presence } from './presence.ts';
import { digestMail, mailLine, notificationMail, type MailLine } from './templates.ts';
import { emailWordsFor } from '../identity/language.ts';
import type { EmailWords } from '../mail/i18n.ts';

export const NOTIFY_QUEUE = 'notify.member';
export const REMIND_QUEUE = 'notify.remind';
export const DIGEST_QUEUE = 'notify.digest';
/** Audience addresses whose person has not joined: same batching and offline rules, keyed by address. */
export const AUDIENCE_QUEUE = 'notify.audience';

export interface NotifierOptions {
  /** Messages are gathered this long before one email goes out. */
  batchWindowMs: number;
  /** A member must have been away (no visible client) for this long to be emailed. */
  offlineDelayMs: number;
  historyCount: number;
  replyTtlMs: number;
  linkTtlMs: number;
  inboundDomain: string;
  mailDomain: string;
  publicUrl: () => string;
  /** The member's reading-language versions of these messages (message translation), by seq. */
  translate?: (
    chatId: string,
    identityId: string,
    messages: { chatId: string; seq: number; kind: MessageRow['kind']; body: string; authorId: string | null }[],
  ) => Promise<Map<number, TranslationView>>;
  /** A poster frame's bytes from the media store (null: missing or too large for an email). */
  posterImage?: (mediaId: string) => Promise<Buffer | null>;
}

/** Posters carried inline per email: enough to see what was sent, not a photo album. */
const MAX_INLINE_POSTERS = 3;

interface MessageRow {
  seq: number;
  author_id: string | null;
  author_address: string | null;
  /** The author's display name now (null: none set, or a quote's email sender). */
  author_name: string | null;
  kind: 'TEXT' | 'QUOTE' | 'ATTACHMENT' | 'CALL';
  body: string;
  created_at: Date;
}

/**
 * What makes an email worth sending: people's words, and calls (a missed call reaches offline
 * members this way); an attachment is said like a text. Quotes ride along but are not news;
 * other system lines are not emailed.
 */
const isNews = (r: { kind: string }) => isSaid(r.kind) || r.kind === 'CALL';

/**
 * A new member's first "emailed up to": what email carried to their audience address (any of
 * theirs) before they joined, so joining never re-sends it (SQL over a member row `m`).
 */
const EMAILED_BEFORE_JOINING = `coalesce((SELECT max(a.emailed_seq) FROM audience_entry a JOIN email_address e ON e.address = a.address
                                 WHERE a.chat_id = m.chat_id AND e.identity_id = m.identity_id), 0)`;

/** How an email names an author: their display name with the address, or the address alone. */
const authorLabel = (r: MessageRow): string =>
  r.author_name && r.author_address ? `${r.author_name} (${r.author_address})` : (r.author_address ?? 'someone');

/** `chatLink`: where an attachment is watched or downloaded (the chat page; email carries no media). */
const line = (r: MessageRow, chatLink: string): MailLine =>
  mailLine({ seq: r.seq, author: authorLabel(r), kind: r.kind, body: r.body, at: r.created_at }, chatLink);

/** Whose words are not news to a reader: a member's own (by identity) or an audience address's. */
type Reader = { identityId: string } | { address: string };

const MESSAGE_COLUMNS = `seq, author_id, author_address, kind, body, created_at,
  (SELECT i.display_name FROM identity i WHERE i.id = message.author_id) AS author_name`;

/**
 * What a reader has not been emailed yet: live text and quotes after `afterSeq` not written by
 * them, oldest first; the newest `limit` when there are more.
 */
async function unseenMessages(
  client: pg.PoolClient,
  chatId: string,
  afterSeq: number,
  reader: Reader,
  limit: number,
): Promise<MessageRow[]> {
  const [column, value] = 'identityId' in reader ? ['author_id', reader.identityId] : ['author_address', reader.address];
  const { rows } = await client.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM message
      WHERE chat_id = $1 AND seq > $2 AND kind IN ('TEXT', 'QUOTE', 'ATTACHMENT', 'CALL') AND deleted_at IS NULL
        AND ${column} IS DISTINCT FROM $3
      ORDER BY seq DESC LIMIT $4`,
    [chatId, afterSeq, value, limit],
  );
  return rows.reverse();
}

/** The history shown above the new messages: the `count` live ones before `beforeSeq`, oldest first. */
async function earlierMessages(client: pg.PoolClient, chatId: string, beforeSeq: number, count: number): Promise<MessageRow[]> {
  const { rows } = await client.query<MessageRow>(
    `SELECT ${MESSAGE_COLUMNS} FROM message
      WHERE chat_id = $1 AND seq < $2 AND kind IN ('TEXT', 'QUOTE', 'ATTACHMENT', 'CALL') AND deleted_at IS NULL
      ORDER BY seq DESC LIMIT $3`,
    [chatId, beforeSeq, count],
  );
  return rows.reverse();
}

/**
 * Email for members who do not read what is said. A committed message schedules one job per
 * member (but the author) and chat, due after the batch window; more messages in the window
 * ride on that job (dedupe key). When it runs, decideNotify() (decide.ts) rules from settings,
 * presence (visible clients) and read position: skip, look again later (present, or away for
 * less than the offline delay), or send everything not read and not yet emailed as one email,
 * with recent history, a personal link and a reply address.
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
    runner.register(NOTIFY_QUEUE, (p: { chatId: string; identityId: string }, job) => this.notify(p, job));
    runner.register(REMIND_QUEUE, (p: { chatId: string; identityId: string }) => this.remind(p));
    runner.register(DIGEST_QUEUE, (p: { identityId: string }) => this.digest(p));
    runner.register(AUDIENCE_QUEUE, (p: { chatId: string; address: string }, job) => this.notifyAudience(p, job));
  }

  /**
   * The first few video posters of these lines, carried inline (`cid:`) so the email shows what
   * was recorded; a poster that cannot be read is simply left out (the link remains).
   */
  private async withPosters(lines: MailLine[]): Promise<{ lines: MailLine[]; inline: { inline?: OutgoingMail['inline'] } }> {
    const read = this.opts.posterImage;
    if (!read) return { lines, inline: {} };
    const inline: NonNullable<OutgoingMail['inline']> = [];
    const shown: MailLine[] = [];
    for (const l of lines) {
      const bytes = l.poster && inline.length < MAX_INLINE_POSTERS ? await read(l.poster.mediaId).catch(() => null) : null;
      if (!l.poster || !bytes) {
        shown.push(l);
        continue;
      }
      const cid = `poster-${l.seq}-${randomUUID()}@${this.opts.mailDomain}`;
      const png = bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      inline.push({ cid, contentType: png ? 'image/png' : 'image/jpeg', base64: bytes.toString('base64') });
      shown.push({ ...l, poster: { ...l.poster, cid } });
    }
    return { lines: shown, inline: inline.length ? { inline } : {} };
  }

  /** Called for every committed batch of archived messages. Never throws; never blocks the sender. */
  messagesCommitted(messages: MessageView[]): void {
    for (const m of messages) {
      if (!isNews(m) || !m.authorId) continue;
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
    // One statement for both kinds of job: at light load a commit holds a message or two, and
    // each statement of the bridge after it was a round trip and a pool turn on the main thread.
    // The two inserts' dedupe keys never collide ('notify:' and 'notify-audience:').
    await this.pool.query(
      `WITH members AS (
         -- Every member but the author: whether they saw it is known only once the window closed
         -- (read position, visible clients), so the job decides, not the commit.
         INSERT INTO job (queue, payload, dedupe_key, run_at)
         SELECT $1, json_build_object('chatId', m.chat_id, 'identityId', m.identity_id),
                'notify:' || m.chat_id || ':' || m.identity_id,
                now() + make_interval(secs => $4::float8 / 1000)
           FROM member m
          WHERE m.chat_id = ANY($2::uuid[]) AND m.email_notify
            AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::uuid[]) AS a(chat_id, author_id)
                             WHERE a.chat_id = m.chat_id AND a.author_id = m.identity_id)
         ON CONFLICT (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL DO NOTHING
       )
       -- The audience not joined yet: one job per person (an identity with two addresses in the
       -- audience gets one email, at the address added first), none for someone already a
       -- member under any address. Removed addresses have no entry, so they get nothing.
       INSERT INTO job (queue, payload, dedupe_key, run_at)
       SELECT $5, json_build_object('chatId', p.chat_id, 'address', p.address),
              'notify-audience:' || p.chat_id || ':' || p.address,
              now() + make_interval(secs => $4::float8 / 1000)
         FROM (SELECT DISTINCT ON (a.chat_id, coalesce(e.identity_id::text, a.address)) a.chat_id, a.address
                 FROM audience_entry a JOIN chat c ON c.id = a.chat_id AND c.retention = ANY($6::"Retention"[])
                 LEFT JOIN email_address e ON e.address = a.address
                WHERE a.chat_id = ANY($2::uuid[]) AND NOT a.awaiting_acceptance
                  AND NOT EXISTS (SELECT 1 FROM member m WHERE m.chat_id = a.chat_id
                                     AND (m.address = a.address OR m.identity_id = e.identity_id))
                ORDER BY a.chat_id, coalesce(e.identity_id::text, a.address), a.added_at, a.address) p
       ON CONFLICT (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL DO NOTHING`,
      [NOTIFY_QUEUE, pairs.map((p) => p[0]), pairs.map((p) => p[1]), this.opts.batchWindowMs, AUDIENCE_QUEUE, lastingRetentions()],
    );
  }

  /**
   * decideNotify() facts for an audience address whose person has not joined: no read
   * position (they never opened it), presence and do-not-disturb of the identity owning the
   * address if any (an address nobody signed in with is never present).
   */
  private async audienceFacts(chatId: string, address: string): Promise<NotifyFacts & { identityId: string | null }> {
    const res = await this.pool.query<{
      identity_id: string | null;
      joined: boolean;
      retention: Retention;
      last_seq: number;
      emailed_seq: number;
      dnd: boolean | null;
      dnd_mode: 'RESEND' | 'DIGEST' | null;
      resend_minutes: number | null;
      dnd_since: Date | null;
    }>(
      `SELECT e.identity_id, c.retention, c.last_seq, a.emailed_seq, v.dnd, v.dnd_mode, v.resend_minutes, v.dnd_since,
              EXISTS (SELECT 1 FROM member m WHERE m.chat_id = a.chat_id
                         AND (m.address = a.address OR m.identity_id = e.identity_id)) AS joined
         FROM audience_entry a JOIN chat c ON c.id = a.chat_id
         LEFT JOIN email_address e ON e.address = a.address
         LEFT JOIN availability v ON v.identity_id = e.identity_id
        WHERE a.chat_id = $1 AND a.address = $2`,
      [chatId, address],
    );
    const s = res.rows[0];
    const identityId = s?.identity_id ?? null;
    const offlineSince = identityId ? (await this.presence.status(identityId)).offlineSince : new Date(0);
    return {
      identityId,
      // Joined meanwhile: the member path (notify()) owns them from now on.
      member: !!s && !s.joined,
      emailNotify: true,
      lasting: !!s && retentionLasts(s.retention),
      dnd: s?.dnd && s.dnd_mode ? { mode: s.dnd_mode, since: s.dnd_since, resendMinutes: s.resend_minutes ?? 60 } : null,
      lastSeq: s?.last_seq ?? 0,
      readSeq: 0,
      emailedSeq: s?.emailed_seq ?? 0,
      awaySince: offlineSince,
      now: Date.now(),
      offlineDelayMs: this.opts.offlineDelayMs,
    };
  }

  /** One chat's part of a digest: its links and the lines it adds. */
  private async digestChat(
    client: pg.PoolClient,
    publicUrl: string,
    c: { chatId: string; subject: string; address: string },
    fresh: MessageRow[],
  ): Promise<{ subject: string; chatId: string; chatUrl: string; personalUrl: string; fresh: MailLine[] }> {
    const url = chatUrl(publicUrl, c.chatId);
    const personalUrl = await this.notifyLink(client, c.chatId, c.address);
    return { subject: c.subject, chatId: c.chatId, chatUrl: url, personalUrl, fresh: fresh.map((r) => line(r, url)) };
  }

  /** The one-click link a notification or digest email carries for one address (single chat, expiring). */
  private notifyLink(client: pg.PoolClient, chatId: string, address: string): Promise<string> {
    return createChatLink(client, {
      publicUrl: this.opts.publicUrl(),
      chatId,
      address,
      purpose: 'NOTIFY',
      createdById: null,
      ttlMs: this.opts.linkTtlMs,
    });
  }

  private async notifyAudience(p: { chatId: string; address: string }, job: JobContext): Promise<void> {
    const facts = await this.audienceFacts(p.chatId, p.address);
    const decision = decideNotify(facts);
    if (decision.action === 'skip') return;
    if (decision.action === 'retry') throw new RetryLater(decision.inMs);
    await this.pool.query(`UPDATE job SET dedupe_key = NULL WHERE id = $1`, [job.id]);
    // No reminders: do-not-disturb re-sends follow read positions, which only members have.
    await this.emailAudience(p.chatId, p.address);
  }

  /**
   * Emails an audience address what no email (nor its invitation) carried yet, with a one-click
   * link into the chat, under a lock on its audience entry so two nodes never send the same
   * messages twice. No reply address: replying by email needs a member, and opening the link
   * makes one.
   */
  async emailAudience(chatId: string, address: string): Promise<boolean> {
    const emailed = await inTransaction(this.pool, async (client) => {
      const state = await client.query<{
        emailed_seq: number;
        last_email_message_id: string | null;
        subject: string;
        email_message_id: string | null;
        joined: boolean;
        awaiting_acceptance: boolean;
      }>(
        `SELECT a.emailed_seq, a.last_email_message_id, c.subject, c.email_message_id, a.awaiting_acceptance,
                EXISTS (SELECT 1 FROM member m LEFT JOIN email_address e ON e.address = a.address
                         WHERE m.chat_id = a.chat_id AND (m.address = a.address OR m.identity_id = e.identity_id)) AS joined
           FROM audience_entry a JOIN chat c ON c.id = a.chat_id
          WHERE a.chat_id = $1 AND a.address = $2
          FOR UPDATE OF a`,
        [chatId, address],
      );
      const st = state.rows[0];
      // Invited by someone they never met: the invitation was their one email until they accept.
      if (!st || st.joined || st.awaiting_acceptance) return false;
      // Their own words (the email a "Reply with IM" quotes) are not news to them.
      const fresh = await unseenMessages(client, chatId, st.emailed_seq, { address }, 50);
      if (!fresh.some(isNews)) return false;
      const history = await earlierMessages(client, chatId, fresh[0]!.seq, this.opts.historyCount);
      const publicUrl = this.opts.publicUrl();
      const personalUrl = await this.notifyLink(client, chatId, address);
      const posters = await this.withPosters(fresh.map((r) => line(r, chatUrl(publicUrl, chatId))));
      // Someone's address already: their language; else English (nothing else is known of them).
      const words = await emailWordsFor(client, { address });
      const mail = notificationMail(words, {
        subject: st.subject,
        chatId,
        chatUrl: chatUrl(publicUrl, chatId),
        personalUrl,
        replyAddress: null,
        fresh: posters.lines,
        history: history.map((r) => line(r, chatUrl(publicUrl, chatId))),
      });
      const authors = [...new Set(fresh.filter(isNews).map((r) => r.author_name ?? r.author_address ?? ''))].filter(Boolean);
      const messageId = `<chat-${chatId}-${randomUUID()}@${this.opts.mailDomain}>`;
      const threadRoot = st.email_message_id ? angle(st.email_message_id) : null;
      const references = [threadRoot, st.last_email_message_id].filter((x): x is string => !!x);
      const inReplyTo = references.length ? (threadRoot ?? references[references.length - 1]!) : undefined;
      await queueMail(
        client,
        {
          to: address,
          ...mail,
          ...posters.inline,
          fromName: fromName(words, authors),
          messageId,
          ...(inReplyTo ? { inReplyTo, references } : {}),
          headers: { 'Auto-Submitted': 'auto-generated', [CHAT_HEADER]: chatId },
        },
        this.opts.mailDomain,
      );
      await client.query(
        `UPDATE audience_entry SET emailed_seq = GREATEST(emailed_seq, $3), last_email_message_id = $4
          WHERE chat_id = $1 AND address = $2`,
        [chatId, address, fresh[fresh.length - 1]!.seq, messageId],
      );
      return true;
    });
    if (emailed) this.runner.wake();
    return emailed;
  }

  /** What decideNotify() needs from the database, for one member of one chat. */
  private async memberFacts(chatId: string, identityId: string) {
    const res = await this.pool.query<{
      email_notify: boolean;
      retention: Retention;
      last_seq: number;
      last_read_seq: number;
      emailed_seq: number | null;
      dnd: boolean | null;
      dnd_mode: 'RESEND' | 'DIGEST' | null;
      resend_minutes: number | null;
      dnd_since: Date | null;
    }>(
      `SELECT m.email_notify, c.retention, c.last_seq, m.last_read_seq, d.emailed_seq,
              a.dnd, a.dnd_mode, a.resend_minutes, a.dnd_since
         FROM member m JOIN chat c ON c.id = m.chat_id
         LEFT JOIN delivery_state d ON d.chat_id = m.chat_id AND d.identity_id = m.identity_id
         LEFT JOIN availability a ON a.identity_id = m.identity_id
        WHERE m.chat_id = $1 AND m.identity_id = $2`,
      [chatId, identityId],
    );
    return res.rows[0];
  }

  private async facts(chatId: string, identityId: string): Promise<NotifyFacts> {
    const [s, { offlineSince }] = await Promise.all([this.memberFacts(chatId, identityId), this.presence.status(identityId)]);
    return {
      member: !!s,
      emailNotify: s?.email_notify ?? false,
      lasting: !!s && retentionLasts(s.retention),
      dnd: s?.dnd && s.dnd_mode ? { mode: s.dnd_mode, since: s.dnd_since, resendMinutes: s.resend_minutes ?? 60 } : null,
      lastSeq: s?.last_seq ?? 0,
      readSeq: s?.last_read_seq ?? 0,
      emailedSeq: s?.emailed_seq ?? 0,
      awaySince: offlineSince,
      now: Date.now(),
      offlineDelayMs: this.opts.offlineDelayMs,
    };
  }

  private async notify(p: { chatId: string; identityId: string }, job: JobContext): Promise<void> {
    const decision = decideNotify(await this.facts(p.chatId, p.identityId));
    if (decision.action === 'skip') return;
    if (decision.action === 'retry') throw new RetryLater(decision.inMs);
    // From here on, messages committed meanwhile schedule a fresh job instead of riding on this one.
    await this.pool.query(`UPDATE job SET dedupe_key = NULL WHERE id = $1`, [job.id]);
    const sent = await this.emailChat(p.chatId, p.identityId, decision.mode, false);
    if (sent && decision.remindInMinutes !== null) await this.scheduleReminder(p.chatId, p.identityId, decision.remindInMinutes);
  }

  /** Do-not-disturb "re-send until read": the unread messages again, every resend interval. */
  private async remind(p: { chatId: string; identityId: string }): Promise<void> {
    const s = await this.memberFacts(p.chatId, p.identityId);
    if (!s || !s.email_notify || !s.dnd || s.dnd_mode !== 'RESEND') return;
    const sent = await this.emailChat(p.chatId, p.identityId, 'unread', true);
    if (sent) await this.scheduleReminder(p.chatId, p.identityId, s.resend_minutes ?? 60);
  }

  private async scheduleReminder(chatId: string, identityId: string, minutes: number): Promise<void> {
    await enqueue(
      this.pool,
      REMIND_QUEUE,
      { chatId, identityId },
      {
        delayMs: minutes * 60_000,
        dedupeKey: `remind:${chatId}:${identityId}`,
      },
    );
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
        `INSERT INTO delivery_state (chat_id, identity_id, emailed_seq)
         SELECT m.chat_id, m.identity_id, ${EMAILED_BEFORE_JOINING} FROM member m WHERE m.chat_id = $1 AND m.identity_id = $2
         ON CONFLICT DO NOTHING`,
        [chatId, identityId],
      );
      const state = await client.query<{
        emailed_seq: number;
        last_email_message_id: string | null;
        address: string;
        last_read_seq: number;
        subject: string;
        email_message_id: string | null;
      }>(
        `SELECT d.emailed_seq, d.last_email_message_id, m.address, m.last_read_seq, c.subject, c.email_message_id
           FROM delivery_state d
           JOIN member m ON m.chat_id = d.chat_id AND m.identity_id = d.identity_id
           JOIN chat c ON c.id = d.chat_id
          WHERE d.chat_id = $1 AND d.identity_id = $2
          FOR UPDATE OF d`,
        [chatId, identityId],
      );
      const st = state.rows[0];
      if (!st) return false;
      // Emails to this member about this chat still waiting for the SMTP server (outage): this
      // one takes them over, so they arrive as one email when mail flows again, not a burst.
      // Only jobs no node holds: one being sent is left alone, and so is one whose node died
      // mid-send (it may have gone out; its re-run keeps its Message-ID, so MTAs drop a repeat).
      const unsent = (
        await client.query<{ id: string; payload: QueuedMail }>(
          `SELECT id, payload FROM job
            WHERE queue = $1 AND done_at IS NULL AND failed_at IS NULL
              AND payload->'notify'->>'chatId' = $2 AND payload->'notify'->>'identityId' = $3
              AND locked_until IS NULL
            ORDER BY id
            FOR UPDATE SKIP LOCKED`,
          [MAIL_QUEUE, chatId, identityId],
        )
      ).rows;
      // What is new for them is decided by read position and what email carried, not by
      // "delivered": a hidden tab fetching a message has not shown it to anyone.
      let base = mode === 'new' ? Math.max(st.emailed_seq, st.last_read_seq) : st.last_read_seq;
      for (const u of unsent) {
        if (u.payload.notify) base = Math.min(base, Math.max(u.payload.notify.fromSeq - 1, st.last_read_seq));
      }
      const fresh = await unseenMessages(client, chatId, base, { identityId }, 50);
      if (fresh.length === 0) return false;
      const history = await earlierMessages(client, chatId, fresh[0]!.seq, this.opts.historyCount);
      // The new messages in the member's reading language, above each original (which stays the record).
      const translated =
        (await this.opts.translate?.(
          chatId,
          identityId,
          fresh
            // Only words are translated: an attachment's stored form is not text.
            .filter((r) => r.kind !== 'ATTACHMENT')
            .map((r) => ({ chatId, seq: r.seq, kind: r.kind, body: r.body, authorId: r.author_id })),
        )) ?? new Map<number, TranslationView>();
      const publicUrl = this.opts.publicUrl();
      const personalUrl = await this.notifyLink(client, chatId, st.address);
      const replyAddress = await createReplyAddress(client, {
        chatId,
        identityId,
        domain: this.opts.inboundDomain,
        ttlMs: this.opts.replyTtlMs,
      });
      const posters = await this.withPosters(
        fresh.map((r) => ({ ...line(r, chatUrl(publicUrl, chatId)), translation: translated.get(r.seq) })),
      );
      const words = await emailWordsFor(client, { identityId, chatId });
      const mail = notificationMail(words, {
        subject: st.subject,
        chatId,
        chatUrl: chatUrl(publicUrl, chatId),
        personalUrl,
        replyAddress,
        fresh: posters.lines,
        history: history.map((r) => line(r, chatUrl(publicUrl, chatId))),
        reminder,
      });
      const authors = [...new Set(fresh.filter(isNews).map((r) => r.author_name ?? r.author_address ?? ''))].filter(Boolean);
      const messageId = `<chat-${chatId}-${randomUUID()}@${this.opts.mailDomain}>`;
      const threadRoot = st.email_message_id ? angle(st.email_message_id) : null;
      // A taken-over email never went out: thread under what it would have threaded under.
      const first = unsent[0]?.payload;
      const references = first ? (first.references ?? []) : [threadRoot, st.last_email_message_id].filter((x): x is string => !!x);
      const inReplyTo = first ? first.inReplyTo : references.length ? (threadRoot ?? references[references.length - 1]!) : undefined;
      await queueMail(
        client,
        {
          to: st.address,
          ...mail,
          ...posters.inline,
          fromName: fromName(words, authors),
          replyTo: replyAddress,
          messageId,
          ...(inReplyTo ? { inReplyTo, references } : {}),
          headers: { 'Auto-Submitted': 'auto-generated', [CHAT_HEADER]: chatId },
        },
        this.opts.mailDomain,
        { chatId, identityId, fromSeq: fresh[0]!.seq },
      );
      if (unsent.length > 0) {
        await client.query(
          `UPDATE job SET done_at = now(), locked_until = NULL, last_error = 'merged into ' || $2,
                  payload = jsonb_build_object('to', payload->'to', 'subject', payload->'subject', 'messageId', payload->'messageId', 'mergedInto', $2::text)
            WHERE id = ANY($1::bigint[])`,
          [unsent.map((u) => u.id), messageId],
        );
      }
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
        `INSERT INTO delivery_state (chat_id, identity_id, emailed_seq)
         SELECT m.chat_id, m.identity_id, ${EMAILED_BEFORE_JOINING} FROM member m WHERE m.identity_id = $1 ON CONFLICT DO NOTHING`,
        [identityId],
      );
      const members = await client.query<{
        chat_id: string;
        address: string;
        subject: string;
        base: number;
      }>(
        `SELECT m.chat_id, m.address, c.subject, GREATEST(d.emailed_seq, m.last_read_seq) AS base
           FROM member m JOIN chat c ON c.id = m.chat_id
           JOIN delivery_state d ON d.chat_id = m.chat_id AND d.identity_id = m.identity_id
          WHERE m.identity_id = $1 AND m.email_notify AND c.retention = ANY($2::"Retention"[])
            AND c.last_seq > GREATEST(d.emailed_seq, m.last_read_seq)
          ORDER BY c.last_activity_at DESC LIMIT 20
          FOR UPDATE OF d`,
        [identityId, lastingRetentions()],
      );
      const publicUrl = this.opts.publicUrl();
      const chats = [];
      let to = '';
      for (const m of members.rows) {
        const fresh = await unseenMessages(client, m.chat_id, m.base, { identityId }, 20);
        if (fresh.length === 0) continue;
        to ||= m.address;
        chats.push(await this.digestChat(client, publicUrl, { chatId: m.chat_id, subject: m.subject, address: m.address }, fresh));
        await client.query(`UPDATE delivery_state SET emailed_seq = GREATEST(emailed_seq, $3) WHERE chat_id = $1 AND identity_id = $2`, [
          m.chat_id,
          identityId,
          fresh[fresh.length - 1]!.seq,
        ]);
        touched.push(m.chat_id);
      }
      // Chats they are in the audience of but never opened: held by do-not-disturb like the rest
      // (decideNotify), so they belong in the digest too, counted per audience address.
      const audience = await client.query<{ chat_id: string; address: string; subject: string; emailed_seq: number }>(
        `SELECT a.chat_id, a.address, c.subject, a.emailed_seq
           FROM email_address e JOIN audience_entry a ON a.address = e.address
           JOIN chat c ON c.id = a.chat_id AND c.retention = ANY($2::"Retention"[]) AND c.last_seq > a.emailed_seq
          WHERE e.identity_id = $1 AND NOT a.awaiting_acceptance
            AND NOT EXISTS (SELECT 1 FROM member m WHERE m.chat_id = a.chat_id AND m.identity_id = $1)
          ORDER BY a.chat_id, a.added_at, a.address
          FOR UPDATE OF a`,
        [identityId, lastingRetentions()],
      );
      // One per chat (FOR UPDATE rules out DISTINCT ON): the address added first.
      const perChat = [...new Map(audience.rows.reverse().map((a) => [a.chat_id, a] as const)).values()];
      for (const a of perChat.slice(0, Math.max(0, 20 - chats.length))) {
        const fresh = await unseenMessages(client, a.chat_id, a.emailed_seq, { address: a.address }, 20);
        if (!fresh.some(isNews)) continue;
        to ||= a.address;
        chats.push(await this.digestChat(client, publicUrl, { chatId: a.chat_id, subject: a.subject, address: a.address }, fresh));
        await client.query(`UPDATE audience_entry SET emailed_seq = GREATEST(emailed_seq, $3) WHERE chat_id = $1 AND address = $2`, [
          a.chat_id,
          a.address,
          fresh[fresh.length - 1]!.seq,
        ]);
      }
      if (chats.length > 0) {
        const words = await emailWordsFor(client, { identityId });
        // One poster budget for the whole email, as in a notification: the first videos across its chats.
        const posters = await this.withPosters(chats.flatMap((c) => c.fresh));
        let from = 0;
        const shown = chats.map((c) => ({ ...c, fresh: posters.lines.slice(from, (from += c.fresh.length)) }));
        await queueMail(
          client,
          { to, ...digestMail(words, shown), ...posters.inline, headers: { 'Auto-Submitted': 'auto-generated' } },
          this.opts.mailDomain,
        );
      }
    });
    this.runner.wake();
    for (const chatId of touched) this.onEmailed(chatId, identityId);
  }
}

/** "Ann, Bea via Inbox Chat" in the recipient's language: the first two authors of what the email carries. */
function fromName(words: EmailWords, authors: string[]): string {
  return authors.length ? words.t('mail.via', { people: words.list(authors.slice(0, 2)) }) : 'Inbox Chat';
}

function angle(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}
