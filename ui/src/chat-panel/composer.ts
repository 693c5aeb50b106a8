/** The message box: Enter sends, Shift+Enter starts a new line. */
import { LIMITS } from '../../../protocol/limits.ts';
import { el } from '../dom.ts';

export interface Composer {
  root: HTMLFormElement;
  setEnabled(enabled: boolean, reason?: string): void;
  focus(): void;
}

let composerCount = 0;

export function createComposer(opts: { onSend: (body: string) => void; onTyping: () => void }): Composer {
  const id = `ic-draft-${++composerCount}`;
  const box = el('textarea', {
    id,
    class: 'ic-draft',
    rows: '2',
    maxlength: String(LIMITS.messageChars),
    placeholder: 'Write a message',
    'aria-describedby': `${id}-hint`,
  });
  const send = el('button', { type: 'submit', class: 'ic-button ic-send', text: 'Send' });
  const hint = el('p', { id: `${id}-hint`, class: 'ic-hint', text: 'Enter to send, Shift+Enter for a new line' });
  const root = el(
    'form',
    { class: 'ic-composer' },
    el('label', { for: id, class: 'ic-visually-hidden', text: 'Message' }),
    el('div', { class: 'ic-composer-row' }, box, send),
    hint,
  );

  const submit = () => {
    const body = box.value.trim();
    if (!body || box.disabled) return;
    opts.onSend(body);
    box.value = '';
  };
  root.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    box.focus();
  });
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  box.addEventListener('input', () => {
    if (box.value.trim()) opts.onTyping();
  });

  return {
    root,
    setEnabled(enabled, reason) {
      box.disabled = !enabled;
      send.disabled = !enabled;
      box.placeholder = reason ?? (enabled ? 'Write a message' : 'Read only');
    },
    focus() {
      box.focus();
    },
  };
}
