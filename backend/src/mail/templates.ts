/** Emails about signing in and access, in the recipient's language (words from i18n.ts). */
import { emailDocument, escapeHtml } from './html.ts';
import type { EmailWords } from './i18n.ts';

const MUTED = 'color:#57606a;font-size:13px';

export function verificationMail(w: EmailWords, opts: { code: string; link: string; minutes: number; subject?: string }) {
  const about = opts.subject ? { subject: opts.subject } : undefined;
  const text = [
    w.t('signIn.text', { code: opts.code }),
    '',
    w.t(about ? 'signIn.enterForChat' : 'signIn.enter', about),
    opts.link,
    '',
    w.t('signIn.expires', { minutes: opts.minutes }),
    w.t('mail.ignore'),
  ].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('signIn.lead')}</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px;margin:8px 0" dir="ltr">${escapeHtml(opts.code)}</p>
<p>${w.html(about ? 'signIn.enterForChatHtml' : 'signIn.enterHtml', about, opts.link)}</p>
<p style="${MUTED}">${w.html('signIn.expires', { minutes: opts.minutes })} ${w.html('mail.ignore')}</p>`,
  );
  return { subject: w.t('signIn.subject', { code: opts.code }), text, html };
}

export function accessDecisionMail(w: EmailWords, opts: { subject: string; approved: boolean; link: string }) {
  const chat = { subject: opts.subject || w.t('mail.untitled') };
  const verdict = opts.approved ? 'access.approved' : 'access.declined';
  const text = opts.approved ? `${w.t(verdict, chat)}\n\n${w.t('mail.openLink', { url: opts.link })}` : w.t(verdict, chat);
  const html = emailDocument(
    w,
    `<p>${w.html(verdict, chat)}</p>${opts.approved ? `<p><a href="${escapeHtml(opts.link)}">${w.html('mail.openChat')}</a></p>` : ''}`,
  );
  const subject = { subject: opts.subject || w.t('mail.chat') };
  return { subject: w.t(opts.approved ? 'access.approvedSubject' : 'access.declinedSubject', subject), text, html };
}

export function accessRequestMail(w: EmailWords, opts: { subject: string; requester: string; note: string; link: string }) {
  const intro = { requester: opts.requester, subject: opts.subject || w.t('mail.untitled') };
  const text = [
    w.t('access.requestIntro', intro),
    ...(opts.note ? ['', w.t('access.note', { note: opts.note })] : []),
    '',
    w.t('access.decideText', { url: opts.link }),
  ].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('access.requestIntro', intro)}</p>${
      opts.note ? `<p dir="auto">${w.html('access.note', { note: opts.note })}</p>` : ''
    }<p><a href="${escapeHtml(opts.link)}">${w.html('access.decide')}</a></p>`,
  );
  return { subject: w.t('access.requestSubject', { subject: opts.subject || w.t('mail.chat') }), text, html };
}
