/**
 * The background page's words (notifications, the "Chats" space, errors it answers views with,
 * saved transcripts), from the extension's _locales in Thunderbird's language. The background
 * loads no interface catalogue (ui/src/i18n): Thunderbird itself picks the locale here. English
 * is bundled as the fallback for a name a locale lacks and for runs outside Thunderbird.
 */
import en from '../../static/_locales/en/messages.json' with { type: 'json' };
import type { Messenger } from '../messenger.ts';

export type WordName = keyof typeof en;

declare const messenger: Messenger | undefined;

/** A message with its `$1`, `$2` … filled in (the direct substitutions WebExtension messages allow). */
export function word(name: WordName, ...substitutions: string[]): string {
  const own = typeof messenger === 'undefined' ? undefined : messenger.i18n?.getMessage?.(name, substitutions);
  if (own) return own;
  return en[name].message.replace(/\$(\d)/g, (whole, n: string) => substitutions[Number(n) - 1] ?? whole);
}

/** Thunderbird's language, for dates written next to these words. */
export function wordsLanguage(): string | undefined {
  return typeof messenger === 'undefined' ? undefined : messenger.i18n?.getUILanguage();
}
