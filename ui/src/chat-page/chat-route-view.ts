/**
 * `/c/<uuid>` once signed in: open the chat (joining it when my address is in the audience),
 * or explain why not and offer what can be done (ask the owner for access, wait, sign out).
 */
import type { AccessRequestView, ChatView } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { mountChatPanel, type ChatPanel } from '../chat-panel/index.ts';
import { el } from '../dom.ts';
import type { ChatTransport } from '../transport.ts';
import { accessRequestsView } from './access-requests-view.ts';
import { messageView } from './shell.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';

export interface ChatRouteOptions {
  api: ApiClient;
  transport: ChatTransport;
  chatId: string;
  show: (...nodes: Node[]) => void;
  onSignOut: () => void;
  /** Account settings (do not disturb, addresses), linked from the chat's Options menu. */
  settingsUrl?: string;
  /** Open at this message (a search hit). */
  jumpTo?: number;
}

export interface ChatRoute {
  /** Shows a message of this chat (a search hit), once the chat is open. */
  jumpTo(seq: number): void;
  destroy(): void;
}

const POLL_MS = 15_000;

export function openChatRoute(opts: ChatRouteOptions): ChatRoute {
  const { api, transport, chatId, show } = opts;
  const cleanups: (() => void)[] = [];
  let destroyed = false;
  let panel: ChatPanel | null = null;
  let jumpTo = opts.jumpTo;

  const retryButton = () => {
    const b = el('button', { type: 'button', class: 'button', text: 'Try again' });
    b.addEventListener('click', () => void open());
    return b;
  };

  async function open(): Promise<void> {
    try {
      mountChat(await api.openChat(chatId));
    } catch (err) {
      if (destroyed) return;
      if (!(err instanceof ApiError)) throw err;
      showProblem(err);
    }
  }

  function showProblem(err: ApiError): void {
    switch (err.code) {
      case 'NOT_FOUND':
      case 'BAD_INPUT':
        show(messageView('Chat not found', 'There is no chat at this address. Check the link in your email.', homeLink()));
        return;
      case 'NOT_IN_AUDIENCE': {
        const status = err.details.requestStatus as AccessRequestView['status'] | null | undefined;
        if (err.details.canRequestAccess === false) {
          show(messageView('This chat has ended', 'It only admitted the people the email was sent to.', homeLink()));
        } else if (status === 'PENDING') showPending();
        else if (status === 'DECLINED') showDeclined();
        else if (status === 'APPROVED') void open();
        else showRequestForm();
        return;
      }
      case 'FORBIDDEN': {
        const out = el('button', { type: 'button', class: 'button', text: 'Sign out' });
        out.addEventListener('click', opts.onSignOut);
        show(messageView('This sign-in cannot open this chat', err.message, out));
        return;
      }
      case 'UNAUTHENTICATED':
        opts.onSignOut();
        return;
      default:
        show(messageView('Could not open the chat', err.message, retryButton()));
    }
  }

  function showRequestForm(): void {
    const note = el('textarea', { id: 'access-note', rows: '3', maxlength: '1000', 'aria-describedby': 'access-note-help' });
    const button = el('button', { type: 'submit', class: 'button button-primary', text: 'Request access' });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = el(
      'form',
      { class: 'form' },
      el('label', { for: 'access-note', text: 'Note to the chat owner (optional)' }),
      note,
      el('p', { id: 'access-note-help', class: 'form-help', text: 'For example, who forwarded you the email.' }),
      error,
      button,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      button.disabled = true;
      try {
        const r = await api.requestAccess(chatId, note.value.trim());
        if (r.status === 'APPROVED') void open();
        else showPending();
      } catch (err) {
        error.textContent = err instanceof Error ? err.message : 'Could not send the request';
        error.hidden = false;
        button.disabled = false;
      }
    });
    show(
      el(
        'section',
        { class: 'card access' },
        el('h1', { text: 'You are not in this chat' }),
        el('p', {
          text: 'Only the people an email was sent to can join its chat. If someone forwarded it to you, you can ask the chat owner to let you in.',
        }),
        form,
      ),
    );
  }

  function showPending(): void {
    show(
      messageView(
        'Waiting for the chat owner',
        'Your request to join was sent. This page opens the chat as soon as the owner approves it.',
        el('p', { class: 'muted', role: 'status', 'data-access': 'pending', text: 'Request pending' }),
      ),
    );
    watchDecision();
  }

  function showDeclined(): void {
    show(messageView('Request declined', 'The chat owner declined your request to join this chat.', homeLink()));
  }

  let watching = false;
  function watchDecision(): void {
    if (watching) return;
    watching = true;
    const decided = (r: AccessRequestView | null) => {
      if (destroyed || !r || r.chatId !== chatId || r.status === 'PENDING') return;
      stop();
      if (r.status === 'APPROVED') void open();
      else showDeclined();
    };
    const poll = () => api.myAccessRequest(chatId).then(decided, () => {});
    // Live first; polling covers a decision made while this page was offline.
    const offs = [transport.on('access:decided', decided), transport.on('status', (s) => s === 'online' && void poll())];
    const timer = setInterval(() => void poll(), POLL_MS);
    const stop = () => {
      watching = false;
      clearInterval(timer);
      offs.forEach((off) => off());
    };
    cleanups.push(stop);
  }

  function mountChat(chat: ChatView): void {
    const panelHost = el('div', { class: 'panel-host' });
    const link = chatUrl(location.origin, chat.id);
    const requests = chat.isOwner ? accessRequestsView({ api, transport, chatId }) : null;
    show(
      el(
        'div',
        { class: 'chat-layout' },
        el('h1', { class: 'ic-visually-hidden', text: chat.subject || 'Chat' }),
        requests?.root ?? null,
        panelHost,
        el('p', { class: 'chat-share muted' }, 'Link to this chat: ', el('a', { href: link, text: link })),
      ),
    );
    panel = mountChatPanel(panelHost, {
      jumpTo,
      chatId,
      transport,
      api,
      settingsUrl: opts.settingsUrl,
      focusComposer: true,
      onChatLoaded: (c) => {
        document.title = `${c.subject || 'Chat'} · Inbox Chat`;
      },
      onError: (e) => {
        if (e.code !== 'NOT_IN_AUDIENCE' && e.code !== 'NOT_FOUND') return;
        // Removed from the audience (or the chat is gone) while reading: explain instead.
        panel?.destroy();
        requests?.destroy();
        showProblem(new ApiError(e.code, e.code === 'NOT_FOUND' ? 404 : 403, e.message));
      },
    });
    cleanups.push(
      () => panel?.destroy(),
      () => requests?.destroy(),
    );
  }

  show(el('p', { class: 'muted', role: 'status', text: 'Opening the chat…' }));
  void open().catch(() => show(messageView('Could not open the chat', 'Check your connection.', retryButton())));

  return {
    jumpTo(seq) {
      jumpTo = seq;
      panel?.jumpTo(seq);
    },
    destroy() {
      destroyed = true;
      cleanups.forEach((c) => c());
    },
  };
}

function homeLink(): HTMLElement {
  return el('p', {}, el('a', { href: '/', text: 'Go to my chats' }));
}
