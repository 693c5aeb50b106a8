/** A button that asks once more before a destructive action, without a modal dialog. */
import { el } from '../dom.ts';

export function confirmButton(opts: {
  label: string;
  confirmLabel: string;
  ariaLabel?: string;
  className?: string;
  onConfirm: () => void;
}): HTMLButtonElement {
  const button = el('button', {
    type: 'button',
    class: opts.className ?? 'ic-link',
    'aria-label': opts.ariaLabel,
    text: opts.label,
  });
  let armed: ReturnType<typeof setTimeout> | undefined;
  const disarm = () => {
    clearTimeout(armed);
    armed = undefined;
    button.textContent = opts.label;
    if (opts.ariaLabel) button.setAttribute('aria-label', opts.ariaLabel);
    button.classList.remove('ic-armed');
  };
  button.addEventListener('click', () => {
    if (armed) {
      disarm();
      opts.onConfirm();
      return;
    }
    button.textContent = opts.confirmLabel;
    // The visible question is the accessible name while armed.
    button.removeAttribute('aria-label');
    button.classList.add('ic-armed');
    armed = setTimeout(disarm, 5_000);
  });
  button.addEventListener('blur', disarm);
  return button;
}
