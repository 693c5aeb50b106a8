/**
 * The messenger (full sessions, at `/` and `/c/<uuid>`): my chats and search on the left, the
 * open chat on the right, switched without loading a page. The address bar follows
 * (history.pushState), so links, reloads and Back work; on a phone one side shows at a time.
 */
import type { SearchHit } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { setTitle, t, tx } from '../i18n/index.ts';
import type { ChatTransport } from '../transport.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { chatListView } from './chat-list-view.ts';
import { openChatRoute, type ChatRoute } from './chat-route-view.ts';
import { homeView, type HomeView } from './home-view.ts';
import { parseRoute } from './route.ts';
import { searchView } from './search-view.ts';
import './messenger.css';

export interface MessengerOptions {
  api: ApiClient;
  transport: ChatTransport;
  /** The chat in the address bar at load, or null for home. */
  chatId: string | null;
  /** My address (left out of the "with" filter). */
  me: string;
  onSignOut: () => void;
  onAlertsChanged?: () => void;
  /** The open chat changed (alerts skip the chat in view). */
  onOpenChange?: (chatId: string | null) => void;
}

export interface Messenger {
  root: HTMLElement;
  /** Opens a chat (or home, with null) in place, as a click in the list does. */
  open(chatId: string | null, jumpTo?: number): void;
  destroy(): void;
}

export function messengerView(opts: MessengerOptions): Messenger {
  const { api, transport } = opts;
  const pane = el('div', { class: 'messenger-content' });
  const back = el('button', { type: 'button', class: 'button messenger-back', ...tx('messenger.back') });
  const list = chatListView({ transport, me: opts.me, filters: true, onOpen: (id) => go(id) });
  const search = searchView({
    api,
    onOpen: (hit: SearchHit) => go(hit.chatId, hit.seq ?? undefined),
    onActive: (active) => (list.root.hidden = active),
  });
  const root = el(
    'div',
    { class: 'messenger' },
    el(
      'nav',
      { class: 'messenger-list card', 'aria-labelledby': 'messenger-title' },
      el('h2', { id: 'messenger-title', ...tx('page.myChats') }),
      search.root,
      search.results,
      list.root,
    ),
    el('section', { class: 'messenger-pane', ...tx({ 'aria-label': 'messenger.openChat' }) }, back, pane),
  );
  let openId: string | null = null;
  let current: ChatRoute | HomeView | null = null;

  const showInPane = (...nodes: Node[]) => pane.replaceChildren(...nodes);

  function show(chatId: string | null, jumpTo?: number): void {
    if (chatId !== null && chatId === openId && current && 'jumpTo' in current) {
      if (jumpTo !== undefined) current.jumpTo(jumpTo);
      return;
    }
    current?.destroy();
    openId = chatId;
    root.dataset.open = chatId ? 'chat' : 'home';
    list.setOpen(chatId);
    opts.onOpenChange?.(chatId);
    if (chatId) {
      current = openChatRoute({ api, transport, chatId, jumpTo, show: showInPane, onSignOut: opts.onSignOut, settingsUrl: '/#settings' });
    } else {
      setTitle('page.title', { page: t('page.myChats') });
      const home = homeView({ api, transport, withList: false, onAlertsChanged: opts.onAlertsChanged, onChatStarted: (id) => go(id) });
      showInPane(home.root);
      current = home;
    }
  }

  /** A new entry in the history, then the view; Back and Forward come through popstate. */
  function go(chatId: string | null, jumpTo?: number): void {
    const path = chatId ? chatUrl('', chatId) : '/';
    if (location.pathname !== path) history.pushState({ chatId }, '', path);
    show(chatId, jumpTo);
    // On a phone the other side is hidden: the keyboard goes where the eye does.
    if (!chatId) list.root.querySelector<HTMLElement>(`[data-chat-id] a`)?.focus({ preventScroll: true });
  }

  const onPop = () => {
    const route = parseRoute(location.pathname);
    show(route.kind === 'chat' ? route.chatId : null);
  };
  window.addEventListener('popstate', onPop);
  back.addEventListener('click', () => go(null));

  show(opts.chatId);

  return {
    root,
    open: go,
    destroy() {
      window.removeEventListener('popstate', onPop);
      current?.destroy();
      list.destroy();
      search.destroy();
    },
  };
}
