/**
 * Which new messages deserve an alert, and how many unread to badge: the one place these
 * rules live, pure, shared by the web page, the Outlook panes and Thunderbird's background.
 * Input is what the server already filtered for this person (their "My chats" summaries and
 * their alert settings), so nothing here can reveal a chat or a message they may not see.
 */
import type { AlertsView, ChatSummary } from '../../../protocol/index.ts';
import { isSaid } from '../../../protocol/kinds.ts';

export interface Alert {
  chatId: string;
  /** The message's seq (alerts about the same message share it). */
  seq: number;
  subject: string;
  /** The sender as this person sees them (their address in that chat); empty when unknown. */
  sender: string;
  /** The sender's per-chat handle: a stable key for a distinct voice, never shown. */
  senderKey: string;
  text: string;
  /** Play the sound for this one (the person's and the chat's sound setting). */
  sound: boolean;
  /** The message @mentions this person: it alerts even in a muted chat, with its sound. */
  mention: boolean;
}

/**
 * The words an alert is said with, in the surface's own language: the page and the panes read
 * the interface catalogue (ui/src/alerts/alert-words.ts), Thunderbird's background its _locales.
 */
export interface AlertWords {
  /** A sender the server could not name. */
  someone: string;
  mentionedYou(sender: string): string;
}

/** Who the alert is from, as every surface shows and speaks it ("ana@example.org mentioned you"). */
export function alertSender(a: Pick<Alert, 'sender' | 'mention'>, words: AlertWords): string {
  const sender = a.sender || words.someone;
  return a.mention ? words.mentionedYou(sender) : sender;
}

/** The last seq each chat had when the person was last told about it. */
export type Seen = ReadonlyMap<string, number>;

/**
 * Where each chat stands after a look. Never behind what was already seen or alerted: a chat's
 * lastSeq can trail its newest message for a moment (written in separate steps), and a
 * position going back would alert for the same message twice.
 */
export function seenOf(chats: readonly ChatSummary[], before: Seen = new Map()): Map<string, number> {
  return new Map(chats.map((c) => [c.id, Math.max(c.lastSeq, c.lastMessage?.seq ?? 0, before.get(c.id) ?? 0)]));
}

/**
 * The alerts for messages that arrived since `seen`: the newest one per chat (a burst in one
 * chat is one alert), from someone else, not deleted, in a chat the person is not looking at
 * and has not muted. Do-not-disturb silences everything. A chat new to the list counts from
 * its start.
 */
export function alertsFor(
  seen: Seen,
  chats: readonly ChatSummary[],
  settings: AlertsView,
  lookingAt: (chatId: string) => boolean,
): Alert[] {
  if (settings.dnd) return [];
  const perChat = new Map(settings.chats.map((c) => [c.chatId, c]));
  const alerts: Alert[] = [];
  for (const c of chats) {
    const m = c.lastMessage;
    // Read already (on another device): nothing to tell.
    if (!m || m.seq <= (seen.get(c.id) ?? 0) || m.deleted || !isSaid(m.kind) || c.unread === 0) continue;
    // A mention is the stronger alert: a muted chat still tells the person who was named in it.
    const mention = m.mentionsMe === true;
    if (m.authorId === c.me.identityId || (perChat.get(c.id)?.muted && !mention) || lookingAt(c.id)) continue;
    alerts.push({
      chatId: c.id,
      seq: m.seq,
      subject: c.subject,
      sender: m.authorAddress ?? '',
      senderKey: m.authorId ?? m.authorAddress ?? '',
      text: m.body,
      sound: settings.sound && (mention || perChat.get(c.id)?.sound !== false),
      mention,
    });
  }
  return alerts;
}

/**
 * How a ringing call alerts this person, as a message would: not at all under do-not-disturb or
 * in a muted chat (the in-page prompt still shows: one can still be called there); with the ring
 * tone unless sounds are off for them or for that chat.
 */
export function ringAlert(settings: AlertsView, chatId: string): { alert: boolean; tone: boolean } {
  const chat = settings.chats.find((c) => c.chatId === chatId);
  const alert = !settings.dnd && !chat?.muted;
  return { alert, tone: alert && settings.sound && chat?.sound !== false };
}

/** Unread messages to show in the title and badges: none under do-not-disturb, none from muted or ended chats. */
export function unreadToBadge(chats: readonly ChatSummary[], settings: AlertsView | null): number {
  if (settings?.dnd) return 0;
  const muted = new Set(settings?.chats.filter((c) => c.muted).map((c) => c.chatId));
  return chats.reduce((n, c) => n + (muted.has(c.id) || c.endedAt ? 0 : c.unread), 0);
}

/** Settings under which every new message from someone else alerts: to know whether fresh settings are worth asking for. */
export const EVERY_ALERT: AlertsView = { desktop: true, sound: true, vibrate: true, speak: true, dnd: false, chats: [] };

/** The first words of a message for a notification or a spoken alert, whole words, one line. */
export function firstWords(text: string, maxWords = 12): string {
  const words = text.split(/\s+/).filter(Boolean);
  return words.length > maxWords ? `${words.slice(0, maxWords).join(' ')}…` : words.join(' ');
}

/** A pitch in [0.7, 1.4] and a voice index, the same for the same sender every time. */
export function voiceFor(senderKey: string, voices: number): { pitch: number; voice: number } {
  let h = 2166136261;
  for (let i = 0; i < senderKey.length; i++) h = Math.imul(h ^ senderKey.charCodeAt(i), 16777619) >>> 0;
  return { pitch: 0.7 + ((h % 8) / 7) * 0.7, voice: voices > 0 ? (h >>> 3) % voices : -1 };
}
