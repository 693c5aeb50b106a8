/**
 * A received email and its chat: the chat named by its panel (or by the chat header its sender
 * added), and for emails without one, the "Reply with IM" chat to create.
 */
import type { CreateChatBody } from '../../../protocol/index.ts';
import { chatIdFromHeaderMap } from '../../../mail-client/chat-header.ts';
import { findChatIdInHtml, findChatIdInText } from '../../../mail-client/panel.ts';
import { replyDraftKey, replyQuote } from '../../../mail-client/reply-with-im.ts';
import { unwrapSafeLinks } from '../../../mail-client/safe-links.ts';
import type { MessageHeader, MessagePart } from '../messenger.ts';
import { addressesOf, mailboxAddress } from './addresses.ts';

function* walk(part: MessagePart): Generator<MessagePart> {
  yield part;
  for (const p of part.parts ?? []) yield* walk(p);
}

/** The chat of a received email: its panel link first, else its chat header. */
export function chatIdOfMessage(full: MessagePart, base: string): string | null {
  for (const p of walk(full)) {
    const type = (p.contentType ?? '').toLowerCase();
    if (!p.body) continue;
    const find = type === 'text/html' ? findChatIdInHtml : type === 'text/plain' ? findChatIdInText : null;
    // A link rewritten by Safe Links still names the chat once unwrapped.
    const id = find && (find(p.body, base) ?? find(unwrapSafeLinks(p.body), base));
    if (id) return id;
  }
  return chatIdFromHeaderMap(full.headers);
}

/** Text of an HTML body without markup, for quoting (no DOM needed; runs in tests too). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|tr|li|h[1-6]|blockquote)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The readable text of an email: its text/plain part, else its HTML part without markup. */
export function messageText(full: MessagePart): string {
  let html: string | null = null;
  for (const p of walk(full)) {
    const type = (p.contentType ?? '').toLowerCase();
    if (type === 'text/plain' && p.body) return p.body.trim();
    if (type === 'text/html' && p.body && html === null) html = p.body;
  }
  return html ? htmlToText(html) : '';
}

/**
 * "Reply with IM": a chat with everyone on the email, the email quoted as its first entry.
 * The shared draft key makes a second click on the same email, in Thunderbird or in Outlook, open the same chat.
 */
export function replyChatBody(header: MessageHeader, full: MessagePart, me: string): CreateChatBody {
  const author = mailboxAddress(header.author)?.toLowerCase() ?? null;
  const mine = me.toLowerCase();
  const others = (list: string[]) => list.filter((a) => a !== mine);
  const to = others(addressesOf([...(author ? [author] : []), ...header.recipients]));
  const cc = others(addressesOf(header.ccList)).filter((a) => !to.includes(a));
  const draftKey = replyDraftKey(header.headerMessageId);
  return {
    subject: header.subject,
    audience: { from: [mine], to, cc, bcc: [] },
    ...(draftKey ? { draftKey } : {}),
    emailMessageId: header.headerMessageId || undefined,
    source: 'EMAIL',
    retention: 'ARCHIVED',
    ...(author ? { quote: { from: author, text: replyQuote(messageText(full)) } } : {}),
  };
}
