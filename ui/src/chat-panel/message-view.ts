/** DOM for one transcript entry. Every piece of user text goes in through textContent. */
import type { DeliveryStatus, MessageView } from '../../../protocol/index.ts';
import { el, timeLabel } from '../dom.ts';
import { say, tx, type MessageKey } from '../i18n/index.ts';
import { languageName } from '../languages.ts';
import { confirmButton } from './confirm-button.ts';
import { eventLineMessage } from './event-line.ts';
import { editedMark, messageEditor } from './message-edit.ts';
import { messageText } from './message-text.ts';
import { textWithMentions } from './mentions.ts';
import { renderReactions } from './reactions-view.ts';

export interface MessageViewOptions {
  mine: boolean;
  canDelete: boolean;
  onDelete: (seq: number) => void;
  /** Offers "Edit" (my text messages in a chat that keeps its history and has not ended). */
  canEdit?: boolean;
  /** Saves new text; rejects with a message to show when the server refuses. */
  onEdit?: (seq: number, body: string) => Promise<void>;
  /** Who may read earlier texts (the author and the chat owner): loads them; absent for everyone else. */
  loadRevisions?: (seq: number) => Promise<{ body: string; writtenAt: string }[]>;
  /** "@Name" of each member the message mentions, as this panel names them (highlighted in the text). */
  mentionTokens?: string[];
  /** The author as this panel names them (display name or address), and the address for the tooltip. */
  author?: { name: string; address: string };
  /** Reactions as this viewer sees them; `onToggle` absent when they cannot change. */
  reactions?: { me: string; nameOf: (handle: string) => string; onToggle?: (seq: number, emoji: string, on: boolean) => void };
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
  if (m.kind === 'SYSTEM' || m.kind === 'CALL') {
    // A call line names its people in its text, like any other event line.
    const said = eventLineMessage(m);
    return el(
      'li',
      { class: `ic-msg ic-system${m.kind === 'CALL' ? ' ic-call-line' : ''}`, 'data-seq': String(m.seq) },
      el('p', { dir: 'auto', ...(said ? tx(...said) : { text: m.body }) }),
    );
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
      reactionsOf(m, opts),
    );
  }
  const time = timeLabel(m.createdAt);
  const meta = el(
    'p',
    { class: 'ic-meta' },
    el('span', {
      class: 'ic-author',
      ...(opts.mine
        ? tx('common.you')
        : (opts.author?.name ?? m.authorAddress)
          ? { text: (opts.author?.name ?? m.authorAddress)! }
          : tx('common.someone')),
      title: opts.author?.address ?? m.authorAddress ?? undefined,
    }),
    ' ',
    el('time', { datetime: m.createdAt, title: time.full, text: time.short }),
  );
  const item = el(
    'li',
    {
      class: `ic-msg ic-text${opts.mine ? ' ic-mine' : ''}${m.deleted ? ' ic-deleted' : ''}${m.mentionsMe && !m.deleted ? ' ic-mentions-me' : ''}`,
      'data-seq': String(m.seq),
    },
    meta,
  );
  if (m.deleted) {
    item.appendChild(el('p', { class: 'ic-body ic-tombstone', ...tx('message.deleted') }));
    return item;
  }
  // An attachment's content; else the text as written, mentions marked, or its translation with a note and the original a click away.
  // dir=auto: a message keeps its own direction whatever the interface's (English in an Arabic panel).
  const bodyNodes =
    m.kind === 'ATTACHMENT' && m.attachment && opts.renderAttachment
      ? [opts.renderAttachment(m.attachment)]
      : m.translation
        ? translatedBody(m, opts, 'ic-body', 'p')
        : [
            el(
              'p',
              { class: 'ic-body', dir: 'auto' },
              opts.mentionTokens?.length ? textWithMentions(m.body, opts.mentionTokens) : messageText(m.body),
            ),
          ];
  item.append(...bodyNodes);
  if (m.editedAt) meta.appendChild(editedMark(m.seq, m.editedAt, item, opts.loadRevisions));
  if (opts.receipt) {
    const receipt = el('span', { class: 'ic-receipt' });
    setReceipt(receipt, opts.receipt);
    meta.appendChild(receipt);
  }
  const reactions = reactionsOf(m, opts);
  if (reactions) item.appendChild(reactions);
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
  // After Delete: a focused message's first control stays Delete, as the keyboard path promises.
  if (opts.canEdit && opts.onEdit) {
    const onEdit = opts.onEdit;
    const button = el('button', {
      type: 'button',
      class: 'ic-link ic-edit',
      ...tx({ text: 'message.edit', 'aria-label': 'message.editLabel' }),
    });
    button.addEventListener('click', () => {
      if (item.querySelector('.ic-editor')) return;
      for (const n of bodyNodes) n.hidden = true;
      const editor = messageEditor(m.body, {
        save: (text) => onEdit(m.seq, text),
        close: () => {
          editor.remove();
          for (const n of bodyNodes) n.hidden = false;
          button.focus();
        },
      });
      bodyNodes[bodyNodes.length - 1]!.after(editor);
    });
    meta.appendChild(button);
  }
  return item;
}

function reactionsOf(m: MessageView, opts: MessageViewOptions): HTMLElement | null {
  const r = opts.reactions;
  if (!r) return null;
  const toggle = r.onToggle;
  return renderReactions({
    reactions: m.reactions,
    me: r.me,
    nameOf: r.nameOf,
    onToggle: toggle ? (emoji, on) => toggle(m.seq, emoji, on) : undefined,
  });
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
