/**
 * Signed-in home: start a chat with anyone by address, "My chats" (kept live), and settings.
 * A one-chat session (from an email link) sees only its chat and is offered a full sign-in.
 */
import { addressSchema, type ContactView } from '../../../protocol/index.ts';
import { LIMITS } from '../../../protocol/limits.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx, uiLanguage } from '../i18n/index.ts';
import type { ChatTransport } from '../transport.ts';
import { chatListView } from './chat-list-view.ts';
import { contactLabel, contactMatches } from './contact-match.ts';
import { contactsView } from './contacts-view.ts';
import { presenceSettingsView } from './presence-settings-view.ts';
import { settingsView } from './settings-view.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';

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
  /** False in the messenger, which shows "My chats" beside this view. */
  withList?: boolean;
  /** A chat was started and everyone invited: open it (default: load its page). */
  onChatStarted?: (chatId: string) => void;
}

export function homeView(opts: HomeOptions): HomeView {
  const { api, transport } = opts;
  const scoped = Boolean(opts.chatScope);
  // In the messenger the list sits beside this view; a one-chat session keeps it here.
  const chats = opts.withList === false ? null : chatListView({ transport });
  const contacts = scoped ? null : contactsView(api, transport);
  const root = el(
    'div',
    { class: 'home' },
    el('h1', { class: 'ic-visually-hidden', text: 'Inbox Chat' }),
    scoped ? oneChatNotice(opts) : startChatForm(api, opts.onChatStarted ?? ((id) => location.assign(chatUrl('', id)))),
    chats
      ? el(
          'section',
          { class: 'card', 'aria-labelledby': 'my-chats-title' },
          el('h2', { id: 'my-chats-title', ...tx('page.myChats') }),
          chats.root,
        )
      : null,
    contacts?.root ?? null,
    scoped ? null : settingsView(api, opts.onAlertsChanged),
    scoped ? null : presenceSettingsView(api),
  );
  if (location.hash === '#settings') queueMicrotask(() => root.querySelector('#settings')?.scrollIntoView());

  return {
    root,
    destroy() {
      chats?.destroy();
      contacts?.destroy();
    },
  };
}

function startChatForm(api: ApiClient, onStarted: (chatId: string) => void): HTMLElement {
  const subject = el('input', { id: 'new-subject', name: 'subject', type: 'text', maxlength: String(LIMITS.subjectChars) });
  const people = el('textarea', {
    id: 'new-people',
    name: 'people',
    rows: '2',
    'aria-describedby': 'new-people-help',
  });
  const picker = contactPicker(api);
  const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
  const button = el('button', { type: 'submit', class: 'button button-primary', ...tx('home.start') });
  const form = el(
    'form',
    { class: 'form' },
    el('label', { for: 'new-subject', ...tx('home.subject') }),
    subject,
    el('label', { for: 'new-people', ...tx('home.people') }),
    people,
    el('p', { id: 'new-people-help', class: 'form-help', ...tx('home.peopleHelp') }),
    picker.root,
    error,
    button,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const typed = splitAddresses(people.value);
    // One mistyped address does not refuse the chat: the others are invited, and it is named.
    const to = [...new Set([...typed.filter((a) => addressSchema.safeParse(a).success), ...picker.chosen()])];
    const notAddresses = typed.filter((a) => !addressSchema.safeParse(a).success);
    if (to.length === 0) {
      if (notAddresses.length) say(error, 'home.notAddresses', { count: notAddresses.length, list: listOf(notAddresses) });
      else say(error, 'home.addPeople');
      error.hidden = false;
      return;
    }
    button.disabled = true;
    error.hidden = true;
    try {
      const chat = await api.createChat({ subject: subject.value.trim(), audience: { to }, source: 'STANDALONE' });
      const failed = [
        ...notAddresses.map((address) => t('home.notAnAddress', { address })),
        ...(await inviteAll(api, chat.id, chat.me.address, to)),
      ];
      if (failed.length === 0) {
        form.reset();
        button.disabled = false;
        onStarted(chat.id);
        return;
      }
      // The chat exists; say who did not get an invitation instead of losing that silently.
      error.replaceChildren(
        el('span', tx('home.notInvited', { list: listOf(failed) })),
        ' ',
        el('a', { href: chatUrl('', chat.id), ...tx('home.openChat') }),
      );
      error.hidden = false;
    } catch (err) {
      if (err instanceof Error) sayAsIs(error, err.message);
      else say(error, 'home.startFailed');
      error.hidden = false;
      button.disabled = false;
    }
  });
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'new-chat-title' },
    el('h2', { id: 'new-chat-title', ...tx('home.startTitle') }),
    form,
  );
}

/** My contacts as checkboxes, so a chat can start with them without typing addresses; a filter finds one by name or address. */
function contactPicker(api: ApiClient): { root: HTMLElement; chosen(): string[] } {
  const list = el('ul', { class: 'contact-picker' });
  const find = el('input', { id: 'new-contact-find', type: 'search', autocomplete: 'off' });
  const none = el('p', { class: 'muted', hidden: true, ...tx('contacts.pickerNone') });
  const root = el(
    'fieldset',
    { class: 'contact-picks', hidden: true },
    el('legend', tx('contacts.title')),
    el('label', { for: find.id, ...tx('contacts.pickerFind') }),
    find,
    list,
    none,
  );
  let items: { li: HTMLElement; box: HTMLInputElement; contact: ContactView }[] = [];
  // A ticked contact stays in view: filtering must not hide who the chat will start with.
  const filter = () => {
    for (const i of items) i.li.hidden = !i.box.checked && !contactMatches(i.contact, find.value);
    none.hidden = items.some((i) => !i.li.hidden);
  };
  find.addEventListener('input', filter);
  api.contacts().then(
    ({ contacts }) => {
      items = contacts.map((c, i) => {
        const box = el('input', { type: 'checkbox', id: `new-contact-${i}`, value: c.address });
        return { li: el('li', {}, box, el('label', { for: box.id, text: ` ${contactLabel(c)}` })), box, contact: c };
      });
      list.replaceChildren(...items.map((i) => i.li));
      root.hidden = contacts.length === 0;
      filter();
    },
    // Without contacts the addresses still work.
    () => {},
  );
  return {
    root,
    chosen: () => items.filter((i) => i.box.checked).map((i) => i.box.value),
  };
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
    failed.push(`${others[i]} (${err instanceof Error ? err.message : t('home.failed')})`);
  });
  return failed;
}

function oneChatNotice(opts: HomeOptions): HTMLElement {
  const button = el('button', { type: 'button', class: 'button button-primary', ...tx('home.signInFully') });
  button.addEventListener('click', () => opts.onSignInFully?.());
  return el(
    'section',
    { class: 'card one-chat', 'aria-labelledby': 'one-chat-title' },
    el('h2', { id: 'one-chat-title', ...tx('home.oneChatTitle') }),
    el('p', tx('home.oneChatText')),
    opts.chatScope ? el('p', {}, el('a', { href: chatUrl('', opts.chatScope), ...tx('home.backToChat') })) : null,
    button,
  );
}

/** Several problems in one line, joined the way the interface's language lists things. */
function listOf(items: string[]): string {
  return new Intl.ListFormat(uiLanguage(), { type: 'unit' }).format(items);
}
