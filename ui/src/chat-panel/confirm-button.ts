/** A button that asks once more before a destructive action, without a modal dialog. */
import { el } from '../dom.ts';
import { say, sayAsIs, tx, type MessageKey } from '../i18n/index.ts';

export function confirmButton(opts: {
  label: MessageKey;
  confirmLabel: MessageKey;
  ariaLabel?: MessageKey;
  className?: string;
  onConfirm: () => void;
}): HTMLButtonElement {
  const button = el('button', {
    type: 'button',
    class: opts.className ?? 'ic-link',
    ...tx(opts.ariaLabel ? { text: opts.label, 'aria-label': opts.ariaLabel } : { text: opts.label }),
  });
  let armed: ReturnType<typeof setTimeout> | undefined;
  const disarm = () => {
    clearTimeout(armed);
    armed = undefined;
    say(button, opts.label);
    if (opts.ariaLabel) say(button, opts.ariaLabel, undefined, 'aria-label');
    button.classList.remove('ic-armed');
  };
  button.addEventListener('click', () => {
    if (armed) {
      disarm();
      opts.onConfirm();
      return;
    }
    say(button, opts.confirmLabel);
    // The visible question is the accessible name while armed.
    sayAsIs(button, '', 'aria-label');
    button.removeAttribute('aria-label');
    button.classList.add('ic-armed');
    armed = setTimeout(disarm, 5_000);
  });
  button.addEventListener('blur', disarm);
  return button;
}
