/**
 * My contacts (people I accepted a chat with), with their presence where they let me see it,
 * kept live by `presence` events; removing one, and blocking addresses. Full sessions only.
 */
import type { ContactView, PresenceNotice } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { presenceDot } from '../chat-panel/presence-dot.ts';
import { el } from '../dom.ts';
import type { ChatTransport } from '../transport.ts';

export interface ContactsView {
  root: HTMLElement;
  destroy(): void;
}

export function contactsView(api: ApiClient, transport: ChatTransport): ContactsView {
  const list = el('ul', { class: 'contact-list', 'aria-label': 'My contacts' });
  const empty = el('p', { class: 'muted', text: 'Loading your contacts…' });
  const status = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const blocked = el('ul', { class: 'contact-list', 'aria-label': 'Blocked addresses' });
  let contacts: ContactView[] = [];

  const say = (text: string, error = false) => {
    status.textContent = text;
    status.classList.toggle('form-result-error', error);
  };
  const fail = (err: unknown) => say(err instanceof Error ? err.message : 'Something went wrong', true);

  function render(): void {
    empty.textContent = contacts.length ? '' : 'No contacts yet: people become contacts when you both open a chat.';
    empty.hidden = contacts.length > 0;
    list.replaceChildren(
      ...contacts.map((c) => {
        const remove = el('button', { type: 'button', class: 'button button-quiet', text: 'Remove', 'aria-label': `Remove ${c.address}` });
        remove.addEventListener('click', () => {
          api.removeContact(c.id).then(() => {
            contacts = contacts.filter((x) => x.id !== c.id);
            render();
            say(`${c.address} is no longer a contact.`);
          }, fail);
        });
        const block = el('button', { type: 'button', class: 'button button-quiet', text: 'Block', 'aria-label': `Block ${c.address}` });
        block.addEventListener('click', () => void blockAddress(c.address));
        return el(
          'li',
          { class: 'contact', 'data-contact-id': c.id },
          c.presence ? presenceDot(c.presence) : el('span', { class: 'ic-presence', role: 'img', 'aria-label': 'Presence not shared' }),
          el('span', { class: 'contact-address', text: c.address }),
          remove,
          block,
        );
      }),
    );
  }

  function renderBlocked(addresses: string[]): void {
    blocked.replaceChildren(
      ...addresses.map((a) => {
        const unblock = el('button', { type: 'button', class: 'button button-quiet', text: 'Unblock', 'aria-label': `Unblock ${a}` });
        unblock.addEventListener('click', () => {
          api.unblock(a).then((b) => {
            renderBlocked(b.addresses);
            say(`${a} is unblocked.`);
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
      say(`${address} is blocked.`);
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
    { class: 'form', 'aria-label': 'Block an address' },
    el('label', { for: 'block-address', text: 'Block an address' }),
    input,
    el('p', { class: 'form-help', text: 'Whoever uses it cannot bring you into chats, become your contact or see your presence.' }),
    el('button', { type: 'submit', class: 'button', text: 'Block' }),
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
      el('h2', { id: 'contacts-title', text: 'Contacts' }),
      empty,
      list,
      status,
      el('h3', { text: 'Blocked addresses' }),
      blocked,
      form,
    ),
    destroy() {
      for (const off of offs) off();
    },
  };
}
