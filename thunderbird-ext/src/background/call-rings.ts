/**
 * A call ringing for me while Thunderbird is open: Thunderbird's message pane cannot use camera
 * and microphone, so the call itself is taken on the web page, but the ring is a Thunderbird
 * notification like a message's (by the same alert rule: silent under do-not-disturb and in a
 * muted chat). Clicking it shows the chat, whose panel links to the call on the web page.
 */
import type { AlertsView, CallRing } from '../../../protocol/index.ts';
import { ringAlert } from '../../../ui/src/alerts/alert-policy.ts';
import type { ChatTransport } from '../../../ui/src/transport.ts';
import { UUID_PATTERN } from '../../../protocol/patterns.ts';
import { word } from './words.ts';

/** Notification ids of rings: the chat they open, then the call. */
export const RING_NOTIFICATION_ID = new RegExp(`^inbox-chat-call:(${UUID_PATTERN}):`);

export interface CallRingDeps {
  transport: () => Pick<ChatTransport, 'on'>;
  alertSettings: () => Promise<AlertsView> | null;
  notify: (id: string, title: string, message: string) => void;
  clear: (id: string) => void;
  tone: () => void;
}

export class CallRings {
  private offs: (() => void)[] = [];
  /** The notification shown for each ringing call. */
  private readonly shown = new Map<string, string>();

  constructor(private readonly deps: CallRingDeps) {}

  /** (Re)subscribes to the current transport. */
  attach(): void {
    for (const off of this.offs) off();
    const t = this.deps.transport();
    this.offs = [
      t.on('call:ring', (r) => void this.ring(r)),
      t.on('call:updated', (c) => {
        // Over (answered calls still ring the others until their time is up, as in the panel).
        if (c.state === 'ended') this.drop(c.id);
      }),
    ];
  }

  private async ring(r: CallRing): Promise<void> {
    const settings = await this.deps.alertSettings()?.catch(() => null);
    if (!settings || !settings.desktop) return;
    const how = ringAlert(settings, r.call.chatId);
    if (!how.alert) return;
    const id = `inbox-chat-call:${r.call.chatId}:${r.call.id}`;
    const subject = r.subject || word('transcriptNoSubject');
    this.deps.notify(
      id,
      word(r.call.media === 'video' ? 'callRingingVideo' : 'callRinging', r.callerAddress, subject),
      word('callRingOpen'),
    );
    this.shown.set(r.call.id, id);
    if (how.tone) this.deps.tone();
    const left = new Date(r.call.ringUntil).getTime() - Date.now();
    setTimeout(() => this.drop(r.call.id), Math.max(0, left));
  }

  private drop(callId: string): void {
    const id = this.shown.get(callId);
    if (!id) return;
    this.shown.delete(callId);
    this.deps.clear(id);
  }
}
