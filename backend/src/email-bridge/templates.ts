import { escapeHtml } from '../mail/templates.ts';
import { panelHtml as sharedPanelHtml } from '../../../mail-client/panel.ts';

/** A message as it appears in an email. */
export interface MailLine {
  seq: number;
  author: string;
  body: string;
  at: Date;
  kind: 'TEXT' | 'QUOTE' | 'CALL';
  /** The message in the recipient's reading language, shown above the original. */
  translation?: { from: string; body: string };
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

function translatedFrom(t: { from: string }): string {
  return `Translated from ${languageNames.of(t.from) ?? t.from}`;
}

const stamp = (at: Date) => at.toISOString().slice(0, 16).replace('T', ' ');

const FONT = 'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#1f2328';

/** The shared email panel (same as the add-ins insert) plus a personal one-click button when there is one. */
function panelHtml(opts: { chatUrl: string; chatId: string; subject: string; personalUrl?: string }): string {
  const personal = opts.personalUrl
    ? `<p style="margin:12px 0"><a href="${escapeHtml(opts.personalUrl)}" style="background:#0969da;color:#ffffff;padding:6px 14px;border-radius:6px;text-decoration:none;display:inline-block">Open the chat, signed in</a></p>`
    : '';
  return personal + sharedPanelHtml({ chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject });
}

function linesText(lines: MailLine[]): string {
  return lines
    .map((l) =>
      // A call line names its people itself ("Missed call from ...").
      l.kind === 'CALL'
        ? `(${stamp(l.at)} UTC) ${l.body}`
        : `${l.kind === 'QUOTE' ? `${l.author} (email)` : l.author} (${stamp(l.at)} UTC):\n${
            l.translation
              ? `${indent(l.translation.body)}\n  [${translatedFrom(l.translation)}; original:]\n${indent(l.body)}`
              : indent(l.body)
          }`,
    )
    .join('\n\n');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function linesHtml(lines: MailLine[], muted: boolean): string {
  return lines
    .map((l) =>
      l.kind === 'CALL'
        ? `<div style="margin:6px 0;color:#57606a"><i>${escapeHtml(l.body)}</i> <span style="font-size:12px">${escapeHtml(stamp(l.at))} UTC</span></div>`
        : `<div style="margin:6px 0;${muted ? 'color:#57606a' : ''}"><b>${escapeHtml(l.author)}</b> <span style="font-size:12px;color:#57606a">${escapeHtml(
            stamp(l.at),
          )} UTC</span>${
            l.translation
              ? `<div style="white-space:pre-wrap">${escapeHtml(l.translation.body)}</div><div style="font-size:12px;color:#57606a">${escapeHtml(
                  translatedFrom(l.translation),
                )} · original:</div><div style="white-space:pre-wrap;color:#57606a">${escapeHtml(l.body)}</div>`
              : `<div style="white-space:pre-wrap">${escapeHtml(l.body)}</div>`
          }</div>`,
    )
    .join('\n');
}

export function notificationMail(opts: {
  subject: string;
  chatId: string;
  chatUrl: string;
  personalUrl: string;
  /** null: no reply by email (an audience address that has not joined yet). */
  replyAddress: string | null;
  fresh: MailLine[];
  history: MailLine[];
  reminder?: boolean;
}) {
  const who = [...new Set(opts.fresh.map((l) => l.author))].join(', ');
  const n = opts.fresh.length;
  const intro = `${opts.reminder ? 'Reminder: ' : ''}${n} new message${n === 1 ? '' : 's'} from ${who} in the chat "${opts.subject || 'untitled'}".`;
  const text = [
    intro,
    '',
    ...(opts.history.length ? ['Earlier:', linesText(opts.history), '', 'New:'] : []),
    linesText(opts.fresh),
    '',
    opts.replyAddress
      ? `Reply to this email to answer in the chat (only your new text is posted), or open the chat:`
      : 'Open the chat to answer:',
    opts.personalUrl,
    '',
    `This link signs you in to this chat once. Turn these emails off on the chat page.`,
    `Chat ${opts.chatId}: ${opts.chatUrl}`,
  ].join('\n');
  const html = `<div style="${FONT}">
<p>${escapeHtml(intro)}</p>
${opts.history.length ? `<div style="border-left:3px solid #d0d7de;padding-left:8px;margin-bottom:8px">${linesHtml(opts.history, true)}</div>` : ''}
${linesHtml(opts.fresh, false)}
${opts.replyAddress ? '<p style="font-size:13px;color:#57606a">Reply to this email to answer in the chat; only your new text is posted.</p>' : ''}
${panelHtml({ chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject, personalUrl: opts.personalUrl })}
<p style="font-size:12px;color:#57606a">The button signs you in to this chat once. You can turn these emails off on the chat page.</p>
</div>`;
  return { subject: replySubject(opts.subject), text, html };
}

/** Names no inviter: a hidden (Bcc) member may invite, and naming only visible inviters would tell. */
export function invitationMail(opts: { subject: string; chatId: string; chatUrl: string; personalUrl: string; days: number }) {
  const text = [
    `You are invited to the chat "${opts.subject || 'untitled'}".`,
    '',
    'Join with one click (the link works once and signs you in to this chat only):',
    opts.personalUrl,
    '',
    `The link expires in ${opts.days} days. Chat ${opts.chatId}: ${opts.chatUrl}`,
  ].join('\n');
  const html = `<div style="${FONT}">
<p>You are invited to the chat "${escapeHtml(opts.subject || 'untitled')}".</p>
${panelHtml({ chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject, personalUrl: opts.personalUrl })}
<p style="font-size:12px;color:#57606a">The button works once, signs you in to this chat only, and expires in ${opts.days} days.</p>
</div>`;
  return { subject: `Invitation: ${opts.subject.replace(/[\r\n]+/g, ' ').trim() || 'chat'}`, text, html };
}

export function transcriptMail(opts: {
  subject: string;
  chatId: string;
  chatUrl: string;
  sender: string;
  lines: MailLine[];
  replyAddress: string;
}) {
  const text = [
    `${opts.sender} sent you the transcript of the chat "${opts.subject || 'untitled'}".`,
    '',
    linesText(opts.lines),
    '',
    'Reply to this email to answer in the chat, or open it:',
    opts.chatUrl,
  ].join('\n');
  const html = `<div style="${FONT}">
<p>${escapeHtml(opts.sender)} sent you the transcript of the chat "${escapeHtml(opts.subject || 'untitled')}".</p>
${linesHtml(opts.lines, false)}
${panelHtml({ chatUrl: opts.chatUrl, chatId: opts.chatId, subject: opts.subject })}
</div>`;
  return { subject: replySubject(opts.subject), text, html };
}

export function digestMail(chats: { subject: string; chatId: string; chatUrl: string; personalUrl: string; fresh: MailLine[] }[]) {
  const total = chats.reduce((n, c) => n + c.fresh.length, 0);
  const intro = `While you were away (do not disturb): ${total} new message${total === 1 ? '' : 's'} in ${chats.length} chat${chats.length === 1 ? '' : 's'}.`;
  const text = [
    intro,
    ...chats.flatMap((c) => ['', `== ${c.subject || 'untitled'} ==`, linesText(c.fresh), `Open: ${c.personalUrl}`]),
  ].join('\n');
  const html = `<div style="${FONT}"><p>${escapeHtml(intro)}</p>${chats
    .map((c) => `<h3 style="margin:16px 0 4px">${escapeHtml(c.subject || 'untitled')}</h3>${linesHtml(c.fresh, false)}${panelHtml(c)}`)
    .join('\n')}</div>`;
  return { subject: `Inbox Chat digest: ${total} new message${total === 1 ? '' : 's'}`, text, html };
}

export function addressLinkMail(opts: { code: string; address: string; minutes: number }) {
  const text = `Your code to add ${opts.address} to your Inbox Chat sign-in is ${opts.code}.\n\nIt works once and expires in ${opts.minutes} minutes. If you did not ask for this, ignore this email.`;
  const html = `<div style="${FONT}"><p>Your code to add ${escapeHtml(opts.address)} to your Inbox Chat sign-in is</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(opts.code)}</p><p style="font-size:13px;color:#57606a">It works once and expires in ${opts.minutes} minutes. If you did not ask for this, ignore this email.</p></div>`;
  return { subject: `${opts.code} is your code to link ${opts.address}`, text, html };
}

function replySubject(subject: string): string {
  const s = subject.replace(/[\r\n]+/g, ' ').trim() || 'Inbox Chat';
  return /^re:/i.test(s) ? s : `Re: ${s}`;
}
