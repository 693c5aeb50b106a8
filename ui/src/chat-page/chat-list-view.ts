/**
 * "My chats", kept live (`chats:activity`, reads, joins), newest activity first, with the
 * messenger's filters: unread, ended, and with a person. Opening a chat is the caller's call,
 * so the messenger switches chats without loading a page (plain links still work).
 */
import type { ChatSummary } from '../../../protocol/index.ts';
import { el, timeLabel } from '../dom.ts';
import { say, sayAsIs, tx, type MessageKey } from '../i18n/index.ts';
import type { ChatTransport } from '../transport.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { messagePreview, personName } from '../../../mail-client/preview.ts';

export type ChatFilter = 'all' | 'unread' | 'ended';

export interface ChatListOptions {
  transport: ChatTransport;
  /** My own address, left out of "with a person". */
  me?: string;
  /** Filters above the list (the messenger); a one-chat session has nothing to filter. */
  filters?: boolean;
  /** A plain click on a chat (no modifier keys): open it in place. Without it, links navigate. */
  onOpen?: (chatId: string) => void;
}

export interface ChatListView {
  root: HTMLElement;
  /** Marks the open chat (`aria-current`). */
  setOpen(chatId: string | null): void;
  destroy(): void;
}

/** Whether a chat passes the filters; "unread" also counts a chat I was added to and never opened. */
export function passesFilter(c: ChatSummary, filter: ChatFilter, person: string): boolean {
  if (filter === 'unread' && c.unread === 0 && !c.isNew) return false;
  if (filter === 'ended' && !c.endedAt) return false;
  return !person || c.memberAddresses.includes(person);
}

export function chatListView(opts: ChatListOptions): ChatListView {
  const { transport } = opts;
  const list = el('ul', { class: 'chat-list', ...tx({ 'aria-label': 'page.myChats' }) });
  const state = el('p', { class: 'muted', role: 'status', ...tx('chatList.loading') });
  let chats: ChatSummary[] = [];
  let open: string | null = null;
  let filter: ChatFilter = 'all';
  let person = '';

  const filterBox = opts.filters ? filterControls() : null;
  const root = el('div', { class: 'chat-list-view' }, filterBox?.root ?? null, state, list);

  list.addEventListener('click', (e) => {
    if (!opts.onOpen || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const link = e.target instanceof Element ? e.target.closest<HTMLAnchorElement>('a.chat-link') : null;
    const id = link?.closest<HTMLElement>('[data-chat-id]')?.dataset.chatId;
    if (!id) return;
    e.preventDefault();
    opts.onOpen(id);
  });

  function render(): void {
    const shown = chats.filter((c) => passesFilter(c, filter, person));
    list.replaceChildren(...shown.map((c) => chatItem(c, c.id === open)));
    state.hidden = shown.length > 0;
    if (chats.length === 0) say(state, 'chatList.empty');
    else if (shown.length === 0) say(state, 'chatList.noMatch');
    else sayAsIs(state, '');
    filterBox?.people(chats);
  }

  /** All / unread / ended as radio buttons, and a person picked from the people of my chats. */
  function filterControls() {
    const choices: [ChatFilter, MessageKey][] = [
      ['all', 'chatList.all'],
      ['unread', 'chatList.unread'],
      ['ended', 'chatList.ended'],
    ];
    const radios = choices.map(([value, label]) => {
      const input = el('input', { type: 'radio', name: 'chat-filter', value, id: `chat-filter-${value}`, checked: value === 'all' });
      input.addEventListener('change', () => {
        filter = value;
        render();
      });
      return el('label', { class: 'chat-filter', for: input.id }, input, ' ', el('span', tx(label)));
    });
    const select = el('select', { id: 'chat-with' }, el('option', { value: '', ...tx('chatList.anyone') }));
    select.addEventListener('change', () => {
      person = select.value;
      render();
    });
    const rootNode = el(
      'div',
      { class: 'chat-filters' },
      el('fieldset', { class: 'chat-filter-kinds' }, el('legend', { class: 'ic-visually-hidden', ...tx('chatList.show') }), ...radios),
      el('label', { for: 'chat-with', ...tx('chatList.withPerson') }),
      select,
    );
    return {
      root: rootNode,
      /** Keeps the people list in step with my chats, without losing the current choice. */
      people(all: ChatSummary[]) {
        const me = opts.me?.toLowerCase();
        const addresses = [...new Set(all.flatMap((c) => c.memberAddresses))].filter((a) => a.toLowerCase() !== me).sort();
        if (person && !addresses.includes(person)) addresses.unshift(person);
        const current = [...select.options].slice(1).map((o) => o.value);
        if (current.join('\n') === addresses.join('\n')) return;
        const names = new Map(all.flatMap((c) => c.people.map((p) => [p.address, p.displayName] as const)));
        select.replaceChildren(
          el('option', { value: '', ...tx('chatList.anyone') }),
          ...addresses.map((a) => el('option', { value: a, text: names.get(a) ? `${names.get(a)} (${a})` : a })),
        );
        select.value = person;
      },
    };
  }

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    try {
      chats = [...(await transport.watchChats())].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
      render();
    } catch (err) {
      // Offline: the list refreshes when the connection comes back.
      if (chats.length === 0) {
        if (err instanceof Error) sayAsIs(state, err.message);
        else say(state, 'chatList.loadFailed');
      }
    }
  };
  const soon = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(), 250);
  };
  const offs = [
    transport.on('chats:activity', soon),
    transport.on('chat:updated', soon),
    transport.on('read', soon),
    transport.on('status', (s) => s === 'online' && soon()),
  ];
  void refresh();

  return {
    root,
    setOpen(chatId) {
      open = chatId;
      for (const link of list.querySelectorAll<HTMLAnchorElement>('a.chat-link')) {
        const isOpen = link.closest<HTMLElement>('[data-chat-id]')?.dataset.chatId === chatId;
        if (isOpen) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
    },
    destroy() {
      clearTimeout(refreshTimer);
      for (const off of offs) off();
    },
  };
}

