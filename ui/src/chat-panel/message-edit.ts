/** Editing one's own message in place, and the "edited" mark every member sees on an edited message. */
import { el, timeLabel } from '../dom.ts';
import { say, sayAsIs, tx } from '../i18n/index.ts';

/**
 * The text box that replaces a message's text while its author edits it: Enter saves, Shift+Enter
 * breaks the line, Escape (or Cancel) leaves the text as it was. It stays open with the server's
 * reason when the edit is refused.
 */
export function messageEditor(text: string, on: { save: (text: string) => Promise<void>; close: () => void }): HTMLFormElement {
  // No maxlength: too long a text is refused by the server with its count, never cut silently.
  const box = el('textarea', { class: 'ic-editor-text', rows: '2', ...tx({ 'aria-label': 'edit.label' }) });
  box.value = text;
  const error = el('p', { class: 'ic-editor-error', role: 'alert' });
  const save = el('button', { type: 'submit', class: 'ic-link ic-editor-save', ...tx('edit.save') });
  const cancel = el('button', { type: 'button', class: 'ic-link ic-editor-cancel', ...tx('common.cancel') });
  const form = el('form', { class: 'ic-editor' }, box, el('span', { class: 'ic-editor-actions' }, save, cancel), error);
  const submit = async () => {
    const next = box.value.trim();
    if (next === '' || next === text.trim()) return on.close();
    save.disabled = true;
    try {
      await on.save(next);
      on.close();
    } catch (err) {
      if (err instanceof Error) sayAsIs(error, err.message);
      else say(error, 'edit.failed');
      save.disabled = false;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit();
  });
  cancel.addEventListener('click', () => on.close());
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      on.close();
    } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void submit();
    }
  });
  queueMicrotask(() => {
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
  return form;
}

/**
 * "edited", with the time of the edit on hover. For the author and the chat owner it is a button
 * that lists the earlier texts under the message (the audit trail); for everyone else plain text.
 */
export function editedMark(
  seq: number,
  editedAt: string,
  item: HTMLElement,
  loadRevisions?: (seq: number) => Promise<{ body: string; writtenAt: string }[]>,
): HTMLElement {
  const mark = tx({ text: 'edit.mark', title: ['edit.markTitle', { when: Date.parse(editedAt) }] });
  if (!loadRevisions) return el('span', { class: 'ic-edited', ...mark });
  const button = el('button', { type: 'button', class: 'ic-link ic-edited', 'aria-expanded': 'false', ...mark });
  button.addEventListener('click', () => {
    const open = item.querySelector('.ic-revisions');
    if (open) {
      open.remove();
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    const list = el('ol', { class: 'ic-revisions', ...tx({ 'aria-label': 'edit.revisions' }) });
    item.appendChild(list);
    button.setAttribute('aria-expanded', 'true');
    loadRevisions(seq).then(
      (revisions) => {
        for (const r of revisions) {
          list.appendChild(
            el('li', {}, el('time', { datetime: r.writtenAt, text: timeLabel(r.writtenAt).full }), ' ', el('span', { text: r.body })),
          );
        }
      },
      (err: unknown) => list.appendChild(el('li', err instanceof Error ? { text: err.message } : tx('edit.revisionsFailed'))),
    );
  });
  return button;
}
