/**
 * A ringing call raises the messenger's alerts, by the person's alert settings as a message
 * does: nothing under do-not-disturb or in a muted chat; a system notification while the tab
 * is in the background (when desktop notifications are on), which opens the chat in place when
 * clicked; and the ring tone for a call in a chat not on screen (the chat panel rings for its
 * own chat), unless sounds are off for the person or that chat. The settings are read at each
 * ring, so a change on another device holds at once.
 */
import type { AlertsView, CallRing } from '../../../protocol/index.ts';
import { t } from '../i18n/index.ts';
import { ringAlert } from '../alerts/alert-policy.ts';
import { ringText } from '../chat-panel/call-ring-text.ts';
import { RingTone } from '../chat-panel/ring-tone.ts';
import type { ChatTransport } from '../transport.ts';

interface Ringing {
  chatId: string;
  tone: RingTone | null;
  notification: Notification | null;
  timer: ReturnType<typeof setTimeout>;
  /** Looks whether the chat came on screen (its panel then offers Join call). */
  watch: ReturnType<typeof setInterval> | undefined;
}

export function ringAlerts(opts: {
  api: { alerts(): Promise<AlertsView> };
  transport: Pick<ChatTransport, 'on'>;
  openChatId: () => string | null;
  openChat: (chatId: string) => void;
}): () => void {
  const ringing = new Map<string, Ringing>();
  /** Rings whose settings are being read: false once their call ended meanwhile. */
  const pending = new Map<string, boolean>();

  const stop = (callId: string) => {
    if (pending.has(callId)) pending.set(callId, false);
    const r = ringing.get(callId);
    if (!r) return;
    ringing.delete(callId);
    clearTimeout(r.timer);
    clearInterval(r.watch);
    r.tone?.stop();
    r.notification?.close();
  };

  const notify = (ring: CallRing): Notification | null => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return null;
    try {
      // One notification per call, replaced rather than stacked if the ring comes again.
      const n = new Notification(t(...ringText(ring)), { tag: `call-${ring.call.id}`, requireInteraction: true });
      n.addEventListener('click', () => {
        window.focus();
        stop(ring.call.id);
        opts.openChat(ring.call.chatId);
      });
      return n;
    } catch {
      // Some browsers allow notifications only from a service worker: the tone and the in-page alert remain.
      return null;
    }
  };

  const ring = async (r: CallRing) => {
    const callId = r.call.id;
    if (ringing.has(callId) || pending.has(callId)) return;
    pending.set(callId, true);
    const settings = await opts.api.alerts().catch(() => null);
    const stillRinging = pending.get(callId);
    pending.delete(callId);
    if (!settings || !stillRinging) return;
    const how = ringAlert(settings, r.call.chatId);
    if (!how.alert) return;
    const left = new Date(r.call.ringUntil).getTime() - Date.now();
    if (left <= 0) return;
    const hidden = document.visibilityState !== 'visible';
    const elsewhere = r.call.chatId !== opts.openChatId();
    const tone = elsewhere && how.tone ? new RingTone() : null;
    tone?.start();
    const notification = hidden && settings.desktop ? notify(r) : null;
    if (!tone && !notification) return;
    const watch = tone
      ? setInterval(() => {
          if (opts.openChatId() === r.call.chatId) stop(callId);
        }, 500)
      : undefined;
    ringing.set(callId, { chatId: r.call.chatId, tone, notification, timer: setTimeout(() => stop(callId), left), watch });
  };

  const offs = [
    opts.transport.on('call:ring', (r) => void ring(r)),
    opts.transport.on('call:updated', (c) => {
      if (c.state === 'ended') stop(c.id);
    }),
  ];
  const back = () => {
    // Back on the page: the in-page prompt takes over from the system notification.
    if (document.visibilityState !== 'visible') return;
    for (const r of ringing.values()) {
      r.notification?.close();
      r.notification = null;
    }
  };
  document.addEventListener('visibilitychange', back);
  return () => {
    for (const off of offs) off();
    document.removeEventListener('visibilitychange', back);
    for (const id of [...ringing.keys()]) stop(id);
  };
}
