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
    button.classList.remove('ic-armed');
  };
  button.addEventListener('click', () => {
    if (armed) {
      disarm();
      opts.onConfirm();
      return;
    }
    button.textContent = opts.confirmLabel;
    button.classList.add('ic-armed');
    armed = setTimeout(disarm, 5_000);
  });
  button.addEventListener('blur', disarm);
  return button;
}
