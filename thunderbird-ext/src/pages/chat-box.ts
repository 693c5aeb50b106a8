/**
 * The shared chat panel plus, for the chat's owner, the requests to join it (the web page's
 * view), and the extension's own actions under it (Save transcript).
 */
import { accessRequestsView } from '../../../ui/src/chat-page/access-requests-view.ts';
import { mountChatPanel, type ChatPanel } from '../../../ui/src/chat-panel/index.ts';
import { el } from '../../../ui/src/dom.ts';
import { say, sayAsIs, tx, type MessageKey } from '../../../ui/src/i18n/index.ts';
import type { Connection } from './common.ts';
import { send } from './common.ts';

export interface ChatBox {
  root: HTMLElement;
  destroy(): void;
}

export function chatBox(conn: Connection, chatId: string, opts: { compact?: boolean; onUnreadChange?: (n: number) => void } = {}): ChatBox {
  const host = el('div', { class: 'ext-chat' });
  const result = el('p', { class: 'ext-result', role: 'status' });
  const save = el('button', { type: 'button', class: 'button', ...tx('thunderbird.saveTranscript') });
  save.addEventListener('click', async () => {
    save.disabled = true;
    say(result, 'thunderbird.saving');
    try {
      const r = await send<{ count: number }>({ type: 'inbox-chat:save-transcript', chatId });
      say(result, 'thunderbird.saved', { count: r.count });
    } catch (err) {
      sayAsIs(result, (err as Error).message);
      if ((err as { code?: string }).code === 'NO_FOLDER') void conn.transport.openOptions();
    } finally {
      save.disabled = false;
    }
  });
  const requestsSlot = el('div', { class: 'ext-requests' });
  const root = el('div', { class: 'ext-chat-box' }, requestsSlot, host, el('div', { class: 'ext-actions' }, save, result));
  root.style.display = 'contents';
  let requests: { root: HTMLElement; destroy(): void } | null = null;
  const panel: ChatPanel = mountChatPanel(host, {
    chatId,
    transport: conn.transport,
    api: conn.api,
    compact: opts.compact,
    onUnreadChange: opts.onUnreadChange,
    // Extension pages cannot hold calls through the relay: the call opens on the web page.
    webPageUrl: `${conn.hello.backendUrl}/c/${chatId}`,
    // Only the owner may see and answer requests; the server refuses everyone else anyway.
    onChatLoaded: (chat) => {
      if (!chat.isOwner || requests) return;
      requests = accessRequestsView({ api: conn.api, transport: conn.transport, chatId });
      requestsSlot.replaceChildren(requests.root);
    },
  });
  return {
    root,
    destroy() {
      requests?.destroy();
      panel.destroy();
      root.remove();
    },
  };
}

/** Shown instead of a chat while signed out. */
export function signInPrompt(conn: Connection, why: MessageKey): HTMLElement {
  const button = el('button', { type: 'button', class: 'button button-primary', ...tx('page.signIn') });
  button.addEventListener('click', () => void conn.transport.openOptions());
  return el('section', { class: 'card' }, el('p', tx(why)), button);
}
