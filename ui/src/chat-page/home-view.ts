/**
 * Signed-in home: start a chat with anyone by address, "My chats" (kept live), and settings.
 * A one-chat session (from an email link) sees only its chat and is offered a full sign-in.
 */
import { addressSchema, type ChatSummary } from '../../../protocol/index.ts';
import { LIMITS } from '../../../protocol/limits.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el, timeLabel } from '../dom.ts';
import type { ChatTransport } from '../transport.ts';
import { contactsView } from './contacts-view.ts';
import { presenceSettingsView } from './presence-settings-view.ts';
import { settingsView } from './settings-view.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { messagePreview, personName } from '../../../mail-client/preview.ts';

export interface HomeView {
  root: HTMLElement;
  destroy(): void;
}

/** Splits "a@x.org, b@y.org; c@z.org" (or one per line) into addresses. */
export function splitAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

export interface HomeOptions {
  api: ApiClient;
  transport: ChatTransport;
  /** Set when this session reaches only one chat. */
  chatScope?: string | null;
  onSignInFully?: () => void;
  /** Alert settings or do-not-disturb changed in the settings. */
  onAlertsChanged?: () => void;
}

export function homeView(opts: HomeOptions): HomeView {
  const { api, transport } = opts;
  const scoped = Boolean(opts.chatScope);
  const list = el('ul', { class: 'chat-list', 'aria-label': 'My chats' });
  const listState = el('p', { class: 'muted', role: 'status', text: 'Loading your chats…' });
  const contacts = scoped ? null : contactsView(api, transport);
  const root = el(
    'div',
    { class: 'home' },
    el('h1', { class: 'ic-visually-hidden', text: 'Inbox Chat' }),
    scoped ? oneChatNotice(opts) : startChatForm(api),
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'my-chats-title' },
      el('h2', { id: 'my-chats-title', text: 'My chats' }),
      listState,
      list,
    ),
    contacts?.root ?? null,
    scoped ? null : settingsView(api, opts.onAlertsChanged),
    scoped ? null : presenceSettingsView(api),
  );
  if (location.hash === '#settings') queueMicrotask(() => root.querySelector('#settings')?.scrollIntoView());

  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  const refresh = async () => {
    try {
      const chats = await transport.watchChats();
      renderList(list, chats);
      listState.textContent = chats.length ? '' : 'No chats yet. Start one above, or open a chat link from an email.';
      listState.hidden = chats.length > 0;
    } catch (err) {
      // Offline: the list refreshes when the connection comes back.
      if (!list.firstChild) listState.textContent = err instanceof Error ? err.message : 'Could not load your chats';
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
    destroy() {
      clearTimeout(refreshTimer);
      contacts?.destroy();
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

function renderList(list: HTMLUListElement, chats: ChatSummary[]): void {
  const sorted = [...chats].sort((a, b) => b.lastActivityAt.localeCompare(a.lastActivityAt));
  list.replaceChildren(
    ...sorted.map((c) => {
      const when = timeLabel(c.lastActivityAt);
      const last = messagePreview(c.lastMessage, (address) => personName(c, address));
      const link = el(
        'a',
        { href: chatUrl('', c.id), class: 'chat-link' },
        el('span', { class: 'chat-subject', text: c.subject || '(no subject)' }),
        // In my audience but never opened: opening the link joins it.
        c.isNew ? el('span', { class: 'badge badge-new', text: 'new' }) : null,
        c.unread > 0 ? el('span', { class: 'badge', text: `${c.unread} unread` }) : null,
        c.endedAt ? el('span', { class: 'badge badge-muted', text: 'ended' }) : null,
      );
      return el(
        'li',
        { class: `chat-item${c.unread > 0 ? ' chat-unread' : ''}${c.isNew ? ' chat-new' : ''}`, 'data-chat-id': c.id },
        link,
        el('p', { class: 'chat-last', text: last }),
        el(
          'p',
          { class: 'chat-meta' },
          el('span', { class: 'chat-people' }, ...peopleOf(c)),
          ' · ',
          el('time', { datetime: c.lastActivityAt, title: when.full, text: when.short }),
        ),
      );
    }),
  );
}

function startChatForm(api: ApiClient): HTMLElement {
  const subject = el('input', { id: 'new-subject', name: 'subject', type: 'text', maxlength: String(LIMITS.subjectChars) });
  const people = el('textarea', {
    id: 'new-people',
    name: 'people',
    rows: '2',
    required: true,
    'aria-describedby': 'new-people-help',
  });
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = el('button', { type: 'submit', class: 'button button-primary', text: 'Start chat' });
  const form = el(
    'form',
    { class: 'form' },
    el('label', { for: 'new-subject', text: 'Subject' }),
    subject,
    el('label', { for: 'new-people', text: 'People' }),
    people,
    el('p', {
      id: 'new-people-help',
      class: 'form-help',
      text: 'Email addresses, separated by commas. Only these people can join. Each gets an email invitation with a link that signs them in to the chat.',
    }),
    error,
    button,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = splitAddresses(people.value);
    // One mistyped address does not refuse the chat: the others are invited, and it is named.
    const to = typed.filter((a) => addressSchema.safeParse(a).success);
    const notAddresses = typed.filter((a) => !to.includes(a)).map((a) => `${a} is not an email address`);
    if (to.length === 0) {
      if (notAddresses.length === 0) return;
      error.textContent = `${notAddresses.join('; ')}.`;
      error.hidden = false;
      return;
    }
    button.disabled = true;
    error.hidden = true;
    try {
      const chat = await api.createChat({ subject: subject.value.trim(), audience: { to }, source: 'STANDALONE' });
      const failed = [...notAddresses, ...(await inviteAll(api, chat.id, chat.me.address, to))];
      if (failed.length === 0) {
        location.assign(chatUrl('', chat.id));
        return;
      }
      // The chat exists; say who did not get an invitation instead of losing that silently.
      error.replaceChildren(
        `The chat was started, but these invitations were not sent: ${failed.join('; ')}. `,
        el('a', { href: chatUrl('', chat.id), text: 'Open the chat' }),
      );
      error.hidden = false;
    } catch (err) {
      error.textContent = err instanceof Error ? err.message : 'Could not start the chat';
      error.hidden = false;
      button.disabled = false;
    }
  });
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'new-chat-title' },
    el('h2', { id: 'new-chat-title', text: 'Start a chat' }),
    form,
  );
}

