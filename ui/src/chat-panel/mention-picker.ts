/**
 * "@" in the message box offers the chat's mentionable members (a listbox under the box, by
 * keyboard or pointer). A chosen member goes into the text as "@Name" and is remembered by
 * handle; a send mentions those whose "@Name" is still in the text.
 */
import { el } from '../dom.ts';
import { tx } from '../i18n/index.ts';

export interface MentionCandidate {
  handle: string;
  /** What the text shows after "@": the display name where set, else the address. */
  name: string;
  address: string;
}

export interface MentionPicker {
  list: HTMLUListElement;
  /** Handles a key while the list is open; true when it was used (the box must not act on it). */
  key(e: KeyboardEvent): boolean;
  /** Re-reads the text around the caret after each input. */
  update(): void;
  /** The handles a send of `body` mentions; forgets the chosen ones. */
  take(body: string): string[];
}

const MAX_SHOWN = 6;
let pickerCount = 0;

export function attachMentionPicker(box: HTMLTextAreaElement, candidates: () => MentionCandidate[]): MentionPicker {
  const id = `ic-mentions-${++pickerCount}`;
  const list = el('ul', { id, class: 'ic-mention-list', role: 'listbox', hidden: true, ...tx({ 'aria-label': 'mentions.label' }) });
  // A textbox may not carry aria-expanded (a combobox would, but not as a multi-line box):
  // the list's own visibility says whether it is open.
  box.setAttribute('aria-autocomplete', 'list');
  box.setAttribute('aria-controls', id);
  let shown: MentionCandidate[] = [];
  let active = 0;
  let query: { start: number; end: number } | null = null;
  const chosen = new Map<string, string>(); // "@Name" -> handle

  const close = () => {
    list.hidden = true;
    shown = [];
    query = null;
    box.removeAttribute('aria-activedescendant');
  };

  const render = () => {
    list.replaceChildren(
      ...shown.map((c, i) => {
        const option = el(
          'li',
          { id: `${id}-${i}`, role: 'option', class: 'ic-mention-option', 'aria-selected': i === active ? 'true' : 'false' },
          el('span', { class: 'ic-mention-name', text: c.name }),
          c.name !== c.address ? el('span', { class: 'ic-mention-address', text: ` ${c.address}` }) : null,
        );
        // mousedown, not click: the box keeps focus and the caret.
        option.addEventListener('mousedown', (e) => {
          e.preventDefault();
          pick(c);
        });
        return option;
      }),
    );
    box.setAttribute('aria-activedescendant', `${id}-${active}`);
  };

  const pick = (c: MentionCandidate) => {
    if (!query) return;
    const token = `@${c.name}`;
    box.setRangeText(`${token} `, query.start, query.end, 'end');
    chosen.set(token, c.handle);
    close();
    box.dispatchEvent(new Event('input', { bubbles: true }));
  };

  return {
    list,
    key(e) {
      if (list.hidden || shown.length === 0) return false;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        active = (active + (e.key === 'ArrowDown' ? 1 : shown.length - 1)) % shown.length;
        render();
      } else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
        pick(shown[active]!);
      } else if (e.key === 'Escape') {
        close();
      } else return false;
      e.preventDefault();
      return true;
    },
    update() {
      const caret = box.selectionStart ?? box.value.length;
      const before = box.value.slice(0, caret);
      const m = /(^|\s)@([^\s@]{0,60})$/.exec(before);
      if (!m) return close();
      const typed = m[2]!.toLowerCase();
      shown = candidates()
        .filter((c) => c.name.toLowerCase().includes(typed) || c.address.includes(typed))
        .slice(0, MAX_SHOWN);
      if (shown.length === 0) return close();
      query = { start: caret - m[2]!.length - 1, end: caret };
      active = Math.min(active, shown.length - 1);
      list.hidden = false;
      render();
    },
    take(body) {
      const handles = [...chosen].filter(([token]) => body.includes(token)).map(([, handle]) => handle);
      chosen.clear();
      return [...new Set(handles)];
    },
  };
}
