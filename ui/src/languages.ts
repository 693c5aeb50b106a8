/**
 * The reading languages a person can pick (message translation), and their names. The panel's
 * own strings are English, so the names are too.
 */
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

const names = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

export function languageName(code: string): string {
  return names.of(code) ?? code;
}