/** Emails each listed address its invitation (with a one-click link); returns what failed, in words. */
async function inviteAll(api: ApiClient, chatId: string, me: string, to: string[]): Promise<string[]> {
  const others = [...new Set(to.map((a) => a.toLowerCase()))].filter((a) => a !== me.toLowerCase());
  const results = await Promise.allSettled(others.map((a) => api.invite(chatId, a)));
  const failed: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') return;
    const err = r.reason as unknown;
    // Already a member (e.g. my own other address) needs no invitation.
    if (err instanceof ApiError && err.code === 'CONFLICT') return;
    failed.push(`${others[i]} (${err instanceof Error ? err.message : 'failed'})`);
  });
  return failed;
}

function oneChatNotice(opts: HomeOptions): HTMLElement {
  const button = el('button', { type: 'button', class: 'button button-primary', text: 'Sign in with a code to see all your chats' });
  button.addEventListener('click', () => opts.onSignInFully?.());
  return el(
    'section',
    { class: 'card one-chat', 'aria-labelledby': 'one-chat-title' },
    el('h2', { id: 'one-chat-title', text: 'Signed in for one chat' }),
    el('p', {
      text: 'You came in with a link from an email, which opens only that chat. To see all your chats, start chats and change your settings, prove your address with a code.',
    }),
    opts.chatScope ? el('p', {}, el('a', { href: chatUrl('', opts.chatScope), text: 'Back to the chat' })) : null,
    button,
  );
}
