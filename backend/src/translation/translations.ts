import { createHash } from 'node:crypto';
import type pg from 'pg';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RateLimit } from '../ops/rate-limits.ts';
import type { MessageView, TranslationView } from '../../../protocol/index.ts';
import { detectLanguage } from './detect.ts';
import { ProviderError, type TranslationProvider } from './providers.ts';
import { readersOf, type Reader } from './reading-language.ts';

/** A configured provider and how it is used; null where translation is off. */
export interface TranslationSetup {
  provider: TranslationProvider;
  opts: TranslationOptions;
  /** Provider calls per chat (TRANSLATIONS_PER_CHAT_PER_MINUTE). */
  perChat: RateLimit;
}

export interface TranslationOptions {
  /** One provider call's deadline. */
  timeoutMs: number;
  /** Calls per translation when the provider fails in a way that may pass (timeouts, 429, 5xx). */
  attempts: number;
  /** First pause between attempts; doubled each time, with jitter. */
  retryBaseMs: number;
}

/** Who hears of a finished translation: the realtime adapter delivers it to these members' sockets in the chat. */
export type TranslatedListener = (chatId: string, seq: number, translation: TranslationView, identityIds: string[]) => void;

/** A message as the translator needs it (inside the server: authorId is an identity id). */
export interface Translatable {
  chatId: string;
  seq: number;
  kind: MessageView['kind'];
  body: string;
  authorId: string | null;
  deleted?: boolean;
}

/** What was done, for metrics and the benchmark. */
export interface TranslationStats {
  /** Requests sent to the provider (each attempt counts). */
  providerCalls: number;
  /** Provider calls that produced a stored translation. */
  translated: number;
  /** Translations asked for and already stored (or being made) for that language. */
  cacheHits: number;
  /** Not translated: over the chat's budget, or the provider failed for good. */
  skipped: number;
}

/**
 * Message translation: one stored translation per (message, language), made once however many
 * members read that language, after the message is committed and delivered (never before), and
 * handed to the readers of that language as it lands. Without a provider everything here is a
 * no-op and `enabled` says so.
 */
export class Translations {
  private readonly inFlight = new Map<string, Promise<TranslationView | null>>();
  readonly stats: TranslationStats = { providerCalls: 0, translated: 0, cacheHits: 0, skipped: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly setup: TranslationSetup | null,
    private readonly log: Logger,
    private readonly onTranslated: TranslatedListener,
  ) {}

  get enabled(): boolean {
    return this.setup !== null;
  }

  /** Fresh archived messages: translated for every language their chat's members read. Never awaited by delivery. */
  messagesCommitted(messages: readonly Translatable[]): void {
    if (!this.setup) return;
    const byChat = new Map<string, Translatable[]>();
    for (const m of messages) if (translatable(m)) byChat.set(m.chatId, [...(byChat.get(m.chatId) ?? []), m]);
    for (const [chatId, list] of byChat) {
      void this.forChat(chatId, list).catch((err: unknown) => this.log.warn({ err, chatId }, 'translation failed'));
    }
  }

  private async forChat(chatId: string, messages: Translatable[]): Promise<void> {
    const readers = await readersOf(this.pool, chatId);
    for (const m of messages) {
      const source = sourceLanguage(m, readers);
      const targets = new Set(
        readers.filter((r) => r.identityId !== m.authorId && r.language && r.language !== source).map((r) => r.language!),
      );
      await Promise.all([...targets].map((to) => this.ensure(m, source, to, readers)));
    }
  }

  /**
   * History and catch-up for one reader: each message carries its stored translation into the
   * reader's language; missing ones are started and arrive as `message:translated` events.
   */
  async forReader<M extends Translatable>(
    chatId: string,
    identityId: string,
    messages: M[],
  ): Promise<(M & { translation?: TranslationView })[]> {
    if (!this.setup || messages.length === 0) return messages;
    const readers = await readersOf(this.pool, chatId);
    const language = readers.find((r) => r.identityId === identityId)?.language;
    if (!language) return messages;
    const stored = await this.stored(
      chatId,
      language,
      messages.map((m) => m.seq),
    );
    this.stats.cacheHits += stored.size;
    const missing = messages.filter((m) => translatable(m) && m.authorId !== identityId && !stored.has(m.seq));
    // The newest of the page (pages come in either order): what the reader sees; older ones follow as they page back.
    for (const m of [...missing].sort((a, b) => b.seq - a.seq).slice(0, PREFETCH)) {
      const source = sourceLanguage(m, readers);
      if (source !== language) {
        void this.ensure(m, source, language, readers).catch((err: unknown) => this.log.warn({ err, chatId }, 'translation failed'));
      }
    }
    return messages.map((m) => {
      const t = stored.get(m.seq);
      // One's own words are shown as written, even when a translation was made for others.
      return t && !m.deleted && m.authorId !== identityId ? { ...m, translation: t } : m;
    });
  }

