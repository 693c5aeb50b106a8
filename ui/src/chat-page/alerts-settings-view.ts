/**
 * The "Alerts" card of the settings: how I am told of messages in chats I am not looking at,
 * for every device I sign in on (kept on the server), and per chat mute and sound. Each box
 * saves as it changes and says so in a polite live line; a failed save puts the box back.
 */
import type { AlertSettingsBody, AlertsView, ChatSummary } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { say as sayMessage, sayAsIs, t, tx, type MessageKey, type Values } from '../i18n/index.ts';

type Choice = keyof AlertSettingsBody;

/** `name`: the choice inside "Saved: … on." (a noun phrase, lower case where the language has case). */
const CHOICES: { key: Choice; label: MessageKey; name: MessageKey; help?: MessageKey }[] = [
  { key: 'desktop', label: 'alerts.desktop', name: 'alerts.nameDesktop', help: 'alerts.desktopHelp' },
  { key: 'sound', label: 'alerts.sound', name: 'alerts.nameSound' },
  { key: 'vibrate', label: 'alerts.vibrate', name: 'alerts.nameVibrate', help: 'alerts.vibrateHelp' },
  { key: 'speak', label: 'alerts.speak', name: 'alerts.nameSpeak', help: 'alerts.speakHelp' },
];

/** The status line: a message of ours, or a server's error as it came. */
type Report = (text: MessageKey | Error, values?: Values) => void;

export function alertsSettingsCard(api: ApiClient, onChanged: () => void = () => {}): HTMLElement {
  const result = el('p', { class: 'form-result', role: 'status', 'aria-live': 'polite' });
  const say: Report = (text, values) => {
    if (text instanceof Error) sayAsIs(result, text.message);
    else sayMessage(result, text, values);
    result.classList.toggle('form-result-error', text instanceof Error);
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
          say(wanted ? 'alerts.savedOn' : 'alerts.savedOff', { setting: t(c.name) });
          if (c.key === 'desktop' && wanted) void askPermission();
        },
        (err: Error) => {
          box.checked = !wanted;
          say(err);
        },
      );
    });
    return el(
      'div',
      { class: 'check' },
      box,
      el('label', { for: box.id, ...tx(c.label) }),
      c.help ? ' ' : null,
      c.help ? el('span', { class: 'form-help', ...tx(c.help) }) : null,
    );
  });

  const permission = el('p', { class: 'form-help', 'data-permission': '' });
  const allow = el('button', { type: 'button', class: 'button', ...tx('alerts.allow'), hidden: true });
  const showPermission = () => {
    const state = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    permission.dataset.permission = state;
    allow.hidden = state !== 'default';
    sayMessage(
      permission,
      state === 'granted'
        ? 'alerts.permissionGranted'
        : state === 'denied'
          ? 'alerts.permissionDenied'
          : state === 'unsupported'
            ? 'alerts.permissionUnsupported'
            : 'alerts.permissionNotAsked',
    );
  };
  const askPermission = async () => {
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') await Notification.requestPermission();
    showPermission();
  };
  allow.addEventListener('click', () => void askPermission());

  const chats = el('ul', { class: 'alert-chats', ...tx({ 'aria-label': 'alerts.perChatLabel' }) });
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
    (err: Error) => say(err),
  );
  showPermission();

  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'alerts-title', id: 'alerts' },
    el('h2', { id: 'alerts-title', ...tx('alerts.title') }),
    el('p', { class: 'form-help', ...tx('alerts.help') }),
    el('fieldset', { class: 'fieldset' }, el('legend', tx('alerts.tellMe')), ...rows),
    permission,
    allow,
    el('h3', tx('alerts.perChat')),
    chats,
    result,
  );
}

function showChats(
  api: ApiClient,
  list: HTMLUListElement,
  summaries: ChatSummary[],
  a: AlertsView,
  say: Report,
  onChanged: () => void,
): void {
  const settings = new Map(a.chats.map((c) => [c.chatId, c]));
  // Only chats I joined can be muted: the setting belongs to the membership.
  const joined = summaries.filter((c) => !c.isNew);
  if (joined.length === 0) {
    list.replaceChildren(el('li', { class: 'muted', ...tx('alerts.noChats') }));
    return;
  }
  list.replaceChildren(
    ...joined.map((c, i) => {
      const name = c.subject || t('alerts.noSubject');
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
            const key =
              field === 'muted'
                ? wanted
                  ? 'alerts.chatMuted'
                  : 'alerts.chatAlertsOn'
                : wanted
                  ? 'alerts.chatSoundOn'
                  : 'alerts.chatSoundOff';
            say(key, { chat: name });
          },
          (err: Error) => {
            box.checked = !wanted;
            say(err);
          },
        );
      };
      mute.addEventListener('change', () => save(mute, 'muted'));
      sound.addEventListener('change', () => save(sound, 'sound'));
      return el(
        'li',
        { class: 'alert-chat', 'data-chat-id': c.id },
        c.subject
          ? el('span', { class: 'alert-chat-name', text: name })
          : el('span', { class: 'alert-chat-name', ...tx('alerts.noSubject') }),
        el('span', { class: 'check' }, mute, el('label', { for: mute.id, ...tx('alerts.mute') })),
        el('span', { class: 'check' }, sound, el('label', { for: sound.id, ...tx('alerts.sound') })),
      );
    }),
  );
}
