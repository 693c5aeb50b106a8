/** DOM for one transcript entry. Every piece of user text goes in through textContent. */
import type { DeliveryStatus, MessageView } from '../../../protocol/index.ts';
import { el, timeLabel } from '../dom.ts';
import { say, tx, type MessageKey } from '../i18n/index.ts';
import { languageName } from '../languages.ts';
import { confirmButton } from './confirm-button.ts';
import { messageText } from './message-text.ts';

export interface MessageViewOptions {
  mine: boolean;
  canDelete: boolean;
  onDelete: (seq: number) => void;
  /** The content of an ATTACHMENT message (a file, an image, a video player). */
  renderAttachment?: (a: NonNullable<MessageView['attachment']>) => HTMLElement;
  /** My own messages: what became of them with the others (sent, delivered, emailed, read). */
  receipt?: { status: DeliveryStatus; detail: string };
  /** The reader asked to see this message as written instead of its translation. */
  showOriginal?: boolean;
  onToggleOriginal?: (seq: number) => void;
}

/**
 * The body of a message with a translation: the translation (or, on request, the original) and
 * a small note saying what it is, with the other one a click away. All through textContent.
 */
function translatedBody(m: MessageView, opts: MessageViewOptions, className: string, tag: 'p' | 'blockquote'): HTMLElement[] {
  const t = m.translation!;
  const original = opts.showOriginal === true;
  const from = languageName(t.from);
  const body = el(tag, { class: className, lang: original ? t.from : t.language, dir: 'auto' }, messageText(original ? m.body : t.body));
  const toggle = el('button', {
    type: 'button',
    class: 'ic-link ic-translation-toggle',
    'aria-pressed': original ? 'true' : 'false',
    ...tx(original ? 'message.showTranslation' : 'message.showOriginal'),
  });
  toggle.addEventListener('click', () => opts.onToggleOriginal?.(m.seq));
  const note = el(
    'p',
    { class: 'ic-translation-note' },
    el('span', tx(original ? 'message.original' : 'message.translatedFrom', { language: from })),
    ' · ',
    toggle,
  );
  return [body, note];
}

export function renderMessage(m: MessageView, opts: MessageViewOptions): HTMLLIElement {
  if (m.kind === 'SYSTEM') {
    return el('li', { class: 'ic-msg ic-system', 'data-seq': String(m.seq) }, el('p', { dir: 'auto', text: m.body }));
  }
  if (m.kind === 'QUOTE') {
    return el(
      'li',
      { class: 'ic-msg ic-quote', 'data-seq': String(m.seq) },
      el(
        'figure',
        {},
        el('figcaption', m.authorAddress ? tx('message.emailFrom', { address: m.authorAddress }) : tx('message.unknownSender')),
        ...(m.translation
          ? translatedBody(m, opts, 'ic-body', 'blockquote')
          : [el('blockquote', { class: 'ic-body', dir: 'auto' }, messageText(m.body))]),
      ),
    );
  }
  const time = timeLabel(m.createdAt);
  const meta = el(
    'p',
    { class: 'ic-meta' },
    el('span', {
      class: 'ic-author',
      ...(opts.mine ? tx('common.you') : m.authorAddress ? { text: m.authorAddress } : tx('common.someone')),
    }),
    ' ',
    el('time', { datetime: m.createdAt, title: time.full, text: time.short }),
  );
  const item = el(
    'li',
    { class: `ic-msg ic-text${opts.mine ? ' ic-mine' : ''}${m.deleted ? ' ic-deleted' : ''}`, 'data-seq': String(m.seq) },
    meta,
  );
  if (m.deleted) {
    item.appendChild(el('p', { class: 'ic-body ic-tombstone', ...tx('message.deleted') }));
    return item;
  }
  if (m.kind === 'ATTACHMENT' && m.attachment && opts.renderAttachment) item.appendChild(opts.renderAttachment(m.attachment));
  else if (m.translation) item.append(...translatedBody(m, opts, 'ic-body', 'p'));
  // dir=auto: a message keeps its own direction whatever the interface's (English in an Arabic panel).
  else item.appendChild(el('p', { class: 'ic-body', dir: 'auto' }, messageText(m.body)));
  if (opts.receipt) {
    const receipt = el('span', { class: 'ic-receipt' });
    setReceipt(receipt, opts.receipt);
    meta.appendChild(receipt);
  }
  if (opts.canDelete) {
    meta.appendChild(
      confirmButton({
        label: 'message.delete',
        confirmLabel: 'message.deleteConfirm',
        ariaLabel: 'message.deleteLabel',
        className: 'ic-link ic-delete',
        onConfirm: () => opts.onDelete(m.seq),
      }),
    );
  }
  return item;
}

const RECEIPT_TEXT: Record<DeliveryStatus, MessageKey> = {
  sent: 'receipt.sent',
  delivered: 'receipt.delivered',
  emailed: 'receipt.emailed',
  read: 'receipt.read',
};

/** Updates a receipt in place (receipts move often; the message node stays). */
export function setReceipt(node: HTMLElement, r: { status: DeliveryStatus; detail: string }): void {
  node.dataset.state = r.status;
  say(node, RECEIPT_TEXT[r.status]);
  if (r.detail) node.title = r.detail;
  else node.removeAttribute('title');
}

export function renderUnreadDivider(): HTMLLIElement {
  // A plain list item: role="separator" on the <li> would make the list hold a non-item (axe: list).
  return el('li', { class: 'ic-divider' }, el('span', tx('message.newDivider')));
}
