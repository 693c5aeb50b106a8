/**
 * The reading languages a person can pick (message translation), and their names, written in the
 * interface's language.
 */
import { uiLanguage } from './i18n/index.ts';

/** The languages the product promises first, then other common ones. */
export const READING_LANGUAGES = [
  'en',
  'fr',
  'de',
  'es',
  'sw',
  'ar',
  'ja',
  'zh',
  'ko',
  'hi',
  'pt',
  'it',
  'nl',
  'ru',
  'ca',
  'pl',
  'tr',
  'uk',
];

const names = new Map<string, Intl.DisplayNames>();

export function languageName(code: string): string {
  const lang = uiLanguage();
  let display = names.get(lang);
  if (!display) names.set(lang, (display = new Intl.DisplayNames([lang], { type: 'language', fallback: 'code' })));
  return display.of(code) ?? code;
}
