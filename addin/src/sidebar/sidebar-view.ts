/**
 * "My chats": every chat I am in, newest first, with unread counts, a filter and a search;
 * choosing one opens it in place with the shared chat panel. Live: the transport reports
 * activity in any of my chats and the list refreshes.
 */
import type { ChatSummary } from '../../../protocol/index.ts';
import type { ApiClient } from '../../../ui/src/api-client.ts';
import { clear, el } from '../../../ui/src/dom.ts';
import { onUiLanguageChange, say, sayAsIs, t, tx, type MessageKey } from '../../../ui/src/i18n/index.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import { mountChat, type MountedChat } from '../panes/chat-host.ts';
import { messagePreview, personName } from '../../../mail-client/preview.ts';
import { membersLine, visibleChats, type ChatFilter } from './chat-list.ts';

export interface SidebarOptions {
  api: ApiClient;
  transport: ChatTransport;
  /** My address, to leave myself out of "With …". */
  me?: string | null;
}

const FILTERS: [ChatFilter, MessageKey][] = [
  ['all', 'sidebar.all'],
  ['unread', 'sidebar.unread'],
  ['mine', 'sidebar.mine'],
  ['active', 'sidebar.active'],
];

export interface MountedSidebar {
  /** The chat open in place, if any. */
  openChatId(): string | null;
  /** Opens a chat in place (from an alert). */
  openChat(chatId: string): void;
  destroy(): void;
}

export function mountSidebar(host: HTMLElement, opts: SidebarOptions): MountedSidebar {
  let chats: ChatSummary[] = [];
  let filter: ChatFilter = 'all';
  let query = '';
  let open: MountedChat | null = null;
  let openId: string | null = null;
  let destroyed = false;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;

  const search = el('input', {
    type: 'search',
    id: 'ic-sidebar-search',
    ...tx({ placeholder: 'sidebar.search', 'aria-label': 'sidebar.search' }),
  });
  const select = el('select', { id: 'ic-sidebar-filter', ...tx({ 'aria-label': 'sidebar.show' }) });
  for (const [value, label] of FILTERS) select.append(el('option', { value, ...tx(label) }));
  const status = el('p', { class: 'pane-muted', role: 'status' });
  const list = el('ul', { class: 'chat-list', ...tx({ 'aria-label': 'page.myChats' }) });
  const listView = el(
    'section',
    { class: 'sidebar', ...tx({ 'aria-label': 'page.myChats' }) },
    el('h2', { class: 'sidebar-title', ...tx('page.myChats') }),
    el('div', { class: 'sidebar-tools' }, search, select),
    status,
    list,
  );

  search.addEventListener('input', () => {
    query = search.value;
    render();
  });
  select.addEventListener('change', () => {
    filter = select.value as ChatFilter;
    render();
  });

  function render(): void {
    const shown = visibleChats(chats, filter, query);
    clear(list);
    if (chats.length === 0) say(status, 'sidebar.noChats');
    else if (shown.length === 0) say(status, 'sidebar.noMatch');
    else sayAsIs(status, '');
    for (const chat of shown) list.append(row(chat));
  }

  function row(chat: ChatSummary): HTMLLIElement {
    const button = el(
      'button',
      {
        type: 'button',
        class: `chat-row${chat.unread > 0 ? ' chat-row-unread' : ''}`,
        'aria-label': t('sidebar.rowLabel', {
          subject: chat.subject || t('alerts.noSubject'),
          isNew: chat.isNew ? 'yes' : 'no',
          unread: chat.unread,
        }),
      },
      el(
        'span',
        { class: 'chat-row-top' },
        el('span', { class: 'chat-row-subject', text: chat.subject || t('alerts.noSubject') }),
        // In my audience but never opened: opening it joins it.
        chat.isNew ? el('span', { class: 'chat-row-new', ...tx('sidebar.new') }) : null,
        chat.unread > 0 ? el('span', { class: 'chat-row-badge', text: String(chat.unread) }) : null,
      ),
      el('span', { class: 'chat-row-preview', text: messagePreview(chat.lastMessage, (a) => personName(chat, a)) }),
      el('span', {
        class: 'chat-row-members',
        text: chat.endedAt
          ? t('sidebar.membersEnded', { members: membersLine(chat, opts.me ?? null) })
          : membersLine(chat, opts.me ?? null),
      }),
    );
    button.addEventListener('click', () => void openChat(chat));
    return el('li', {}, button);
  }

  async function openChat(chat: Pick<ChatSummary, 'id'>): Promise<void> {
    open?.destroy();
    open = null;
    openId = chat.id;
    const back = el('button', { type: 'button', class: 'button button-quiet sidebar-back', ...tx('sidebar.back') });
    const chatHost = el('div', { class: 'pane-chat' });
    back.addEventListener('click', () => {
      open?.destroy();
      open = null;
      openId = null;
      host.replaceChildren(listView);
      void refresh();
    });
    host.replaceChildren(back, chatHost);
    open = await mountChat(chatHost, { chatId: chat.id, api: opts.api, transport: opts.transport });
  }

  async function refresh(): Promise<void> {
    try {
      chats = await opts.api.listChats();
      if (!destroyed) render();
    } catch (err) {
      if (err instanceof Error) sayAsIs(status, err.message);
      else say(status, 'sidebar.loadFailed');
    }
  }

  const scheduleRefresh = () => {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      if (!destroyed && !open) void refresh();
    }, 250);
  };
  const offActivity = opts.transport.on('chats:activity', scheduleRefresh);
  // Also sent when I leave a chat's audience: the chat leaves the list.
  const offUpdated = opts.transport.on('chat:updated', scheduleRefresh);
  const offStatus = opts.transport.on('status', (s) => {
    if (s === 'online') {
      void opts.transport.watchChats().catch(() => undefined);
      scheduleRefresh();
    }
  });

  // Rows are words computed from data: built again in a new language.
  const offLanguage = onUiLanguageChange(() => chats.length && render());
  host.replaceChildren(listView);
  say(status, 'sidebar.loading');
  void opts.transport.watchChats().catch(() => undefined);
  void refresh();

  return {
    openChatId: () => openId,
    openChat: (chatId) => void openChat({ id: chatId }),
    destroy() {
      destroyed = true;
      offActivity();
      offUpdated();
      offStatus();
      offLanguage();
      if (refreshTimer) clearTimeout(refreshTimer);
      open?.destroy();
    },
  };
}
