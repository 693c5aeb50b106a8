/**
 * The "Alerts" card of the settings: how I am told of messages in chats I am not looking at,
 * for every device I sign in on (kept on the server), and per chat mute and sound. Each box
 * saves as it changes and says so in a polite live line; a failed save puts the box back.
 */
import type { AlertSettingsBody, AlertsView, ChatSummary } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';

type Choice = keyof AlertSettingsBody;

const CHOICES: { key: Choice; label: string; help?: string }[] = [
  { key: 'desktop', label: 'Desktop notification', help: 'Click it to open the chat.' },
  { key: 'sound', label: 'Sound' },
  { key: 'vibrate', label: 'Vibrate', help: 'On phones and tablets that can.' },
  { key: 'speak', label: "Read the sender's name and first words aloud", help: 'Each person gets a voice of their own.' },
];

export function alertsSettingsCard(api: ApiClient, onChanged: () => void = () => {}): HTMLElement {
  const result = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const say = (text: string, error = false) => {
    result.textContent = text;
    result.classList.toggle('form-result-error', error);
  };
  const boxes = new Map<Choice, HTMLInputElement>();
  const rows = CHOICES.map((c) => {
    const box = el('input', { id: `alert-${c.key}`, type: 'checkbox', name: c.key, disabled: true });
    boxes.set(c.key, box);
    box.addEventListener('change', () => {
      const wanted = box.checked;
      api.setAlerts({ [c.key]: wanted }).then(
        (a) => {
          show(a);
          onChanged();
          say(`Saved: ${c.label.toLowerCase()} ${wanted ? 'on' : 'off'}.`);
          if (c.key === 'desktop' && wanted) void askPermission();
        },
        (err: Error) => {
          box.checked = !wanted;
          say(err.message, true);
        },
      );
    });
    return el(
      'div',
      { class: 'check' },
      box,
      el('label', { for: box.id, text: c.label }),
      c.help ? el('span', { class: 'form-help', text: ` ${c.help}` }) : null,
    );
  });

  const permission = el('p', { class: 'form-help', 'data-permission': '' });
  const allow = el('button', { type: 'button', class: 'button', text: 'Allow notifications in this browser', hidden: true });
  const showPermission = () => {
    const state = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    permission.dataset.permission = state;
    allow.hidden = state !== 'default';
    permission.textContent =
      state === 'granted'
        ? 'This browser shows notifications from Inbox Chat.'
        : state === 'denied'
          ? 'This browser blocks notifications from this site: allow them in its site settings to see them.'
          : state === 'unsupported'
            ? 'This browser cannot show desktop notifications; the other alerts still work.'
            : 'This browser has not been asked yet.';
  };
  const askPermission = async () => {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') await Notification.requestPermission();
    showPermission();
  };
  allow.addEventListener('click', () => void askPermission());

  const chats = el('ul', { class: 'alert-chats', 'aria-label': 'Alerts per chat' });
  const show = (a: AlertsView) => {
    for (const [key, box] of boxes) {
      box.checked = a[key];
      box.disabled = false;
    }
  };

  Promise.all([api.alerts(), api.listChats()]).then(
    ([a, list]) => {
      show(a);
      showChats(api, chats, list, a, say, onChanged);
    },
    (err: Error) => say(err.message, true),
  );
  showPermission();

  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'alerts-title', id: 'alerts' },
    el('h2', { id: 'alerts-title', text: 'Alerts' }),
    el('p', {
      class: 'form-help',
      text: 'When a message arrives in a chat you are not looking at, on every device you sign in on. Do not disturb silences all of them.',
    }),
    el('fieldset', { class: 'fieldset' }, el('legend', { text: 'Tell me with' }), ...rows),
    permission,
    allow,
    el('h3', { text: 'Per chat' }),
    chats,
    result,
  );
}

function showChats(
  api: ApiClient,
  list: HTMLUListElement,
  summaries: ChatSummary[],
  a: AlertsView,
  say: (text: string, error?: boolean) => void,
  onChanged: () => void,
): void {
  const settings = new Map(a.chats.map((c) => [c.chatId, c]));
  // Only chats I joined can be muted: the setting belongs to the membership.
  const joined = summaries.filter((c) => !c.isNew);
  if (joined.length === 0) {
    list.replaceChildren(el('li', { class: 'muted', text: 'Chats you have joined are listed here.' }));
    return;
  }
  list.replaceChildren(
    ...joined.map((c, i) => {
      const name = c.subject || '(no subject)';
      const s = settings.get(c.id);
      const mute = el('input', { id: `alert-mute-${i}`, type: 'checkbox', name: 'muted', checked: s?.muted ?? false });
      const sound = el('input', { id: `alert-sound-${i}`, type: 'checkbox', name: 'sound', checked: s?.sound ?? true });
      const save = (box: HTMLInputElement, field: 'muted' | 'sound') => {
        const wanted = box.checked;
        api.setChatAlerts(c.id, { [field]: wanted }).then(
          (r) => {
            mute.checked = r.muted;
            sound.checked = r.sound;
            onChanged();
            say(field === 'muted' ? `${name}: ${wanted ? 'muted' : 'alerts on'}.` : `${name}: sound ${wanted ? 'on' : 'off'}.`);
          },
          (err: Error) => {
            box.checked = !wanted;
            say(err.message, true);
          },
        );
      };
      mute.addEventListener('change', () => save(mute, 'muted'));
      sound.addEventListener('change', () => save(sound, 'sound'));
      return el(
        'li',
        { class: 'alert-chat', 'data-chat-id': c.id },
        el('span', { class: 'alert-chat-name', text: name }),
        el('span', { class: 'check' }, mute, el('label', { for: mute.id, text: 'Mute' })),
        el('span', { class: 'check' }, sound, el('label', { for: sound.id, text: 'Sound' })),
      );
    }),
  );
}
