import { z } from 'zod';
import { ProviderError, requestJson, type TranslationProvider } from './providers.ts';

// LibreTranslate's documented answer to POST /translate.
const answer = z.object({ translatedText: z.string() });

/** A LibreTranslate server (self-hosted or libretranslate.com): POST /translate with a JSON body. */
export function libreTranslateProvider(baseUrl: string, apiKey?: string): TranslationProvider {
  const url = `${baseUrl.replace(/\/+$/, '')}/translate`;
  return {
    name: 'libretranslate',
    async translate(text, from, to, signal) {
      const body = { q: text, source: from, target: to, format: 'text', ...(apiKey ? { api_key: apiKey } : {}) };
      const json = await requestJson(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal },
        'LibreTranslate',
      );
      const parsed = answer.safeParse(json);
      if (!parsed.success) throw new ProviderError('LibreTranslate: unexpected answer', false);
      return parsed.data.translatedText;
    },
  };
}
