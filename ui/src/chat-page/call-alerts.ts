/**
 * Rings for calls in chats not on screen (the home page, or another chat): who calls from
 * which chat, with a link that opens the chat, where the call can be joined. The chat panel
 * rings for its own chat itself. The link switches chats in place like every other chat switch
 * (a page load would drop the connection the call is being set up over); a click with a
 * modifier key is left to the browser (a new tab).
 */
import type { CallRing } from '../../../protocol/index.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { el } from '../dom.ts';
import { tx } from '../i18n/index.ts';
import { ringText } from '../chat-panel/call-ring-text.ts';
import type { ChatTransport } from '../transport.ts';

export function showCallsElsewhere(
  transport: ChatTransport,
  host: HTMLElement,
  openChatId: () => string | null,
  openChat: (chatId: string) => void,
): () => void {
  const shown = new Map<string, { node: HTMLElement; timer: ReturnType<typeof setTimeout> }>();
  const drop = (callId: string) => {
    const s = shown.get(callId);
    if (!s) return;
    clearTimeout(s.timer);
    s.node.remove();
    shown.delete(callId);
  };
  const ring = (r: CallRing) => {
    if (r.call.chatId === openChatId() || shown.has(r.call.id)) return;
    const dismiss = el('button', { type: 'button', class: 'button button-quiet', ...tx('call.alertDismiss') });
    const link = el('a', { class: 'button', href: chatUrl('', r.call.chatId), ...tx('call.alertOpen') });
    const node = el('div', { class: 'call-alert', role: 'alert' }, el('p', tx(...ringText(r))), link, dismiss);
    dismiss.addEventListener('click', () => drop(r.call.id));
    link.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      drop(r.call.id);
      openChat(r.call.chatId);
    });
    const timer = setTimeout(() => drop(r.call.id), Math.max(0, new Date(r.call.ringUntil).getTime() - Date.now()));
    shown.set(r.call.id, { node, timer });
    host.appendChild(node);
  };
  const offs = [
    transport.on('call:ring', ring),
    transport.on('call:updated', (c) => {
      if (c.state === 'ended') drop(c.id);
    }),
  ];
  return () => {
    for (const off of offs) off();
    for (const id of [...shown.keys()]) drop(id);
  };
}
