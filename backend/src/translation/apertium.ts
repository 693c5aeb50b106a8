import { z } from 'zod';
import { ProviderError, requestJson, type TranslationProvider } from './providers.ts';

// APy's answer to GET /translate (the same envelope as its other endpoints).
const answer = z.object({
  responseStatus: z.number(),
  responseData: z.object({ translatedText: z.string() }).nullable(),
  responseDetails: z.unknown().optional(),
});

/**
 * Apertium's APy HTTP server: GET /translate?langpair=en|es&q=… . APy accepts ISO 639-1 codes
 * and maps them to its pairs' three-letter names. `markUnknown=no` keeps words the pair does not
 * know as they are, instead of prefixing them with `*`.
 */
export function apertiumProvider(baseUrl: string): TranslationProvider {
  const base = `${baseUrl.replace(/\/+$/, '')}/translate`;
  return {
    name: 'apertium',
    async translate(text, from, to, signal) {
      const url = `${base}?${new URLSearchParams({ langpair: `${from}|${to}`, q: text, markUnknown: 'no' }).toString()}`;
      const json = await requestJson(url, { method: 'GET', signal }, 'Apertium APy');
      const parsed = answer.safeParse(json);
      if (!parsed.success || parsed.data.responseStatus !== 200 || !parsed.data.responseData) {
        throw new ProviderError('Apertium APy: unexpected answer', false);
      }
      return parsed.data.responseData.translatedText;
    },
  };
}
