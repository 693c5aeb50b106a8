/** A message's reactions (one button per emoji, pressed when it is mine) and the picker to add one. */
import type { ReactionView } from '../../../protocol/index.ts';
import { QUICK_REACTIONS } from '../../../protocol/reactions.ts';
import { el } from '../dom.ts';
import { t, tx, uiLanguage } from '../i18n/index.ts';

export interface ReactionsOptions {
  reactions: ReactionView[];
  /** My handle in this chat: my own reactions show pressed and take back on click. */
  me: string;
  /** A member's name as the panel shows it (display name or address). */
  nameOf: (handle: string) => string;
  /** Absent when reactions cannot change (ended or ephemeral chat, deleted message). */
  onToggle?: (emoji: string, on: boolean) => void;
}

export function renderReactions(o: ReactionsOptions): HTMLElement | null {
  if (o.reactions.length === 0 && !o.onToggle) return null;
  const row = el('div', { class: 'ic-reactions' });
  // Names and counts are computed here: the panel re-renders its messages when the language changes.
  const list = new Intl.ListFormat(uiLanguage(), { type: 'conjunction' });
  const number = new Intl.NumberFormat(uiLanguage());
  for (const r of o.reactions) {
    const mine = r.members.includes(o.me);
    const names = list.format(r.members.map((h) => (h === o.me ? t('reactions.you') : o.nameOf(h))));
    const count = r.members.length;
    const chip = el('button', {
      type: 'button',
      class: 'ic-reaction',
      'aria-pressed': mine ? 'true' : 'false',
      ...tx({ title: ['reactions.title', { emoji: r.emoji, names }], 'aria-label': ['reactions.label', { emoji: r.emoji, count, names }] }),
      disabled: !o.onToggle,
    });
    chip.append(
      el('span', { class: 'ic-reaction-emoji', text: r.emoji }),
      el('span', { class: 'ic-reaction-count', text: number.format(count) }),
    );
    const toggle = o.onToggle;
    if (toggle) chip.addEventListener('click', () => toggle(r.emoji, !mine));
    row.appendChild(chip);
  }
  if (o.onToggle) row.appendChild(picker(o.onToggle));
  return row;
}

/** "Add a reaction": the quick set, and a box for any other single emoji (the server checks it is one). */
function picker(onToggle: (emoji: string, on: boolean) => void): HTMLElement {
  const details = el('details', { class: 'ic-react-picker' });
  const summary = el('summary', {
    class: 'ic-link ic-react-add',
    text: '+☺',
    ...tx({ 'aria-label': 'reactions.add', title: 'reactions.add' }),
  });
  const choices = el('div', { class: 'ic-react-choices', role: 'group', ...tx({ 'aria-label': 'reactions.choices' }) });
  for (const emoji of QUICK_REACTIONS) {
    const b = el('button', {
      type: 'button',
      class: 'ic-react-choice',
      text: emoji,
      ...tx({ 'aria-label': ['reactions.react', { emoji }] }),
    });
    b.addEventListener('click', () => {
      details.open = false;
      onToggle(emoji, true);
    });
    choices.appendChild(b);
  }
  const other = el('input', {
    type: 'text',
    class: 'ic-react-other',
    size: '5',
    ...tx({ 'aria-label': 'reactions.other', placeholder: 'reactions.otherPlaceholder' }),
  });
  const form = el('form', { class: 'ic-react-form' }, other);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const emoji = other.value.trim();
    if (!emoji) return;
    other.value = '';
    details.open = false;
    onToggle(emoji, true);
  });
  choices.appendChild(form);
  details.append(summary, choices);
  return details;
}
