import express, { Router, type Request } from 'express';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import type { CaughtMail, MailCatcher } from '../mail/catcher.ts';
import { escapeHtml } from '../mail/html.ts';
import { AppError } from '../errors.ts';

/** Where the dev mailbox sends replies: the inbound SMTP listener, when it runs. */
export type InboundAddress = () => { host: string; port: number } | null;

const replyForm = z.object({
  from: z.email().max(320),
  text: z.string().trim().min(1, 'write a reply').max(20_000),
});

// Served as a file: the app's CSP (style-src 'self') blocks inline styles, by design.
const CSS = `body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.45}
article{border:1px solid #d0d7de;border-radius:8px;padding:0 1rem 1rem;margin:1rem 0}
h2{font-size:1.1rem;margin:1rem 0 .25rem}.meta{color:#57606a;font-size:.9rem;margin:0 0 .5rem}
pre{white-space:pre-wrap;word-break:break-word;background:#f6f8fa;border-radius:6px;padding:.75rem;margin:0}
a{color:#0969da}form{margin-top:.75rem;display:grid;gap:.5rem}textarea{font:inherit;min-height:5rem;padding:.5rem}
label{font-size:.9rem;color:#57606a}select,button{font:inherit;padding:.35rem .6rem;justify-self:start}
.status{padding:.5rem .75rem;border-radius:6px;background:#dafbe1}.status.error{background:#ffebe9}
.note{color:#57606a;font-size:.9rem}`;

/** Text with its web links clickable; everything else escaped. */
function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"']{1,2000}/g)) {
    const url = m[0].replace(/[).,;:!?]+$/, '');
    out += escapeHtml(text.slice(last, m.index)) + `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
    last = m.index + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

function quoted(mail: CaughtMail): string {
  const lines = mail.text.replace(/\r\n?/g, '\n').trimEnd().split('\n');
  return lines.map((l) => (l ? `> ${l}` : '>')).join('\n');
}

/**
 * Dev-only: the mail the embedded SMTP catcher received, as a page and as JSON, and a form to
 * answer any of it by email. The answer goes over real SMTP to the inbound listener, exactly
 * as a mail client's reply would (with the original quoted below), so reply-by-email can be
 * tried without a DNS server: in development the listener trusts loopback (DEV_LOOPBACK_AUTH).
 */
export function devMailboxRoutes(catcher: MailCatcher, inbound: InboundAddress, log: Logger): Router {
  const r = Router();
  // Caught mail holds live sign-in codes and links: never kept by a browser or proxy cache.
  r.use('/dev', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.get('/dev/mail.json', (req, res) => {
    const to = typeof req.query.to === 'string' ? req.query.to.toLowerCase() : undefined;
    res.json({ mail: catcher.list().filter((m) => !to || m.to.includes(to)) });
  });
  r.get('/dev/mail.css', (_req, res) => {
    res.type('css').send(CSS);
  });
  r.get('/dev/mail', (req, res) => {
    const target = inbound();
    const status = typeof req.query.status === 'string' ? req.query.status : '';
    const detail = typeof req.query.detail === 'string' ? req.query.detail.slice(0, 500) : '';
    const rows = catcher
      .list()
      .map((m) => {
        const canReply = target && m.replyTo && /^reply\+/i.test(m.replyTo);
        const form = canReply
          ? `<form method="post" action="/dev/mail/${m.id}/reply">
  <label for="text-${m.id}">Reply by email to ${escapeHtml(m.replyTo!)}</label>
  <textarea id="text-${m.id}" name="text" required maxlength="20000"></textarea>
  <label for="from-${m.id}">From</label>
  <select id="from-${m.id}" name="from">${m.to.map((a) => `<option>${escapeHtml(a)}</option>`).join('')}</select>
  <button type="submit">Send reply</button>
</form>`
          : '';
        // Emails are in their recipient's language: an Arabic one reads right to left here too.
        return `<article id="mail-${m.id}">
  <h2 dir="auto">${escapeHtml(m.subject)}</h2>
  <p class="meta">To ${escapeHtml(m.to.join(', '))} · ${escapeHtml(m.receivedAt)}</p>
  <pre dir="auto">${linkify(m.text)}</pre>
  ${form}
</article>`;
      })
      .join('\n');
    const banner = status
      ? `<p class="status${status === 'sent' ? '' : ' error'}" role="status">${status === 'sent' ? 'Reply sent.' : 'Reply refused.'} ${escapeHtml(detail)}</p>`
      : '';
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Dev mailbox · Inbox Chat</title><link rel="stylesheet" href="/dev/mail.css"></head>
<body><main><h1>Dev mailbox</h1><p class="note">Mail sent by this server while no SMTP_URL is set. Newest first; reload to refresh.
${target ? 'Replies go over SMTP to the reply-by-email listener, which trusts mail from this machine in development.' : 'Reply-by-email is off (INBOUND_SMTP), so mail here cannot be answered.'}</p>
${banner}
${rows || '<p>No mail yet.</p>'}</main></body></html>`);
  });
  r.post('/dev/mail/:id/reply', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res) => {
    refuseCrossSite(req);
    const mail = catcher.list().find((m) => String(m.id) === req.params.id);
    if (!mail || !mail.replyTo) throw new AppError('NOT_FOUND', 'No such mail in the dev mailbox');
    const form = replyForm.safeParse(req.body);
    if (!form.success) throw new AppError('BAD_INPUT', form.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const target = inbound();
    if (!target) throw new AppError('NOT_FOUND', 'Reply-by-email is off (INBOUND_SMTP=false)');
    const transport = nodemailer.createTransport({ host: target.host, port: target.port, secure: false, ignoreTLS: true });
    let status = 'sent';
    let detail: string;
    try {
      const info = await transport.sendMail({
        from: form.data.from,
        to: mail.replyTo,
        subject: /^re:/i.test(mail.subject) ? mail.subject : `Re: ${mail.subject}`,
        inReplyTo: mail.messageId ?? undefined,
        references: mail.messageId ?? undefined,
        // As a mail client writes it: the new text, then the original quoted.
        text: `${form.data.text}\n\nOn ${new Date(mail.receivedAt).toUTCString()}, ${mail.replyTo} wrote:\n${quoted(mail)}\n`,
      });
      detail = info.response;
    } catch (err) {
      status = 'refused';
      detail = err instanceof Error ? err.message : String(err);
      log.info({ detail }, 'dev mailbox reply refused by the inbound listener');
    } finally {
      transport.close();
    }
    res.redirect(303, `/dev/mail?status=${status}&detail=${encodeURIComponent(detail)}#mail-${mail.id}`);
  });
  return r;
}

/** A page elsewhere must not post replies through a developer's browser. */
function refuseCrossSite(req: Request): void {
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') throw new AppError('FORBIDDEN', 'The dev mailbox only takes its own form');
  const origin = req.get('origin');
  if (origin && origin !== 'null' && URL.parse(origin)?.host !== req.get('host')) {
    throw new AppError('FORBIDDEN', 'The dev mailbox only takes its own form');
  }
}
