/**
 * The one interface every machine-translation service is used through (the choice of one from
 * configuration is in create-provider.ts). Each provider speaks its service's documented HTTP
 * protocol with fetch; none keeps state, so a call may be repeated safely (translating is idempotent).
 */

export type ProviderName = 'libretranslate' | 'apertium' | 'deepl';

export interface TranslationProvider {
  readonly name: ProviderName;
  /** `from` and `to` are ISO 639 codes (`en`, `es`). Rejects with ProviderError. */
  translate(text: string, from: string, to: string, signal: AbortSignal): Promise<string>;
}

/** A failed call; `retryable` when trying again later may succeed (timeouts, 429, 5xx, network). */
export class ProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

export interface ProviderConfig {
  provider: ProviderName;
  /** Base URL of the service (LibreTranslate, APy); for DeepL, optional (picked by the key's kind). */
  url?: string;
  apiKey?: string;
}

/**
 * One JSON request: network failures and 408/429/5xx are retryable, other statuses are not
 * (a bad key or an unsupported language pair will not get better by asking again).
 */
export async function requestJson(url: string, init: RequestInit, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    // Network failures and the call's own deadline (AbortSignal.timeout) may pass next time.
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new ProviderError(`${what}: ${timedOut ? 'timed out' : err instanceof Error ? err.message : String(err)}`, true);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) {
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new ProviderError(`${what}: HTTP ${res.status} ${text.slice(0, 200)}`, retryable);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ProviderError(`${what}: the answer is not JSON`, false);
  }
}
