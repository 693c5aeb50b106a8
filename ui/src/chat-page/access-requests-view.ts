/** For the chat's owner: people outside the audience asking to be let in, live. */
import type { AccessRequestView } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import type { ChatTransport } from '../transport.ts';

export function accessRequestsView(opts: { api: ApiClient; transport: ChatTransport; chatId: string }): {
  root: HTMLElement;
  destroy(): void;
} {
  const { api, transport, chatId } = opts;
  const pending = new Map<string, AccessRequestView>();
  const list = el('ul', { class: 'request-list' });
  const root = el(
    'section',
    { class: 'requests', 'aria-labelledby': 'requests-title', hidden: true },
    el('h2', { id: 'requests-title', text: 'Asking to join' }),
    list,
  );

  const render = () => {
    root.hidden = pending.size === 0;
    list.replaceChildren(...[...pending.values()].map(item));
  };
  const item = (r: AccessRequestView) => {
    const error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    const decide = async (decision: 'APPROVE' | 'DECLINE') => {
      try {
        await api.decideAccess(chatId, r.id, decision);
        pending.delete(r.id);
        render();
      } catch (err) {
        error.textContent = err instanceof Error ? err.message : 'Could not save the decision';
        error.hidden = false;
      }
    };
    const approve = el('button', { type: 'button', class: 'button button-primary', text: 'Approve', 'aria-label': `Approve ${r.address}` });
    const decline = el('button', { type: 'button', class: 'button', text: 'Decline', 'aria-label': `Decline ${r.address}` });
    approve.addEventListener('click', () => void decide('APPROVE'));
    decline.addEventListener('click', () => void decide('DECLINE'));
    return el(
      'li',
      { class: 'request', 'data-request-id': r.id },
      el('p', {}, el('strong', { text: r.address }), ' asks to join this chat.'),
      r.note ? el('blockquote', { class: 'request-note', text: r.note }) : null,
      el('div', { class: 'form-actions' }, approve, decline),
      error,
    );
  };

  const load = async () => {
    try {
      for (const r of await api.accessRequests(chatId)) pending.set(r.id, r);
      render();
    } catch {
      // Not critical: new requests still arrive live.
    }
  };
  const offs = [
    transport.on('access:requested', (r) => {
      if (r.chatId !== chatId) return;
      if (r.status === 'PENDING') pending.set(r.id, r);
      else pending.delete(r.id);
      render();
    }),
    transport.on('status', (s) => s === 'online' && void load()),
  ];
  void load();
  return { root, destroy: () => offs.forEach((off) => off()) };
}
