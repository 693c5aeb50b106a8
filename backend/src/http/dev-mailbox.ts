import { Router } from 'express';
import type { MailCatcher } from '../mail/catcher.ts';
import { escapeHtml } from '../mail/templates.ts';

/** Dev-only: the mail the embedded SMTP catcher received, as a page and as JSON. */
export function devMailboxRoutes(catcher: MailCatcher): Router {
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
  r.get('/dev/mail', (_req, res) => {
    const rows = catcher
      .list()
      .map(
        (m) => `<article>
  <h2>${escapeHtml(m.subject)}</h2>
  <p class="meta">To ${escapeHtml(m.to.join(', '))} · ${escapeHtml(m.receivedAt)}</p>
  <pre>${escapeHtml(m.text)}</pre>
</article>`,
      )
      .join('\n');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Dev mailbox · Inbox Chat</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
article{border:1px solid #d0d7de;border-radius:8px;padding:0 1rem;margin:1rem 0}
.meta{color:#57606a;font-size:.9rem}pre{white-space:pre-wrap;word-break:break-word}</style></head>
<body><h1>Dev mailbox</h1><p>Mail sent by this server while no SMTP_URL is set. Newest first; reload to refresh.</p>
${rows || '<p>No mail yet.</p>'}</body></html>`);
  });
  return r;
}
