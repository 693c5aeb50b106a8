/** The configured translation service, by name. */
import { apertiumProvider } from './apertium.ts';
import { deeplProvider } from './deepl.ts';
import { libreTranslateProvider } from './libretranslate.ts';
import type { ProviderConfig, TranslationProvider } from './providers.ts';

export function createProvider(c: ProviderConfig): TranslationProvider {
  switch (c.provider) {
    case 'libretranslate':
      return libreTranslateProvider(c.url!, c.apiKey);
    case 'apertium':
      return apertiumProvider(c.url!);
    case 'deepl':
      return deeplProvider(c.apiKey!, c.url);
  }
}
