/**
 * The chat panel that the add-ins insert into an email, and how they find it again.
 * Mail clients run no script and strip `class`/`data-` attributes, so the panel is one plain
 * inline-styled table; the chat's UUID travels in the link `<base>/c/<uuid>` and in visible text.
 * Shared by the Outlook add-in, the Thunderbird extension and the server's emails: pure functions, no DOM.
 */
import { UUID_PATTERN as UUID } from '../protocol/patterns.ts';

export interface PanelInput {
  /** The chat page, `${PUBLIC_URL}/c/<uuid>`. */
  chatUrl: string;
  chatId: string;
  subject: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Fluent 2 light-theme colours (webLightTheme tokens), inline because mail clients drop <style>. */
const FLUENT = {
  brandBackground: '#0f6cbd', // colorBrandBackground
  brandBackground2: '#ebf3fc', // colorBrandBackground2
  brandStroke2: '#b4d6fa', // colorBrandStroke2
  onBrand: '#ffffff', // colorNeutralForegroundOnBrand
  foreground1: '#242424', // colorNeutralForeground1
  foreground2: '#424242', // colorNeutralForeground2
  foreground3: '#616161', // colorNeutralForeground3
} as const;
const FONT = "font-family:'Segoe UI','Segoe UI Web (West European)',-apple-system,BlinkMacSystemFont,Roboto,'Helvetica Neue',sans-serif;";

/**
 * The panel's words, already in the reader's language. The server's emails pass the recipient's
 * (backend/src/mail/messages); without them the panel speaks English.
 */
export interface PanelWords {
  /** "Live chat about Plan" */
  heading: string;
  /** Who can chat here and how. */
  body: string;
  /** The button. */
  open: string;
  /** "Chat <uuid>" */
  chatRef: string;
}

function englishWords({ chatId, subject }: PanelInput): PanelWords {
  return {
    heading: `Live chat about ${subject.trim() || 'this email'}`,
    body: 'Everyone this email was sent to can chat here. With the Inbox Chat add-in the chat opens right in this email; otherwise use the link.',
    open: 'Open the chat',
    chatRef: `Chat ${chatId}`,
  };
}

/**
 * One table, no nesting: a reader can take the link's closest `table` as the whole panel.
 * Colours and fonts are inline because Gmail and Outlook drop <style> blocks.
 *
 * The button is "bulletproof": classic Outlook on Windows renders mail with Word's engine, which
 * ignores padding, `display:inline-block` and background on an `<a>`, so there the button showed
 * as plain link text. Its background (`bgcolor` and style) and padding sit on a table cell
 * instead, in a three-cell row (indent, button, rest) so it stays one table; the other rows span
 * the three columns.
 */
export function panelHtml(panel: PanelInput, words: PanelWords = englishWords(panel)): string {
  const url = escapeHtml(panel.chatUrl);
  const row = (style: string, content: string) => `<tr><td colspan="3" style="${style}">${content}</td></tr>`;
  return (
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" bgcolor="${FLUENT.brandBackground2}" ` +
    `style="border:1px solid ${FLUENT.brandStroke2};border-radius:8px;background:${FLUENT.brandBackground2};margin:12px 0;max-width:560px;width:100%;border-collapse:separate;">` +
    row(
      `padding:12px 16px 4px 16px;${FONT}font-size:16px;line-height:22px;font-weight:600;color:${FLUENT.foreground1};`,
      `&#128172; ${escapeHtml(words.heading)}`,
    ) +
    row(`padding:0 16px 10px 16px;${FONT}font-size:14px;line-height:20px;color:${FLUENT.foreground2};`, escapeHtml(words.body)) +
    `<tr>` +
    // The spacer's fixed-width block keeps the indent where the 100% cell would squeeze it away.
    `<td width="16" style="width:16px;"><div style="width:16px;"></div></td>` +
    `<td align="center" valign="middle" bgcolor="${FLUENT.brandBackground}" ` +
    `style="background:${FLUENT.brandBackground};border-radius:4px;padding:6px 16px;mso-padding-alt:6px 16px;${FONT}font-size:14px;line-height:20px;font-weight:600;white-space:nowrap;">` +
    `<a href="${url}" style="color:${FLUENT.onBrand};text-decoration:none;font-weight:600;">${escapeHtml(words.open)}</a></td>` +
    `<td width="100%" style="font-size:0;line-height:0;">&nbsp;</td>` +
    `</tr>` +
    row(
      `padding:10px 16px 10px 16px;${FONT}font-size:12px;line-height:16px;color:${FLUENT.foreground3};`,
      `${escapeHtml(words.chatRef)} &middot; ${url}`,
    ) +
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

/** Any server: its address (scheme, host, optional path) is captured before `/c/`. */
const ANY_SERVER = 'https?://[^\\s"\'<>/]+(?:/[^\\s"\'<>]*?)?';

function pattern(base?: string): RegExp {
  const prefix = base ? escapeRegExp(base.replace(/\/+$/, '')) : ANY_SERVER;
  return new RegExp(`${prefix}/c/(${UUID})(?![0-9a-fA-F-])`, 'g');
}

/**
 * The server address of the first panel link in a text (`https://chat.example.com` for
 * `https://chat.example.com/c/<uuid>`), so a client set to another server can say which one to set.
 */
export function panelServerIn(text: string): string | null {
  return new RegExp(`(${ANY_SERVER})/c/${UUID}(?![0-9a-fA-F-])`).exec(text)?.[1] ?? null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every chat UUID a panel link names in an email's HTML, in order, lower-cased. */
function chatIdsInHtml(html: string, base?: string): string[] {
  // Links in HTML may carry entity-encoded characters; the UUID and "/c/" never need them.
  const decoded = html.replace(/&#x2F;|&#47;/gi, '/').replace(/&amp;/g, '&');
  const hrefs = /href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
  const ids: string[] = [];
  for (let m = hrefs.exec(decoded); m; m = hrefs.exec(decoded)) ids.push(...chatIdsInText(m[1] ?? m[2] ?? m[3] ?? '', base));
  return ids;
}

function chatIdsInText(text: string, base?: string): string[] {
  return [...text.matchAll(pattern(base))].map((m) => m[1]!.toLowerCase());
}

/**
 * The chat UUID of the first panel link in an email's HTML, lower-cased; null when there is none.
 * With `base`, only links to that server count (a panel from another Inbox Chat server is ignored).
 */
export function findChatIdInHtml(html: string, base?: string): string | null {
  return chatIdsInHtml(html, base)[0] ?? null;
}

/** The chat UUID of the first panel link in plain text; null when there is none. */
export function findChatIdInText(text: string, base?: string): string | null {
  return chatIdsInText(text, base)[0] ?? null;
}

/**
 * Whether a draft's body still holds the panel of `chatId`. The person may delete the panel
 * before sending: both clients then end the chat they embedded, because the email no longer
 * offers it to anyone. Any panel link counts, not only the first (a quoted panel may come first).
 */
export function draftHasPanel(body: { html?: string | null; text?: string | null }, chatId: string, base?: string): boolean {
  const id = chatId.toLowerCase();
  return (
    (body.html ? chatIdsInHtml(body.html, base).includes(id) : false) || (body.text ? chatIdsInText(body.text, base).includes(id) : false)
  );
}
