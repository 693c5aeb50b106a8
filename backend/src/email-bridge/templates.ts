/**
 * The email bridge's emails (notifications, digests, invitations, transcripts, address codes),
 * each composed in its recipient's language from the email catalogues (../mail/i18n.ts).
 * What people wrote is never translated here: it is shown as written, after the translation
 * (message translation) when the reader has one.
 */
import { emailDocument, escapeHtml } from '../mail/html.ts';
import type { EmailWords } from '../mail/i18n.ts';
import { panelHtml as sharedPanelHtml, type PanelWords } from '../../../mail-client/panel.ts';
import { readCallLine } from '../../../protocol/call-line.ts';
import type { AttachmentCategory } from '../../../protocol/media.ts';
import { attachmentOf } from '../chats/attachment-body.ts';

/** A message as it appears in an email. */
export interface MailLine {
  seq: number;
  author: string;
  body: string;
  at: Date;
  kind: 'TEXT' | 'QUOTE' | 'ATTACHMENT' | 'CALL';
  /** The message in the recipient's reading language, shown above the original. */
  translation?: { from: string; body: string };
  /** What was attached, said in the reader's words, and the chat page where it plays or downloads (emails carry no files). */
  attachment?: { category: AttachmentCategory; name: string; durationMs: number | null; url: string };
  /** A video message's poster frame; `cid` once the email carries it inline. */
  poster?: { mediaId: string; cid?: string };
}

/** A stored message as an email line: an attachment is described and linked, never shown as its stored JSON. */
export function mailLine(m: Omit<MailLine, 'attachment' | 'translation' | 'poster'>, chatLink: string): MailLine {
  const a = m.kind === 'ATTACHMENT' ? attachmentOf(m) : null;
  if (!a) return m;
  const poster = a.category === 'VIDEO' && a.previewMediaId ? { poster: { mediaId: a.previewMediaId } } : {};
  return { ...m, body: '', attachment: { category: a.category, name: a.name, durationMs: a.durationMs, url: chatLink }, ...poster };
}

