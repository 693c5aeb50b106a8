/** Who can be @mentioned in a chat, and how mentions stand out in a message's text. */
import type { ChatView } from '../../../protocol/index.ts';
import { el } from '../dom.ts';
import type { MentionCandidate } from './mention-picker.ts';
import { messageText } from './message-text.ts';

/**
 * The members everyone in the chat can see, other than me. The owner also sees Bcc members;
 * they are left out, since mentioning one would show them to all (the server refuses it too).
 */
export function mentionable(chat: ChatView, nameOf: (handle: string) => string): MentionCandidate[] {
  const ownerHandle = chat.ownerId;
  const visible = new Set(chat.audience.filter((a) => a.role !== 'BCC').map((a) => a.address));
  return chat.members
    .filter((m) => m.identityId !== chat.me.identityId && (m.identityId === ownerHandle || visible.has(m.address)))
    .map((m) => ({ handle: m.identityId, name: nameOf(m.identityId), address: m.address }));
}

/**
 * A message body as DOM with each "@Name" of a mentioned member in a <mark>, and the text
 * between made by messageText (so links stay links: a mention of an address is not one).
 * Names are matched longest first, so "@Ann Lee" wins over "@Ann".
 */
export function textWithMentions(body: string, tokens: string[]): DocumentFragment {
  const wanted = [...new Set(tokens)].filter((t) => t.length > 1).sort((a, b) => b.length - a.length);
  const out = document.createDocumentFragment();
  let at = 0;
  for (let i = body.indexOf('@'); i >= 0 && wanted.length > 0; i = body.indexOf('@', i + 1)) {
    if (i < at) continue;
    const token = wanted.find((t) => body.startsWith(t, i));
    if (!token) continue;
    if (i > at) out.append(messageText(body.slice(at, i)));
    out.append(el('mark', { class: 'ic-mention', text: token }));
    at = i + token.length;
  }
  if (at < body.length) out.append(messageText(body.slice(at)));
  return out;
}
