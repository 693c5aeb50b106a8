/**
 * Who may see my presence and "last seen": one choice, kept on the server for this identity
 * (every device and add-in follows it). Full sessions only, like the other settings.
 */
import type { PresenceVisibility } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';

const CHOICES: { value: PresenceVisibility; label: string }[] = [
  { value: 'NOBODY', label: 'Nobody' },
  { value: 'SHARED_CHATS', label: 'Anyone I share a chat with (both of us opened it)' },
  { value: 'CONTACTS', label: 'My contacts' },
  { value: 'SIGNED_IN', label: 'Everyone signed in who sees me in a chat or in their contacts' },
];

export function presenceSettingsView(api: ApiClient): HTMLElement {
  const status = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const radios = CHOICES.map((c) => {
    const input = el('input', { id: `presence-${c.value}`, type: 'radio', name: 'presence-visibility', value: c.value, disabled: true });
    input.addEventListener('change', () => void save(c.value));
    return { value: c.value, input, row: el('div', { class: 'check' }, input, el('label', { for: input.id, text: c.label })) };
  });
  const show = (v: PresenceVisibility) => {
    for (const r of radios) {
      r.input.checked = r.value === v;
      r.input.disabled = false;
    }
  };
  async function save(v: PresenceVisibility): Promise<void> {
    status.textContent = '';
    status.classList.remove('form-result-error');
    try {
      show((await api.setPresenceSettings(v)).visibility);
      status.textContent = 'Saved.';
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : 'Could not save';
      status.classList.add('form-result-error');
    }
  }
  api.presenceSettings().then(
    (s) => show(s.visibility),
    (err: Error) => {
      status.textContent = err.message;
      status.classList.add('form-result-error');
    },
  );
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'presence-title' },
    el('h2', { id: 'presence-title', text: 'Who sees when I am around' }),
    el(
      'fieldset',
      { class: 'fieldset' },
      el('legend', { text: 'Show whether I am available, away, in do not disturb or offline, and when I was last seen, to:' }),
      ...radios.map((r) => r.row),
    ),
    el('p', {
      class: 'form-help',
      text: 'Hidden (Bcc) recipients never see it through that chat, and addresses you block never see it at all.',
    }),
    status,
  );
}
