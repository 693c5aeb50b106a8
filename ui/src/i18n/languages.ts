/** The ten interface languages (zh is Simplified Chinese). */
export const UI_LANGUAGES = ['en', 'fr', 'de', 'es', 'sw', 'ar', 'ja', 'zh', 'ko', 'hi'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];
