/** For the chat's owner: people outside the audience asking to be let in, live. */
import type { AccessRequestView } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { onUiLanguageChange, say, sayAsIs, t, tx } from '../i18n/index.ts';
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
    el('h2', { id: 'requests-title', ...tx('requests.title') }),
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
        if (err instanceof Error) sayAsIs(error, err.message);
        else say(error, 'requests.saveFailed');
        error.hidden = false;
      }
    };
    const address = { address: r.address };
    const approve = el('button', {
      type: 'button',
      class: 'button button-primary',
      ...tx({ text: 'requests.approve', 'aria-label': ['requests.approveLabel', address] }),
    });
    const decline = el('button', {
      type: 'button',
      class: 'button',
      ...tx({ text: 'requests.decline', 'aria-label': ['requests.declineLabel', address] }),
    });
    approve.addEventListener('click', () => void decide('APPROVE'));
    decline.addEventListener('click', () => void decide('DECLINE'));
    return el(
      'li',
      { class: 'request', 'data-request-id': r.id },
      asks(r.address),
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
    // The sentence around each address is rebuilt in the new language.
    onUiLanguageChange(render),
  ];
  void load();
  return { root, destroy: () => offs.forEach((off) => off()) };
}

/** "<address> asks to join this chat." with the address in bold, wherever the language puts it. */
function asks(address: string): HTMLParagraphElement {
  const mark = '\u0001';
  const [before = '', after = ''] = t('requests.asks', { address: mark }).split(mark);
  return el('p', {}, before, el('strong', { text: address }), after);
}
