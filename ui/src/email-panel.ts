/**
 * The chat panel that the add-ins insert into an email, and how they find it again.
 * Mail clients run no script and strip `class`/`data-` attributes, so the panel is one plain
 * inline-styled table; the chat's UUID travels in the link `<base>/c/<uuid>` and in visible text.
 * Shared by the Outlook add-in and the Thunderbird extension: pure functions, no DOM.
 */
import { UUID_PATTERN as UUID } from '../../protocol/patterns.ts';

export interface PanelInput {
  /** The chat page, `${PUBLIC_URL}/c/<uuid>`. */
  chatUrl: string;
  chatId: string;
  subject: string;
}


export function chatUrlFor(baseUrl: string, chatId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/c/${chatId}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One table, no nesting: a reader can take the link's closest `table` as the whole panel.
 * Colours and fonts are inline because Gmail and Outlook drop <style> blocks.
 */
export function panelHtml({ chatUrl, chatId, subject }: PanelInput): string {
  const url = escapeHtml(chatUrl);
  const title = subject.trim() ? escapeHtml(subject.trim()) : 'this email';
  const font = "font-family:Segoe UI,Helvetica,Arial,sans-serif;";
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" ` +
    `style="border:1px solid #c7d2fe;border-radius:8px;background:#eef2ff;margin:12px 0;max-width:560px;width:100%;border-collapse:separate;">` +
    `<tr><td style="padding:12px 16px 4px 16px;${font}font-size:15px;font-weight:bold;color:#1e1b4b;">` +
    `&#128172; Live chat about ${title}</td></tr>` +
    `<tr><td style="padding:0 16px 8px 16px;${font}font-size:13px;color:#312e81;">` +
    `Everyone this email was sent to can chat here. With the Inbox Chat add-in the chat opens right in this email; ` +
    `otherwise use the link.</td></tr>` +
    `<tr><td style="padding:0 16px 12px 16px;${font}font-size:14px;">` +
    `<a href="${url}" style="display:inline-block;padding:8px 14px;background:#4f46e5;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold;">Open the chat</a>` +
    `</td></tr>` +
    `<tr><td style="padding:0 16px 10px 16px;${font}font-size:11px;color:#6b7280;">Chat ${escapeHtml(chatId)} &middot; ${url}</td></tr>` +
    `</table>`
  );
}

/** The plain-text version, for plain-text messages and the text/plain alternative. */
export function panelText({ chatUrl, chatId, subject }: PanelInput): string {
  const title = subject.trim() || 'this email';
  return [
    '----- Live chat -----',
    `Live chat about ${title}`,
    'Everyone this email was sent to can chat here:',
    chatUrl,
    `(chat ${chatId})`,
    '---------------------',
  ].join('\n');
}

function pattern(base?: string): RegExp {
  const prefix = base ? escapeRegExp(base.replace(/\/+$/, '')) : 'https?://[^\\s"\'<>/]+(?:/[^\\s"\'<>]*?)?';
  return new RegExp(`${prefix}/c/(${UUID})(?![0-9a-fA-F-])`);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The chat UUID of the first panel link in an email's HTML, lower-cased; null when there is none.
 * With `base`, only links to that server count (a panel from another Inbox Chat server is ignored).
 */
export function findChatIdInHtml(html: string, base?: string): string | null {
  // Links in HTML may carry entity-encoded characters; the UUID and "/c/" never need them.
  const decoded = html.replace(/&#x2F;|&#47;/gi, '/').replace(/&amp;/g, '&');
  const hrefs = /href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
  const re = pattern(base);
  for (let m = hrefs.exec(decoded); m; m = hrefs.exec(decoded)) {
    const found = re.exec(m[1] ?? m[2] ?? m[3] ?? '');
    if (found) return found[1]!.toLowerCase();
  }
  return null;
}

/** The chat UUID of the first panel link in plain text; null when there is none. */
export function findChatIdInText(text: string, base?: string): string | null {
  const found = pattern(base).exec(text);
  return found ? found[1]!.toLowerCase() : null;
}
