/** Messages on their way: shown after the transcript with their state, never as HTML. */
import { el } from '../dom.ts';
import { tx, type MessageKey } from '../i18n/index.ts';
import type { PendingMessage } from './outbox.ts';

const STATE_TEXT: Record<PendingMessage['state'], MessageKey> = {
  queued: 'outbox.queued',
  sending: 'outbox.sending',
  waiting: 'outbox.waiting',
  retrying: 'outbox.retrying',
  failed: 'outbox.failed',
};

export function renderOutbox(list: HTMLOListElement, pending: PendingMessage[], onDiscard: (clientId: string) => void): void {
  list.replaceChildren(
    ...pending.map((p) => {
      const item = el(
        'li',
        { class: `ic-msg ic-text ic-mine ic-pending ic-${p.state}`, 'data-client-id': p.clientId },
        el('p', { class: 'ic-meta' }, el('span', { class: 'ic-author', ...tx('common.you') }), ' ', el('span', tx(STATE_TEXT[p.state]))),
        el('p', { class: 'ic-body', dir: 'auto', text: p.body }),
      );
      if (p.state === 'failed') {
        item.appendChild(el('p', { class: 'ic-error', ...(p.error ? { text: p.error } : tx('outbox.refused')) }));
        const discard = el('button', { type: 'button', class: 'ic-link', ...tx('outbox.remove') });
        discard.addEventListener('click', () => onDiscard(p.clientId));
        item.appendChild(discard);
      }
      return item;
    }),
  );
}