  /**
   * For an email to one member: translations into their reading language, waiting at most one
   * provider deadline for any not made yet (the email is composed in a transaction). Whatever is
   * not ready is left out: the original is sent, and the translation is still stored for later.
   */
  async forEmail(chatId: string, identityId: string, messages: readonly Translatable[]): Promise<Map<number, TranslationView>> {
    const out = new Map<number, TranslationView>();
    if (!this.setup || messages.length === 0) return out;
    const readers = await readersOf(this.pool, chatId);
    const language = readers.find((r) => r.identityId === identityId)?.language;
    if (!language) return out;
    const all = Promise.all(
      messages.filter(translatable).map(async (m) => {
        const source = sourceLanguage(m, readers);
        if (source === language || m.authorId === identityId) return;
        const t = await this.ensure(m, source, language, null).catch(() => null);
        if (t) out.set(m.seq, t);
      }),
    );
    const deadlineMs = this.setup.opts.timeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
    clearTimeout(timer);
    return new Map(out);
  }

  /** Resolves once every translation under way has finished (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async stored(chatId: string, language: string, seqs: number[]): Promise<Map<number, TranslationView>> {
    const res = await this.pool.query<{ seq: number; source_language: string; body: string }>(
      `SELECT seq, source_language, body FROM message_translation WHERE chat_id = $1 AND language = $2 AND seq = ANY($3::int[])`,
      [chatId, language, seqs],
    );
    return new Map(res.rows.map((r) => [r.seq, { language, from: r.source_language, body: r.body }]));
  }

  /**
   * The translation of `m` into `to`: stored, being made, or made now. `announceTo`: when this
   * call makes it, the chat's readers to tell (null: the caller uses it itself).
   */
  private ensure(m: Translatable, from: string | null, to: string, announceTo: Reader[] | null): Promise<TranslationView | null> {
    if (!from || from === to) return Promise.resolve(null);
    // Keyed by the text too: an edit's translation must not be handed the one of the words it replaced.
    const key = `${m.chatId}|${m.seq}|${to}|${textKey(m.body)}`;
    const running = this.inFlight.get(key);
    if (running) {
      this.stats.cacheHits++;
      return running;
    }
    const work = this.make(m, from, to, announceTo).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async make(m: Translatable, from: string, to: string, announceTo: Reader[] | null): Promise<TranslationView | null> {
    const cached = (await this.stored(m.chatId, to, [m.seq])).get(m.seq);
    if (cached) {
      this.stats.cacheHits++;
      return cached;
    }
    try {
      await this.setup!.perChat.consume(m.chatId, 'translations in this chat');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      this.stats.skipped++;
      this.log.info({ chatId: m.chatId, seq: m.seq, to }, 'translation skipped: the chat is over its translation budget');
      return null;
    }
    const body = await this.callProvider(m.body, from, to).catch((err: unknown) => {
      this.stats.skipped++;
      this.log.warn({ err, chatId: m.chatId, seq: m.seq, from, to }, 'translation not made');
      return null;
    });
    if (body === null) return null;
    // Only for a message still there, not deleted and still saying what was translated (an edit
    // meanwhile made this translation stale: the edit's own one is stored instead); a racing node's row wins.
    const res = await this.pool.query<{ source_language: string; body: string }>(
      `WITH current AS (
         SELECT chat_id, seq FROM message WHERE chat_id = $1 AND seq = $2 AND deleted_at IS NULL AND body = $7
       ),
       ins AS (
         INSERT INTO message_translation (chat_id, seq, language, source_language, body, provider)
         SELECT chat_id, seq, $3, $4, $5, $6 FROM current
         ON CONFLICT DO NOTHING RETURNING source_language, body)
       SELECT source_language, body FROM ins
       UNION ALL
       SELECT t.source_language, t.body FROM message_translation t JOIN current c USING (chat_id, seq) WHERE t.language = $3
       LIMIT 1`,
      [m.chatId, m.seq, to, from, body, this.setup!.provider.name, m.body],
    );
    const row = res.rows[0];
    if (!row) return null;
    this.stats.translated++;
    const view = { language: to, from: row.source_language, body: row.body };
    if (announceTo) {
      const readers = announceTo.filter((r) => r.language === to && r.identityId !== m.authorId).map((r) => r.identityId);
      if (readers.length > 0) this.onTranslated(m.chatId, m.seq, view, readers);
    }
    return view;
  }

  /** Each attempt has its own deadline; only failures that may pass are tried again (translating twice is harmless). */
  private async callProvider(text: string, from: string, to: string): Promise<string> {
    const { provider, opts } = this.setup!;
    for (let attempt = 1; ; attempt++) {
      this.stats.providerCalls++;
      try {
        return await provider.translate(text, from, to, AbortSignal.timeout(opts.timeoutMs));
      } catch (err) {
        const retryable = err instanceof ProviderError ? err.retryable : false;
        if (!retryable || attempt >= opts.attempts) throw err;
        const pause = opts.retryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }
}

/** A short stand-in for a message's text in the in-flight key. */
function textKey(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 16);
}

/** How many missing translations one history page starts at most (the rest when paged to). */
const PREFETCH = 20;

/** People's words only: system lines are the server's, and deleted messages have none. */
function translatable(m: Translatable): boolean {
  return (m.kind === 'TEXT' || m.kind === 'QUOTE') && !m.deleted && m.body.trim().length > 0;
}

/** What `m` is written in: detected, else (no telling from the words) what its author reads. */
function sourceLanguage(m: Translatable, readers: Reader[]): string | null {
  const likely = [...new Set(readers.map((r) => r.language).filter((l): l is string => !!l))];
  return detectLanguage(m.body, likely) ?? readers.find((r) => r.identityId === m.authorId)?.language ?? null;
}