/** The chat's people, each by display name with the address on hover. */
function peopleOf(c: ChatSummary): (Node | string)[] {
  return c.people.flatMap((p, i) => [
    ...(i > 0 ? [', '] : []),
    p.displayName ? el('span', { title: p.address, text: p.displayName }) : el('span', { text: p.address }),
  ]);
}

function chatItem(c: ChatSummary, isOpen: boolean): HTMLLIElement {
  const when = timeLabel(c.lastActivityAt);
  const link = el(
    'a',
    { href: chatUrl('', c.id), class: 'chat-link', 'aria-current': isOpen ? 'page' : undefined },
    el('span', { class: 'chat-subject', ...(c.subject ? { text: c.subject } : tx('chatList.noSubject')) }),
    // In my audience but never opened: opening the link joins it.
    c.isNew ? el('span', { class: 'badge badge-new', ...tx('chatList.new') }) : null,
    c.unread > 0 ? el('span', { class: 'badge badge-unread', ...tx('chatList.unreadCount', { count: c.unread }) }) : null,
    c.endedAt ? el('span', { class: 'badge badge-muted', ...tx('chatList.endedBadge') }) : null,
  );
  return el(
    'li',
    { class: `chat-item${c.unread > 0 ? ' chat-unread' : ''}${c.isNew ? ' chat-new' : ''}`, 'data-chat-id': c.id },
    link,
    el('p', { class: 'chat-last', text: messagePreview(c.lastMessage, (address) => personName(c, address)) }),
    el(
      'p',
      { class: 'chat-meta' },
      el('span', { class: 'chat-people' }, ...peopleOf(c)),
      ' · ',
      el('time', { datetime: c.lastActivityAt, title: when.full, text: when.short }),
    ),
  );
}
