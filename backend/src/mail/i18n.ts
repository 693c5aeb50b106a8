/**
 * The words of every email the server sends, in the recipient's language. The same mechanism as
 * the interface (ui/src/i18n): flat ICU MessageFormat catalogues, one per language, English the
 * reference, formatted by intl-messageformat (plurals, dates and numbers through Intl). The email
 * catalogues are their own set (messages/<lang>.json here) so no browser bundle carries them.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import en from './messages/en.json' with { type: 'json' };
import fr from './messages/fr.json' with { type: 'json' };
import de from './messages/de.json' with { type: 'json' };
import es from './messages/es.json' with { type: 'json' };
import sw from './messages/sw.json' with { type: 'json' };
import ar from './messages/ar.json' with { type: 'json' };
import ja from './messages/ja.json' with { type: 'json' };
import zh from './messages/zh.json' with { type: 'json' };
import ko from './messages/ko.json' with { type: 'json' };
import hi from './messages/hi.json' with { type: 'json' };
import { pickUiLanguage, UI_LANGUAGES, type UiLanguage } from '../../../ui/src/i18n/languages.ts';
import { escapeHtml } from './html.ts';

export type EmailKey = keyof typeof en;
/** Typed as English's, so a key missing in any language fails the typecheck. */
export type EmailCatalogue = Record<EmailKey, string>;
export type EmailValues = Record<string, string | number | Date>;

export { UI_LANGUAGES as EMAIL_LANGUAGES, type UiLanguage as EmailLanguage };

export const EMAIL_CATALOGUES: Record<UiLanguage, EmailCatalogue> = { en, fr, de, es, sw, ar, ja, zh, ko, hi };

/**
 * The language an email is written in: the first supported of what is known about the
 * recipient, best first (their identity's language, the chat's reading language they chose, the
 * Accept-Language of the request that asked for a sign-in code), else English.
 */
export function recipientLanguage(candidates: readonly (string | null | undefined)[]): UiLanguage {
  return pickUiLanguage(candidates);
}

/** Emails carry times in UTC, said so in the text: the server does not know the reader's zone. */
const UTC_FORMATS = {
  date: { medium: { timeZone: 'UTC' } },
  time: { short: { timeZone: 'UTC' } },
};

const formats = new Map<string, IntlMessageFormat>();

function formatOf(lang: UiLanguage, key: EmailKey): IntlMessageFormat {
  const id = `${lang}:${key}`;
  let format = formats.get(id);
  if (!format) {
    format = new IntlMessageFormat(EMAIL_CATALOGUES[lang][key], lang, UTC_FORMATS);
    formats.set(id, format);
  }
  return format;
}

/** One recipient's words: plain text for the text part and headers, escaped HTML for the HTML part. */
export interface EmailWords {
  readonly lang: UiLanguage;
  readonly dir: 'ltr' | 'rtl';
  /** A message as plain text (values inserted as given). */
  t(key: EmailKey, values?: EmailValues): string;
  /**
   * A message as HTML: every value escaped; a `<link>…</link>` in the message becomes a link to
   * `href` (the only markup a catalogue may hold).
   */
  html(key: EmailKey, values?: EmailValues, href?: string): string;
  /** "Ann, Bea and Cruz" in this language. */
  list(items: string[]): string;
  /** A language's name in this language ("inglés" for en, to a Spanish reader). */
  languageName(code: string): string;
  /** "3 min 2 s" in this language. */
  duration(seconds: number): string;
}

const RTL = new Set<UiLanguage>(['ar']);

export function emailWords(lang: UiLanguage): EmailWords {
  const names = new Intl.DisplayNames([lang], { type: 'language', fallback: 'code' });
  const lists = new Intl.ListFormat(lang, { type: 'conjunction' });
  const minutes = new Intl.NumberFormat(lang, { style: 'unit', unit: 'minute', unitDisplay: 'short' });
  const seconds = new Intl.NumberFormat(lang, { style: 'unit', unit: 'second', unitDisplay: 'short' });
  const text = (key: EmailKey, values?: EmailValues) => String(formatOf(lang, key).format(values));
  return {
    lang,
    dir: RTL.has(lang) ? 'rtl' : 'ltr',
    t: text,
    html(key, values, href) {
      const escaped: Record<string, string | number | Date | ((chunks: string[]) => string)> = {};
      for (const [name, value] of Object.entries(values ?? {})) escaped[name] = typeof value === 'string' ? escapeHtml(value) : value;
      if (href !== undefined) escaped.link = (chunks) => `<a href="${escapeHtml(href)}">${chunks.join('')}</a>`;
      const out = formatOf(lang, key).format<string>(escaped);
      return Array.isArray(out) ? out.join('') : String(out);
    },
    list: (items) => lists.format(items),
    languageName: (code) => names.of(code) ?? code,
    duration(total) {
      const m = Math.floor(total / 60);
      const s = total % 60;
      return m > 0 ? `${minutes.format(m)} ${seconds.format(s)}` : seconds.format(s);
    },
  };
}
