/** A message's reactions (one button per emoji, pressed when it is mine) and the picker to add one. */
import type { ReactionView } from '../../../protocol/index.ts';
import { QUICK_REACTIONS } from '../../../protocol/reactions.ts';
import { el } from '../dom.ts';

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
  for (const r of o.reactions) {
    const mine = r.members.includes(o.me);
    const names = r.members.map((h) => (h === o.me ? 'you' : o.nameOf(h)));
    const chip = el('button', {
      type: 'button',
      class: 'ic-reaction',
      'aria-pressed': mine ? 'true' : 'false',
      title: `${r.emoji} ${names.join(', ')}`,
      'aria-label': `${r.emoji} ${r.members.length}: ${names.join(', ')}`,
      disabled: !o.onToggle,
    });
    chip.append(
      el('span', { class: 'ic-reaction-emoji', text: r.emoji }),
      el('span', { class: 'ic-reaction-count', text: String(r.members.length) }),
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
  const summary = el('summary', { class: 'ic-link ic-react-add', 'aria-label': 'Add a reaction', title: 'Add a reaction', text: '+☺' });
  const choices = el('div', { class: 'ic-react-choices', role: 'group', 'aria-label': 'Reactions' });
  for (const emoji of QUICK_REACTIONS) {
    const b = el('button', { type: 'button', class: 'ic-react-choice', 'aria-label': `React ${emoji}`, text: emoji });
    b.addEventListener('click', () => {
      details.open = false;
      onToggle(emoji, true);
    });
    choices.appendChild(b);
  }
  const other = el('input', { type: 'text', class: 'ic-react-other', 'aria-label': 'Another emoji', placeholder: 'Other', size: '5' });
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