/** "0:12": a video's length as players show it, the same in every language. */
function videoLength(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** What a line says: a call and an attachment in the reader's words, anything else as written. */
function saying(l: MailLine, w: EmailWords): string {
  if (l.attachment) {
    const a = l.attachment;
    if (a.category === 'VIDEO')
      return a.durationMs === null ? w.t('line.sentVideo') : w.t('line.sentVideoLength', { length: videoLength(a.durationMs) });
    return w.t(a.category === 'IMAGE' ? 'line.sentImage' : 'line.sentFile', { name: a.name });
  }
  if (l.kind === 'CALL') {
    const call = readCallLine(l.body);
    if (call?.kind === 'missed') return w.t('line.missedCall', { caller: call.caller });
    if (call?.kind === 'ended') return w.t('line.callEnded', { duration: w.duration(call.seconds), people: w.list(call.people) });
  }
  return l.body;
}

function watchLabel(w: EmailWords, category: AttachmentCategory): string {
  return w.t(category === 'VIDEO' ? 'line.watchVideo' : category === 'IMAGE' ? 'line.seeImage' : 'line.downloadFile');
}

const authorOf = (l: MailLine, w: EmailWords) => (l.kind === 'QUOTE' ? w.t('line.fromEmail', { author: l.author }) : l.author);

const MUTED = 'color:#57606a';

function panelWords(w: EmailWords, subject: string, chatId: string): PanelWords {
  return {
    heading: subject.trim() ? w.t('panel.heading', { subject: subject.trim() }) : w.t('panel.headingNoSubject'),
    body: w.t('panel.body'),
    open: w.t('mail.openChat'),
    chatRef: w.t('panel.chatId', { id: chatId }),
  };
}

/** The shared email panel (same as the add-ins insert) plus a personal one-click button when there is one. */
function panelHtml(w: EmailWords, opts: { chatUrl: string; chatId: string; subject: string; personalUrl?: string }): string {
  const personal = opts.personalUrl
    ? `<p style="margin:12px 0"><a href="${escapeHtml(opts.personalUrl)}" style="background:#0969da;color:#ffffff;padding:6px 14px;border-radius:6px;text-decoration:none;display:inline-block">${w.html('mail.openSignedIn')}</a></p>`
    : '';
  const panel = { chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject };
  return personal + sharedPanelHtml(panel, panelWords(w, opts.subject, opts.chatId));
}

function linesText(w: EmailWords, lines: MailLine[]): string {
  return lines
    .map((l) => {
      const when = w.t('mail.time', { at: l.at });
      // A call line names its people itself ("Missed call from ...").
      if (l.kind === 'CALL') return `(${when}) ${saying(l, w)}`;
      const body = l.translation
        ? `${indent(l.translation.body)}\n  ${w.t('line.translatedText', { language: w.languageName(l.translation.from) })}\n${indent(l.body)}`
        : indent(saying(l, w));
      const watch = l.attachment ? `\n  ${watchLabel(w, l.attachment.category)}: ${l.attachment.url}` : '';
      return `${authorOf(l, w)} (${when}):\n${body}${watch}`;
    })
    .join('\n\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** The link to the chat page, behind the poster when the email carries it. */
function watchHtml(w: EmailWords, a: NonNullable<MailLine['attachment']>, posterCid: string | undefined): string {
  const href = escapeHtml(a.url);
  const poster = posterCid
    ? `<div><a href="${href}"><img src="cid:${escapeHtml(posterCid)}" alt="${w.html('line.posterAlt')}" width="320" style="max-width:100%;border-radius:6px"></a></div>`
    : '';
  return `${poster}<div><a href="${href}">${escapeHtml(watchLabel(w, a.category))}</a></div>`;
}

/** Written words keep their own direction (`dir="auto"`): an English message in an Arabic email reads left to right. */
function linesHtml(w: EmailWords, lines: MailLine[], muted: boolean): string {
  return lines
    .map((l) => {
      const when = escapeHtml(w.t('mail.time', { at: l.at }));
      if (l.kind === 'CALL') {
        return `<div style="margin:6px 0;${MUTED}"><i>${escapeHtml(saying(l, w))}</i> <span style="font-size:12px">${when}</span></div>`;
      }
      const body = l.translation
        ? `<div style="white-space:pre-wrap" dir="auto">${escapeHtml(l.translation.body)}</div><div style="font-size:12px;${MUTED}">${w.html(
            'line.translatedHtml',
            { language: w.languageName(l.translation.from) },
          )}</div><div style="white-space:pre-wrap;${MUTED}" dir="auto">${escapeHtml(l.body)}</div>`
        : `<div style="white-space:pre-wrap" dir="auto">${escapeHtml(saying(l, w))}</div>`;
      return `<div style="margin:6px 0;${muted ? MUTED : ''}"><b dir="auto">${escapeHtml(authorOf(l, w))}</b> <span style="font-size:12px;${MUTED}">${when}</span>${body}${
        l.attachment ? watchHtml(w, l.attachment, l.poster?.cid) : ''
      }</div>`;
    })
    .join('\n');
}

const chatName = (w: EmailWords, subject: string) => subject.replace(/[\r\n]+/g, ' ').trim() || w.t('mail.untitled');

export function notificationMail(
  w: EmailWords,
  opts: {
    subject: string;
    chatId: string;
    chatUrl: string;
    personalUrl: string;
    /** null: no reply by email (an audience address that has not joined yet). */
    replyAddress: string | null;
    fresh: MailLine[];
    history: MailLine[];
    reminder?: boolean;
  },
) {
  const intro = {
    reminder: opts.reminder ? 'yes' : 'no',
    count: opts.fresh.length,
    people: w.list([...new Set(opts.fresh.map((l) => l.author))]),
    subject: chatName(w, opts.subject),
  };
  const text = [
    w.t('notify.intro', intro),
    '',
    ...(opts.history.length ? [w.t('notify.earlier'), linesText(w, opts.history), '', w.t('notify.new')] : []),
    linesText(w, opts.fresh),
    '',
    w.t(opts.replyAddress ? 'notify.replyOrOpen' : 'notify.openToAnswer'),
    opts.personalUrl,
    '',
    w.t('notify.linkOnce'),
    w.t('mail.chatRef', { id: opts.chatId, url: opts.chatUrl }),
  ].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('notify.intro', intro)}</p>
${opts.history.length ? `<div style="border-inline-start:3px solid #d0d7de;padding-inline-start:8px;margin-bottom:8px">${linesHtml(w, opts.history, true)}</div>` : ''}
${linesHtml(w, opts.fresh, false)}
${opts.replyAddress ? `<p style="font-size:13px;${MUTED}">${w.html('notify.replyHint')}</p>` : ''}
${panelHtml(w, { chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject, personalUrl: opts.personalUrl })}
<p style="font-size:12px;${MUTED}">${w.html('notify.buttonOnce')}</p>`,
  );
  return { subject: replySubject(opts.subject), text, html };
}

/** Names no inviter: a hidden (Bcc) member may invite, and naming only visible inviters would tell. */
export function invitationMail(
  w: EmailWords,
  opts: { subject: string; chatId: string; chatUrl: string; personalUrl: string; days: number },
) {
  const chat = { subject: chatName(w, opts.subject) };
  const text = [
    w.t('invite.intro', chat),
    '',
    w.t('invite.joinOnce'),
    opts.personalUrl,
    '',
    `${w.t('invite.expires', { days: opts.days })} ${w.t('mail.chatRef', { id: opts.chatId, url: opts.chatUrl })}`,
  ].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('invite.intro', chat)}</p>
${panelHtml(w, { chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject, personalUrl: opts.personalUrl })}
<p style="font-size:12px;${MUTED}">${w.html('invite.buttonNote', { days: opts.days })}</p>`,
  );
  return { subject: w.t('invite.subject', { subject: opts.subject.replace(/[\r\n]+/g, ' ').trim() || w.t('mail.chat') }), text, html };
}

export function transcriptMail(
  w: EmailWords,
  opts: { subject: string; chatId: string; chatUrl: string; sender: string; lines: MailLine[]; replyAddress: string },
) {
  const intro = { sender: opts.sender, subject: chatName(w, opts.subject) };
  const text = [w.t('transcript.intro', intro), '', linesText(w, opts.lines), '', w.t('transcript.replyOrOpen'), opts.chatUrl].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('transcript.intro', intro)}</p>
${linesHtml(w, opts.lines, false)}
${panelHtml(w, { chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject })}`,
  );
  return { subject: replySubject(opts.subject), text, html };
}

export function digestMail(
  w: EmailWords,
  chats: { subject: string; chatId: string; chatUrl: string; personalUrl: string; fresh: MailLine[] }[],
) {
  const counts = { messages: chats.reduce((n, c) => n + c.fresh.length, 0), chats: chats.length };
  const text = [
    w.t('digest.intro', counts),
    ...chats.flatMap((c) => ['', `== ${chatName(w, c.subject)} ==`, linesText(w, c.fresh), w.t('mail.openLink', { url: c.personalUrl })]),
  ].join('\n');
  const html = emailDocument(
    w,
    `<p>${w.html('digest.intro', counts)}</p>${chats
      .map(
        (c) =>
          `<h3 style="margin:16px 0 4px" dir="auto">${escapeHtml(chatName(w, c.subject))}</h3>${linesHtml(w, c.fresh, false)}${panelHtml(w, c)}`,
      )
      .join('\n')}`,
  );
  return { subject: w.t('digest.subject', counts), text, html };
}

export function addressLinkMail(w: EmailWords, opts: { code: string; address: string; minutes: number }) {
  const text = `${w.t('addressLink.text', { address: opts.address, code: opts.code })}\n\n${w.t('addressLink.expires', { minutes: opts.minutes })} ${w.t('mail.ignore')}`;
  const html = emailDocument(
    w,
    `<p>${w.html('addressLink.lead', { address: opts.address })}</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px" dir="ltr">${escapeHtml(
      opts.code,
    )}</p><p style="font-size:13px;${MUTED}">${w.html('addressLink.expires', { minutes: opts.minutes })} ${w.html('mail.ignore')}</p>`,
  );
  return { subject: w.t('addressLink.subject', { code: opts.code, address: opts.address }), text, html };
}

/** "Re: <subject>" in every language: mail clients thread and recognise replies by it. */
function replySubject(subject: string): string {
  const s = subject.replace(/[\r\n]+/g, ' ').trim() || 'Inbox Chat';
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}
