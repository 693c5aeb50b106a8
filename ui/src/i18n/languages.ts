/** The ten interface languages (zh is Simplified Chinese). */
export const UI_LANGUAGES = ['en', 'fr', 'de', 'es', 'sw', 'ar', 'ja', 'zh', 'ko', 'hi'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

/**
 * The first supported language among the candidates (BCP 47 tags, best first), else English.
 * One rule for every reader of our words: the interface and the server's emails alike.
 */
export function pickUiLanguage(candidates: readonly (string | null | undefined)[]): UiLanguage {
  for (const tag of candidates) {
    const base = tag?.split(/[-_]/)[0]?.toLowerCase();
    const hit = UI_LANGUAGES.find((l) => l === base);
    if (hit) return hit;
  }
  return 'en';
}
