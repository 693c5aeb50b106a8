import { z } from 'zod';
import { ProviderError, requestJson, type TranslationProvider } from './providers.ts';

// DeepL's documented answer to POST /v2/translate.
const answer = z.object({ translations: z.array(z.object({ text: z.string(), detected_source_language: z.string().optional() })).min(1) });

/** DeepL wants a regional variant for these targets (plain EN and PT are deprecated). */
const TARGET_VARIANT: Record<string, string> = { en: 'EN-US', pt: 'PT-PT' };

/**
 * DeepL's API by key: POST /v2/translate, JSON body, `Authorization: DeepL-Auth-Key <key>`.
 * Free-plan keys end in `:fx` and use api-free.deepl.com; `baseUrl` overrides (a proxy, or tests).
 */
export function deeplProvider(apiKey: string, baseUrl?: string): TranslationProvider {
  const base = (baseUrl ?? (apiKey.endsWith(':fx') ? 'https://api-free.deepl.com' : 'https://api.deepl.com')).replace(/\/+$/, '');
  return {
    name: 'deepl',
    async translate(text, from, to, signal) {
      const body = { text: [text], source_lang: from.toUpperCase(), target_lang: TARGET_VARIANT[to] ?? to.toUpperCase() };
      const json = await requestJson(
        `${base}/v2/translate`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `DeepL-Auth-Key ${apiKey}` },
          body: JSON.stringify(body),
          signal,
        },
        'DeepL',
      );
      const parsed = answer.safeParse(json);
      if (!parsed.success) throw new ProviderError('DeepL: unexpected answer', false);
      return parsed.data.translations[0]!.text;
    },
  };
}
