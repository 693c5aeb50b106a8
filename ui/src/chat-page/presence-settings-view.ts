/**
 * Who may see my presence and "last seen": one choice, kept on the server for this identity
 * (every device and add-in follows it). Full sessions only, like the other settings.
 */
import type { PresenceVisibility } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, tx, type MessageKey } from '../i18n/index.ts';

const CHOICES: { value: PresenceVisibility; label: MessageKey }[] = [
  { value: 'NOBODY', label: 'visibility.nobody' },
  { value: 'SHARED_CHATS', label: 'visibility.sharedChats' },
  { value: 'CONTACTS', label: 'visibility.contacts' },
  { value: 'SIGNED_IN', label: 'visibility.signedIn' },
];

export function presenceSettingsView(api: ApiClient): HTMLElement {
  const status = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const radios = CHOICES.map((c) => {
    const input = el('input', { id: `presence-${c.value}`, type: 'radio', name: 'presence-visibility', value: c.value, disabled: true });
    input.addEventListener('change', () => void save(c.value));
    return { value: c.value, input, row: el('div', { class: 'check' }, input, el('label', { for: input.id, ...tx(c.label) })) };
  });
  const show = (v: PresenceVisibility) => {
    for (const r of radios) {
      r.input.checked = r.value === v;
      r.input.disabled = false;
    }
  };
  async function save(v: PresenceVisibility): Promise<void> {
    sayAsIs(status, '');
    status.classList.remove('form-result-error');
    try {
      show((await api.setPresenceSettings(v)).visibility);
      say(status, 'visibility.saved');
    } catch (err) {
      if (err instanceof Error) sayAsIs(status, err.message);
      else say(status, 'visibility.saveFailed');
      status.classList.add('form-result-error');
    }
  }
  api.presenceSettings().then(
    (s) => show(s.visibility),
    (err: Error) => {
      sayAsIs(status, err.message);
      status.classList.add('form-result-error');
    },
  );
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'presence-title' },
    el('h2', { id: 'presence-title', ...tx('visibility.title') }),
    el('fieldset', { class: 'fieldset' }, el('legend', tx('visibility.legend')), ...radios.map((r) => r.row)),
    el('p', { class: 'form-help', ...tx('visibility.help') }),
    status,
  );
}
