/// <reference types="office-js" />
/**
 * What the read logic needs from the email being read: its chat (by the `X-` header, else by
 * the panel link in the body) and what "Reply with IM" quotes.
 */
import type { CreateChatBody } from '../../../protocol/index.ts';
import { chatIdFromHeaderBlock } from '../../../mail-client/chat-header.ts';
import { findChatIdInHtml, findChatIdInText } from '../../../mail-client/panel.ts';
import { replyDraftKey, replyQuote } from '../../../mail-client/reply-with-im.ts';
import { unwrapSafeLinks } from '../../../mail-client/safe-links.ts';
import { mailboxAddress } from '../compose/draft.ts';
import { t } from '../../../ui/src/i18n/index.ts';
import { officeCall, supportsMailbox } from '../office/async.ts';

function bodyAs(item: Office.MessageRead, kind: 'html' | 'text'): Promise<string> {
  return officeCall<string>((cb) => item.body.getAsync(kind as Office.CoercionType, cb)).then((s) => s ?? '');
}

/**
 * Finds the chat of the email being read, or null. The header survives when the body is
 * rewritten (Safe Links, forwarding); the link is what every client keeps.
 */
export async function findChatForItem(item: Office.MessageRead, serverUrl: string): Promise<string | null> {
  if (supportsMailbox('1.8') && typeof item.getAllInternetHeadersAsync === 'function') {
    try {
      const headers = await officeCall<string>((cb) => item.getAllInternetHeadersAsync(cb));
      const fromHeader = chatIdFromHeaderBlock(headers ?? '');
      if (fromHeader) return fromHeader;
    } catch {
      // Headers unavailable (e.g. a draft opened in read mode): look at the body.
    }
  }
  try {
    const html = await bodyAs(item, 'html');
    const inHtml = findChatIdInHtml(html, serverUrl) ?? findChatIdInHtml(unwrapSafeLinks(html), serverUrl);
    if (inHtml) return inHtml;
  } catch {
    // Fall through to plain text.
  }
  try {
    return findChatIdInText(await bodyAs(item, 'text'), serverUrl);
  } catch {
    return null;
  }
}

function unique(list: string[], except: string[]): string[] {
  const out: string[] = [];
  for (const raw of list) {
    const a = raw.trim().toLowerCase();
    if (a && !except.includes(a) && !out.includes(a)) out.push(a);
  }
  return out;
}

/**
 * "Reply with IM" for an email without a panel: a chat with its sender and other participants,
 * the email quoted as the first history entry. Nothing is mailed to anyone until they reply.
 */
export async function replyWithImBody(item: Office.MessageRead): Promise<CreateChatBody> {
  const me = mailboxAddress();
  const sender = (item.from?.emailAddress ?? item.sender?.emailAddress ?? '').trim().toLowerCase();
  const to = unique([sender, ...(item.to ?? []).map((r) => r.emailAddress)], [me]);
  const cc = unique(
    (item.cc ?? []).map((r) => r.emailAddress),
    [me, ...to],
  );
  const text = await bodyAs(item, 'text').catch(() => '');
  const key = replyDraftKey(item.internetMessageId, item.itemId);
  return {
    subject: item.subject ?? '',
    audience: { from: me ? [me] : [], to, cc, bcc: [] },
    source: 'EMAIL',
    retention: 'ARCHIVED',
    ...(key ? { draftKey: key } : {}),
    ...(item.internetMessageId ? { emailMessageId: item.internetMessageId } : {}),
    ...(sender ? { quote: { from: sender, text: replyQuote(text) } } : {}),
  };
}

/** The info bar on an email with a chat: how many IMs are unread. */
export async function showUnreadInfoBar(item: Office.MessageRead, unread: number): Promise<void> {
  if (!item.notificationMessages) return;
  const key = 'inboxChatUnread';
  if (unread <= 0) {
    await officeCall<void>((cb) => item.notificationMessages.removeAsync(key, cb)).catch(() => undefined);
    return;
  }
  await officeCall<void>((cb) =>
    item.notificationMessages.replaceAsync(
      key,
      {
        type: 'informationalMessage' as Office.MailboxEnums.ItemNotificationMessageType,
        message: t('pane.unreadIms', { count: unread }),
        icon: 'Icon.16x16',
        persistent: false,
      },
      cb,
    ),
  );
}
