/**
 * My contacts (people I accepted a chat with), with their presence where they let me see it,
 * kept live by `presence` events; removing one, and blocking addresses. Full sessions only.
 */
import type { ContactView, PresenceNotice } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { presenceDot } from '../chat-panel/presence-dot.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, tx, type MessageKey, type Values } from '../i18n/index.ts';
import { contactLabel } from './contact-match.ts';
import type { ChatTransport } from '../transport.ts';

export interface ContactsView {
  root: HTMLElement;
  destroy(): void;
}

export function contactsView(api: ApiClient, transport: ChatTransport): ContactsView {
  const list = el('ul', { class: 'contact-list', ...tx({ 'aria-label': 'contacts.label' }) });
  const empty = el('p', { class: 'muted', ...tx('contacts.loading') });
  const status = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const blocked = el('ul', { class: 'contact-list', ...tx({ 'aria-label': 'contacts.blockedTitle' }) });
  let contacts: ContactView[] = [];

  const tell = (key: MessageKey, values: Values) => {
    say(status, key, values);
    status.classList.remove('form-result-error');
  };
  const fail = (err: unknown) => {
    if (err instanceof Error) sayAsIs(status, err.message);
    else say(status, 'contacts.failed');
    status.classList.add('form-result-error');
  };

  function render(): void {
    say(empty, 'contacts.empty');
    empty.hidden = contacts.length > 0;
    list.replaceChildren(
      ...contacts.map((c) => {
        const remove = el('button', {
          type: 'button',
          class: 'button button-quiet',
          ...tx({ text: 'contacts.remove', 'aria-label': ['contacts.removeLabel', { address: c.address }] }),
        });
        remove.addEventListener('click', () => {
          api.removeContact(c.id).then(() => {
            contacts = contacts.filter((x) => x.id !== c.id);
            render();
            tell('contacts.removed', { address: c.address });
          }, fail);
        });
        const block = el('button', {
          type: 'button',
          class: 'button button-quiet',
          ...tx({ text: 'contacts.block', 'aria-label': ['contacts.blockLabel', { address: c.address }] }),
        });
        block.addEventListener('click', () => void blockAddress(c.address));
        return el(
          'li',
          { class: 'contact', 'data-contact-id': c.id },
          c.presence
            ? presenceDot(c.presence)
            : el('span', { class: 'ic-presence', role: 'img', ...tx({ 'aria-label': 'contacts.presenceHidden' }) }),
          el('span', { class: 'contact-address', text: contactLabel(c) }),
          remove,
          block,
        );
      }),
    );
  }

  function renderBlocked(addresses: string[]): void {
    blocked.replaceChildren(
      ...addresses.map((a) => {
        const unblock = el('button', {
          type: 'button',
          class: 'button button-quiet',
          ...tx({ text: 'contacts.unblock', 'aria-label': ['contacts.unblockLabel', { address: a }] }),
        });
        unblock.addEventListener('click', () => {
          api.unblock(a).then((b) => {
            renderBlocked(b.addresses);
            tell('contacts.unblocked', { address: a });
          }, fail);
        });
        return el('li', { class: 'contact' }, el('span', { class: 'contact-address', text: a }), unblock);
      }),
    );
  }

  async function blockAddress(address: string): Promise<void> {
    try {
      renderBlocked((await api.block(address)).addresses);
      await load();
      tell('contacts.blocked', { address });
    } catch (err) {
      fail(err);
    }
  }

  async function load(): Promise<void> {
    contacts = (await api.contacts()).contacts;
    render();
  }

  const input = el('input', { id: 'block-address', type: 'email', name: 'address', required: true });
  const form = el(
    'form',
    { class: 'form', ...tx({ 'aria-label': 'contacts.blockForm' }) },
    el('label', { for: 'block-address', ...tx('contacts.blockForm') }),
    input,
    el('p', { class: 'form-help', ...tx('contacts.blockHelp') }),
    el('button', { type: 'submit', class: 'button', ...tx('contacts.block') }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void blockAddress(input.value.trim()).then(() => (input.value = ''));
  });

  const onPresence = (p: PresenceNotice) => {
    const c = p.contactId ? contacts.find((x) => x.id === p.contactId) : undefined;
    if (!c) return;
    c.presence = p.state ? { state: p.state, lastSeenAt: p.lastSeenAt } : null;
    render();
  };
  const offs = [transport.on('presence', onPresence), transport.on('status', (s) => s === 'online' && void load().catch(fail))];
  load().catch(fail);
  api.blocks().then((b) => renderBlocked(b.addresses), fail);

  return {
    root: el(
      'section',
      { id: 'contacts', class: 'card', 'aria-labelledby': 'contacts-title' },
      el('h2', { id: 'contacts-title', ...tx('contacts.title') }),
      empty,
      list,
      status,
      el('h3', tx('contacts.blockedTitle')),
      blocked,
      form,
    ),
    destroy() {
      for (const off of offs) off();
    },
  };
}
