/**
 * The alerts a browser page can raise (web page, Outlook panes): a desktop notification that
 * opens the chat when clicked, a short tone made with WebAudio (no audio file to ship), a
 * vibration where the device has one, the sender and first words read aloud with a voice of
 * their own, and an in-page notice in a polite live region for screen readers.
 */
import type { AlertsView } from '../../../protocol/index.ts';
import { el } from '../dom.ts';
import { t, tx } from '../i18n/index.ts';
import { alertSender, firstWords, type Alert } from './alert-policy.ts';
import { uiAlertWords } from './alert-words.ts';
import type { AlertSink } from './alert-watch.ts';
import { pageAttention } from './attention.ts';
import { speakAlert } from './speech.ts';
import { Tone } from './tone.ts';
import './alerts.css';

export interface BrowserAlertOptions {
  /** Where the in-page notices go (they form one live region). */
  host: HTMLElement;
  openChat: (chatId: string) => void;
  /** False in a pane whose host owns the title and icon (Outlook): then only the notices and sounds. */
  badge?: boolean;
}

/** A brand, the same in every language: the title of a notification about a chat without a subject. */
const PRODUCT_NAME = 'Inbox Chat';
const NOTICE_MS = 10_000;
const MAX_NOTICES = 3;

export function browserAlerts(opts: BrowserAlertOptions): AlertSink & { destroy(): void } {
  const attention = opts.badge === false ? null : pageAttention();
  const notices = el('div', {
    class: 'ic-alert-notices',
    role: 'status',
    'aria-live': 'polite',
    ...tx({ 'aria-label': 'alerts.notices' }),
  });
  opts.host.append(notices);
  const sound = new Tone();

  const notice = (a: Alert) => {
    // Buttons, not a link: in an Outlook pane the chat opens in place, not by navigating.
    const open = el('button', { type: 'button', class: 'ic-alert-open', ...tx('alerts.open') });
    const dismiss = el('button', { type: 'button', class: 'ic-alert-dismiss', ...tx({ 'aria-label': 'alerts.dismiss' }), text: '×' });
    const item = el(
      'div',
      { class: 'ic-alert-notice', 'data-chat-id': a.chatId },
      el('p', {
        class: 'ic-alert-text',
        text: t(a.subject ? 'alerts.notice' : 'alerts.noticeNoSubject', {
          sender: alertSender(a, uiAlertWords),
          chat: a.subject,
          words: firstWords(a.text),
        }),
      }),
      open,
      dismiss,
    );
    const remove = () => item.remove();
    open.addEventListener('click', () => {
      remove();
      opts.openChat(a.chatId);
    });
    dismiss.addEventListener('click', remove);
    setTimeout(remove, NOTICE_MS);
    notices.append(item);
    while (notices.childElementCount > MAX_NOTICES) notices.firstElementChild?.remove();
  };

  const notify = (a: Alert) => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(`${alertSender(a, uiAlertWords)} · ${a.subject || PRODUCT_NAME}`, {
        body: firstWords(a.text, 30),
        tag: a.chatId,
      });
      n.addEventListener('click', () => {
        window.focus();
        n.close();
        opts.openChat(a.chatId);
      });
    } catch {
      // Some browsers allow notifications only from a service worker (Chrome on Android): the notice and sound remain.
    }
  };

  return {
    alert(a: Alert, settings: AlertsView) {
      notice(a);
      if (settings.desktop) notify(a);
      if (a.sound) sound.play();
      if (settings.vibrate && typeof navigator.vibrate === 'function') navigator.vibrate([120, 80, 120]);
      if (settings.speak) speakAlert(a, uiAlertWords);
    },
    unread(n: number) {
      attention?.unread(n);
    },
    destroy() {
      attention?.destroy();
      sound.destroy();
      notices.remove();
    },
  };
}
