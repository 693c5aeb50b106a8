/** Mail bodies. Every user-supplied value goes through escapeHtml before it meets HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function verificationMail(opts: { code: string; link: string; minutes: number; subject?: string }) {
  const about = opts.subject ? ` to join the chat "${opts.subject}"` : '';
  const text = [
    `Your Inbox Chat code is ${opts.code}.`,
    '',
    `Enter it where you asked for it${about}, or open this link on the same device:`,
    opts.link,
    '',
    `The code and link work once and expire in ${opts.minutes} minutes.`,
    'If you did not ask for this, ignore this email.',
  ].join('\n');
  const html = `<div style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;color:#1f2328">
<p>Your Inbox Chat code is</p>
<p style="font-size:28px;font-weight:bold;letter-spacing:4px;margin:8px 0">${escapeHtml(opts.code)}</p>
<p>Enter it where you asked for it${escapeHtml(about)}, or <a href="${escapeHtml(opts.link)}">sign in with one click</a>.</p>
<p style="color:#57606a;font-size:13px">The code and link work once and expire in ${opts.minutes} minutes. If you did not ask for this, ignore this email.</p>
</div>`;
  return { subject: `${opts.code} is your Inbox Chat code`, text, html };
}

export function accessDecisionMail(opts: { subject: string; approved: boolean; link: string }) {
  const verdict = opts.approved ? 'approved' : 'declined';
  const text = opts.approved
    ? `Your request to join the chat "${opts.subject}" was approved.\n\nOpen it: ${opts.link}`
    : `Your request to join the chat "${opts.subject}" was declined by its owner.`;
  const html = `<p>Your request to join the chat "${escapeHtml(opts.subject)}" was ${verdict}.</p>${
    opts.approved ? `<p><a href="${escapeHtml(opts.link)}">Open the chat</a></p>` : ''
  }`;
  return { subject: `Access ${verdict}: ${opts.subject || 'chat'}`, text, html };
}

export function accessRequestMail(opts: { subject: string; requester: string; note: string; link: string }) {
  const text = `${opts.requester} asks to join your chat "${opts.subject}".${
    opts.note ? `\n\nTheir note: ${opts.note}` : ''
  }\n\nApprove or decline: ${opts.link}`;
  const html = `<p>${escapeHtml(opts.requester)} asks to join your chat "${escapeHtml(opts.subject)}".</p>${
    opts.note ? `<p>Their note: ${escapeHtml(opts.note)}</p>` : ''
  }<p><a href="${escapeHtml(opts.link)}">Approve or decline</a></p>`;
  return { subject: `Access request: ${opts.subject || 'chat'}`, text, html };
}
