/**
 * `/c/<uuid>` once signed in: open the chat (joining it when my address is in the audience),
 * or explain why not and offer what can be done (ask the owner for access, wait, sign out).
 */
import type { AccessRequestView, ChatView } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { mountChatPanel, type ChatPanel } from '../chat-panel/index.ts';
import { el } from '../dom.ts';
import { say, setTitle, t, tx } from '../i18n/index.ts';
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
    const b = el('button', { type: 'button', class: 'button', ...tx('route.tryAgain') });
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
        show(messageView('route.notFound', 'route.notFoundText', homeLink()));
        return;
      case 'NOT_IN_AUDIENCE': {
        const status = err.details.requestStatus as AccessRequestView['status'] | null | undefined;
        if (err.details.canRequestAccess === false) {
          show(messageView('composer.ended', 'route.endedText', homeLink()));
        } else if (status === 'PENDING') showPending();
        else if (status === 'DECLINED') showDeclined();
        else if (status === 'APPROVED') void open();
        else showRequestForm();
        return;
      }
      case 'FORBIDDEN': {
        const out = el('button', { type: 'button', class: 'button', ...tx('page.signOut') });
        out.addEventListener('click', opts.onSignOut);
        show(messageView('route.cannotOpen', { asIs: err.message }, out));
        return;
      }
      case 'UNAUTHENTICATED':
        opts.onSignOut();
        return;
      default:
        show(messageView('panel.openFailed', { asIs: err.message }, retryButton()));
    }
  }

  function showRequestForm(): void {
    const note = el('textarea', { id: 'access-note', rows: '3', maxlength: '1000', 'aria-describedby': 'access-note-help' });
    const button = el('button', { type: 'submit', class: 'button button-primary', ...tx('route.requestAccess') });
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = el(
      'form',
      { class: 'form' },
      el('label', { for: 'access-note', ...tx('route.noteLabel') }),
      note,
      el('p', { id: 'access-note-help', class: 'form-help', ...tx('route.noteHelp') }),
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
        if (err instanceof Error) error.textContent = err.message;
        else say(error, 'route.requestFailed');
        error.hidden = false;
        button.disabled = false;
      }
    });
    show(el('section', { class: 'card access' }, el('h1', tx('route.notIn')), el('p', tx('route.notInText')), form));
  }

  function showPending(): void {
    show(
      messageView(
        'route.waiting',
        'route.waitingText',
        el('p', { class: 'muted', role: 'status', 'data-access': 'pending', ...tx('route.pending') }),
      ),
    );
    watchDecision();
  }

  function showDeclined(): void {
    show(messageView('route.declined', 'route.declinedText', homeLink()));
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
        el('h1', { class: 'ic-visually-hidden', ...(chat.subject ? { text: chat.subject } : tx('panel.title')) }),
        requests?.root ?? null,
        panelHost,
        el('p', { class: 'chat-share muted' }, el('span', tx('route.linkToChat')), ' ', el('a', { href: link, text: link })),
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
        if (c.subject) setTitle('page.title', { page: c.subject });
        else setTitle('page.title', { page: t('panel.title') });
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

  show(el('p', { class: 'muted', role: 'status', ...tx('route.opening') }));
  void open().catch(() => show(messageView('panel.openFailed', 'route.checkConnection', retryButton())));

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
  return el('p', {}, el('a', { href: '/', ...tx('route.home') }));
}
