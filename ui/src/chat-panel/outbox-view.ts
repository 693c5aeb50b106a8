/** Messages on their way: shown after the transcript with their state, never as HTML. */
import { el } from '../dom.ts';
import type { PendingMessage } from './outbox.ts';

const STATE_TEXT: Record<PendingMessage['state'], string> = {
  queued: 'Queued…',
  sending: 'Sending…',
  waiting: 'Waiting for the connection…',
  retrying: 'Retrying…',
  failed: 'Not sent',
};

export function renderOutbox(list: HTMLOListElement, pending: PendingMessage[], onDiscard: (clientId: string) => void): void {
  list.replaceChildren(
    ...pending.map((p) => {
      const item = el(
        'li',
        { class: `ic-msg ic-text ic-mine ic-pending ic-${p.state}`, 'data-client-id': p.clientId },
        el('p', { class: 'ic-meta' }, el('span', { class: 'ic-author', text: 'You' }), ' ', el('span', { text: STATE_TEXT[p.state] })),
        el('p', { class: 'ic-body', text: p.body }),
      );
      if (p.state === 'failed') {
        item.appendChild(el('p', { class: 'ic-error', text: p.error ?? 'The server refused this message' }));
        const discard = el('button', { type: 'button', class: 'ic-link', text: 'Remove' });
        discard.addEventListener('click', () => onDiscard(p.clientId));
        item.appendChild(discard);
      }
      return item;
    }),
  );
}
