/** The message box: Enter sends, Shift+Enter starts a new line. */
import { LIMITS } from '../../../protocol/limits.ts';
import { el } from '../dom.ts';
import { say, t, tx, type MessageKey } from '../i18n/index.ts';
import type { ChatStorage } from './chat-storage.ts';
import { attachMentionPicker, type MentionCandidate } from './mention-picker.ts';

export interface Composer {
  root: HTMLFormElement;
  /** `reason` (why it is read only or what happens to what is typed) shows as the placeholder. */
  setEnabled(enabled: boolean, reason?: MessageKey): void;
  focus(): void;
  /** Keeps what is typed but not sent in this storage, and brings it back (once the identity is known). */
  keepDraft(storage: ChatStorage): void;
}

let composerCount = 0;

export function createComposer(opts: {
  onSend: (body: string, mentions: string[]) => void;
  onTyping: () => void;
  focusWhenReady?: boolean;
  /** Who "@" offers (the chat's members everyone can see). */
  mentionable?: () => MentionCandidate[];
}): Composer {
  const id = `ic-draft-${++composerCount}`;
  const box = el('textarea', {
    id,
    class: 'ic-draft',
    rows: '2',
    // What is typed keeps its own direction (English typed in an Arabic panel, and back).
    dir: 'auto',
    // No maxlength: the browser would cut a long paste silently; the count below says what is over.
    ...tx({ placeholder: 'composer.placeholder' }),
    'aria-describedby': `${id}-hint`,
  });
  const send = el('button', { type: 'submit', class: 'ic-button ic-send', ...tx('composer.send') });
  const hint = el('p', { id: `${id}-hint`, class: 'ic-hint', ...tx('composer.hint') });
  let focusedOnce = false;
  let draft: ChatStorage | null = null;
  const saveDraft = () => draft?.write(box.value.trim() ? box.value : null);
  const count = el('p', { id: `${id}-count`, class: 'ic-count', 'aria-live': 'polite', hidden: true });
  box.setAttribute('aria-describedby', `${id}-hint ${id}-count`);
  const mentions = attachMentionPicker(box, opts.mentionable ?? (() => []));
  const root = el(
    'form',
    { class: 'ic-composer' },
    el('label', { for: id, class: 'ic-visually-hidden', ...tx('composer.label') }),
    mentions.list,
    el('div', { class: 'ic-composer-row' }, box, send),
    count,
    hint,
  );

  const showCount = () => {
    const over = messageOverLimit(box.value.trim());
    count.hidden = over === null && box.value.length < LIMITS.messageChars * 0.9;
    const length = box.value.trim().length;
    if (over) say(count, 'composer.tooLong', { length, over: length - LIMITS.messageChars, limit: LIMITS.messageChars });
    else say(count, 'composer.count', { count: length, limit: LIMITS.messageChars });
    count.classList.toggle('ic-count-over', over !== null);
    if (over) box.setAttribute('aria-invalid', 'true');
    else box.removeAttribute('aria-invalid');
  };
  const submit = () => {
    const body = box.value.trim();
    if (!body || box.disabled) return;
    // Refused whole, never cut: the text stays in the box to be shortened or split.
    if (messageOverLimit(body)) return showCount();
    opts.onSend(body, mentions.take(body));
    box.value = '';
    saveDraft();
    showCount();
  };
  root.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
    box.focus();
  });
  box.addEventListener('keydown', (e) => {
    if (mentions.key(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  box.addEventListener('input', () => {
    mentions.update();
    saveDraft();
    showCount();
    if (box.value.trim()) opts.onTyping();
  });

  return {
    root,
    setEnabled(enabled, reason) {
      const first = enabled && box.disabled && opts.focusWhenReady && !focusedOnce;
      box.disabled = !enabled;
      send.disabled = !enabled;
      say(box, reason ?? (enabled ? 'composer.placeholder' : 'composer.readOnly'), undefined, 'placeholder');
      // Once, and only when the person is not already somewhere else on the page.
      if (first && !isTyping(document.activeElement)) {
        focusedOnce = true;
        box.focus();
      }
    },
    focus() {
      box.focus();
    },
    keepDraft(storage) {
      draft = storage;
      const kept = storage.read();
      // What was typed before the chat loaded wins over an older draft.
      if (kept && !box.value) {
        box.value = kept;
        showCount();
      } else saveDraft();
    },
  };
}

function isTyping(e: Element | null): boolean {
  return (
    e instanceof HTMLInputElement ||
    e instanceof HTMLTextAreaElement ||
    e instanceof HTMLSelectElement ||
    (e instanceof HTMLElement && e.isContentEditable)
  );
}

/** Why a message cannot be sent as it is, with the numbers; null when it fits. */
export function messageOverLimit(body: string): string | null {
  const over = body.length - LIMITS.messageChars;
  if (over <= 0) return null;
  return t('composer.tooLong', { length: body.length, over, limit: LIMITS.messageChars });
}
