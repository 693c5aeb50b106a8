/**
 * Runs in the displayed message. When the email carries a chat panel, the live chat is mounted
 * right below it. The message pane may not open connections of its own, so the chat talks to
 * the background page through the relay (socket events and REST both).
 */
import { ApiClient } from '../../../ui/src/api-client.ts';
import { accessRequestsView } from '../../../ui/src/chat-page/access-requests-view.ts';
import { mountChatPanel, type ChatPanel } from '../../../ui/src/chat-panel/index.ts';
import { el } from '../../../ui/src/dom.ts';
import { ensureUiLanguage, tx } from '../../../ui/src/i18n/index.ts';
import { findChatIdInText, panelServerIn } from '../../../mail-client/panel.ts';
import { unwrapSafeLinks } from '../../../mail-client/safe-links.ts';
import type { Messenger } from '../messenger.ts';
import { RELAY_PORT } from '../relay/protocol.ts';
import { RelayTransport } from '../relay/relay-transport.ts';
import './message-display.css';

declare const messenger: Messenger;

const HOST_ID = 'inbox-chat-live';

/**
 * Thunderbird does not submit forms inside a displayed email, so a click on a submit button
 * (or Enter in a text field) would do nothing. Deliver the submit event to the panel's own
 * listeners instead; they always preventDefault and never navigate.
 */
export function deliverSubmits(host: HTMLElement): void {
  const submit = (form: HTMLFormElement | null) => {
    if (!form || !host.contains(form)) return;
    if (!form.checkValidity()) {
      form.reportValidity();
      return;
    }
    form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  };
  host.addEventListener('click', (e) => {
    const button = (e.target as Element | null)?.closest?.('button');
    if (!button || button.type !== 'submit' || button.disabled) return;
    e.preventDefault();
    submit(button.form);
  });
  host.addEventListener('keydown', (e) => {
    const input = e.target as HTMLElement;
    if (e.key !== 'Enter' || e.isComposing || !(input instanceof HTMLInputElement)) return;
    e.preventDefault();
    submit(input.form);
  });
}

/**
 * The panel's link, and the element to put the live chat after (the panel's table). A link to
 * another Inbox Chat server is reported as `otherServer` (its address), so the user can be told
 * which server to set.
 */
export function findPanel(
  doc: Document,
  base: string,
): { chatId: string; after: Element } | { otherServer: string; after: Element } | null {
  let other: { otherServer: string; after: Element } | null = null;
  for (const a of Array.from(doc.querySelectorAll('a[href]'))) {
    const href = a.getAttribute('href') ?? '';
    const unwrapped = unwrapSafeLinks(href);
    const after = a.closest('table') ?? a.closest('pre, blockquote, div, p') ?? a;
    const chatId = findChatIdInText(href, base) ?? findChatIdInText(unwrapped, base);
    if (chatId) return { chatId, after };
    const elsewhere = panelServerIn(unwrapped);
    if (elsewhere && !other) other = { otherServer: elsewhere, after };
  }
  return other;
}

async function main(): Promise<void> {
  // Injected again on every background start (registered + already open): one chat per email.
  const scope = globalThis as { inboxChatMessageScript?: boolean };
  if (scope.inboxChatMessageScript || document.getElementById(HOST_ID)) return;
  scope.inboxChatMessageScript = true;
  // Thunderbird's language for the notes below, until the panel knows the reader's own.
  ensureUiLanguage(messenger.i18n?.getUILanguage());
  const transport = new RelayTransport(() => messenger.runtime.connect({ name: RELAY_PORT }));
  const hello = await transport.hello();
  const found = findPanel(document, hello.backendUrl);
  if (!found) {
    transport.close();
    return;
  }
  const host = el('div', { id: HOST_ID, class: 'inbox-chat-host' });
  found.after.after(host);
  if ('otherServer' in found) {
    // Typically a fresh install still on the default server: say which server this chat is on.
    window.addEventListener('pagehide', () => transport.close());
    const button = el('button', { type: 'button', class: 'inbox-chat-signin', ...tx('thunderbird.openOptions') });
    button.addEventListener('click', () => void transport.openOptions());
    host.setAttribute('data-other-server', found.otherServer);
    host.append(
      el('p', {
        class: 'inbox-chat-note',
        ...tx('thunderbird.otherServer', { other: found.otherServer, current: hello.backendUrl }),
      }),
      button,
    );
    return;
  }
  deliverSubmits(host);

  let panel: ChatPanel | null = null;
  // The owner reading the email answers requests to join right above the chat, as on the web page;
  // for everyone else the live chat stays right after the panel.
  const requestsHost = el('div', { class: 'inbox-chat-requests' });
  let requests: { destroy(): void } | null = null;
  const show = (address: string | null, backendUrl: string) => {
    panel?.destroy();
    panel = null;
    requests?.destroy();
    requests = null;
    requestsHost.remove();
    requestsHost.replaceChildren();
    host.replaceChildren();
    if (!address) {
      const button = el('button', { type: 'button', class: 'inbox-chat-signin', ...tx('thunderbird.signIn') });
      button.addEventListener('click', () => void transport.openOptions());
      host.append(el('p', { class: 'inbox-chat-note', ...tx('thunderbird.signInHere') }), button);
      return;
    }
    const api = new ApiClient({ baseUrl: backendUrl, getToken: () => null, fetch: transport.fetch });
    panel = mountChatPanel(host, {
      chatId: found.chatId,
      transport,
      api,
      compact: true,
      // The message pane may not use camera and microphone: the call opens on the web page.
      webPageUrl: `${backendUrl}/c/${found.chatId}`,
      onError: (e) => host.setAttribute('data-error', e.code),
      onChatLoaded: (chat) => {
        if (!chat.isOwner || requests) return;
        const view = accessRequestsView({ api, transport, chatId: found.chatId });
        requests = view;
        requestsHost.replaceChildren(view.root);
        host.before(requestsHost);
      },
    });
  };
  show(hello.address, hello.backendUrl);
  transport.onSession((s) => show(s.address, s.backendUrl));
  window.addEventListener('pagehide', () => {
    requests?.destroy();
    panel?.destroy();
    transport.close();
  });
}

void main();
