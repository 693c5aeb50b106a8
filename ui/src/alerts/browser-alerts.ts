/**
 * The alerts a browser page can raise (web page, Outlook panes): a desktop notification that
 * opens the chat when clicked, a short tone made with WebAudio (no audio file to ship), a
 * vibration where the device has one, the sender and first words read aloud with a voice of
 * their own, and an in-page notice in a polite live region for screen readers.
 */
import type { AlertsView } from '../../../protocol/index.ts';
import { el } from '../dom.ts';
import { firstWords, voiceFor, type Alert } from './alert-policy.ts';
import type { AlertSink } from './alert-watch.ts';
import { pageAttention } from './attention.ts';
import './alerts.css';

export interface BrowserAlertOptions {
  /** Where the in-page notices go (they form one live region). */
  host: HTMLElement;
  openChat: (chatId: string) => void;
  /** False in a pane whose host owns the title and icon (Outlook): then only the notices and sounds. */
  badge?: boolean;
}

const NOTICE_MS = 10_000;
const MAX_NOTICES = 3;

/**
 * Two short notes. Browsers start audio only after the person has used the page, so the
 * context is made, or woken, on their first click or key press and reused after that.
 */
class Tone {
  private ctx: AudioContext | null = null;
  private readonly wake = () => {
    this.context()
      ?.resume()
      .catch(() => {});
  };
  constructor() {
    addEventListener('pointerdown', this.wake, { capture: true });
    addEventListener('keydown', this.wake, { capture: true });
  }
  private context(): AudioContext | null {
    if (!this.ctx && typeof AudioContext !== 'undefined') this.ctx = new AudioContext();
    return this.ctx;
  }
  play(): void {
    const c = this.context();
    if (!c) return;
    if (c.state === 'suspended') c.resume().catch(() => {});
    const t = c.currentTime;
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(660, t + 0.1);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
    osc.connect(gain).connect(c.destination);
    osc.start(t);
    osc.stop(t + 0.26);
  }
  destroy(): void {
    removeEventListener('pointerdown', this.wake, { capture: true });
    removeEventListener('keydown', this.wake, { capture: true });
    void this.ctx?.close().catch(() => {});
  }
}

export function browserAlerts(opts: BrowserAlertOptions): AlertSink & { destroy(): void } {
  const attention = opts.badge === false ? null : pageAttention();
  const notices = el('div', { class: 'ic-alert-notices', role: 'status', 'aria-live': 'polite', 'aria-label': 'New messages' });
  opts.host.append(notices);
  const sound = new Tone();

  const notice = (a: Alert) => {
    const open = el('a', { href: '#', class: 'ic-alert-open', text: 'Open' });
    open.addEventListener('click', (e) => {
      e.preventDefault();
      opts.openChat(a.chatId);
    });
    const dismiss = el('button', { type: 'button', class: 'ic-alert-dismiss', 'aria-label': 'Dismiss', text: '×' });
    const item = el(
      'div',
      { class: 'ic-alert-notice', 'data-chat-id': a.chatId },
      el('p', { class: 'ic-alert-text', text: `${a.sender} in ${a.subject || 'a chat'}: ${firstWords(a.text)}` }),
      open,
      dismiss,
    );
    const remove = () => item.remove();
    dismiss.addEventListener('click', remove);
    setTimeout(remove, NOTICE_MS);
    notices.append(item);
    while (notices.childElementCount > MAX_NOTICES) notices.firstElementChild?.remove();
  };

  const notify = (a: Alert) => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(`${a.sender} · ${a.subject || 'Inbox Chat'}`, { body: firstWords(a.text, 30), tag: a.chatId });
      n.addEventListener('click', () => {
        window.focus();
        n.close();
        opts.openChat(a.chatId);
      });
    } catch {
      // Some browsers allow notifications only from a service worker (Chrome on Android): the notice and sound remain.
    }
  };

  const speak = (a: Alert) => {
    if (typeof speechSynthesis === 'undefined') return;
    const u = new SpeechSynthesisUtterance(`${a.sender.replace(/@.*/, '')}: ${firstWords(a.text)}`);
    const voices = speechSynthesis.getVoices();
    const v = voiceFor(a.senderKey, voices.length);
    u.pitch = v.pitch;
    if (v.voice >= 0) u.voice = voices[v.voice] ?? null;
    speechSynthesis.speak(u);
  };

  return {
    alert(a: Alert, settings: AlertsView) {
      notice(a);
      if (settings.desktop) notify(a);
      if (a.sound) sound.play();
      if (settings.vibrate && typeof navigator.vibrate === 'function') navigator.vibrate([120, 80, 120]);
      if (settings.speak) speak(a);
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
