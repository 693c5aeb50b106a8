/**
 * Message translation under a realistic chat: 50 readers in 5 languages (docs/translation.md).
 * Reports how much later the translated update event reaches a reader than the message itself,
 * and the cache hit rate: how many reader deliveries one provider call served.
 *
 * The provider is a local stand-in speaking LibreTranslate's protocol with a fixed delay
 * (BENCH_TRANSLATE_MS, default 150 ms: a self-hosted LibreTranslate on a small CPU), because the
 * only real engine here, Apertium, has one language pair installed. The server, PostgreSQL and
 * the Socket.IO clients are real. Run alone (`npm run bench -- translation`): it loads the machine.
 * After the live phase every reader reloads the chat's history, which must come from the cache.
 *
 * BENCH_READERS (50), BENCH_LANGUAGES (en,es,fr,de,ja), BENCH_MESSAGES (40), BENCH_TRANSLATE_MS (150).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageTranslated, MessageView } from '../protocol/index.ts';
import { api, connectSocket, request, signIn, startTestServer, type ClientSocket } from '../test/support/server.ts';
import { fmt, percentiles } from './lib/stats.ts';

const READERS = Number(process.env.BENCH_READERS ?? 50);
const LANGUAGES = (process.env.BENCH_LANGUAGES ?? 'en,es,fr,de,ja').split(',');
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 40);
const TRANSLATE_MS = Number(process.env.BENCH_TRANSLATE_MS ?? 150);

// What each language's members write: real sentences, so detection has something to go on.
const SENTENCES: Record<string, string> = {
  en: 'The shipment leaves the warehouse tomorrow morning',
  es: 'El envío sale del almacén mañana por la mañana',
  fr: "L'envoi quitte l'entrepôt demain matin",
  de: 'Die Lieferung verlässt morgen früh das Lager',
  ja: '荷物は明日の朝に倉庫を出発します',
};

// The stand-in LibreTranslate: POST /translate {q, source, target} -> {translatedText} after a delay.
let providerCalls = 0;
const provider = createServer((req, res) => {
  let raw = '';
  req.on('data', (d: Buffer) => (raw += d.toString()));
  req.on('end', () => {
    providerCalls++;
    const b = JSON.parse(raw) as { q: string; source: string; target: string };
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ translatedText: `[${b.source}->${b.target}] ${b.q}` }));
    }, TRANSLATE_MS);
  });
});
await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', () => resolve()));

const server = await startTestServer({
  TRANSLATION_PROVIDER: 'libretranslate',
  TRANSLATION_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`,
  TRANSLATIONS_PER_CHAT_PER_MINUTE: '100000',
  SOCKETS_PER_IP: String(READERS * 2),
  EMAIL_BATCH_WINDOW_MS: '600000',
});
const sockets: ClientSocket[] = [];
try {
  const addresses = Array.from({ length: READERS }, (_, i) => `reader${i}@bench.example`);
  const sessions = [];
  for (const a of addresses) sessions.push(await signIn(server, a));
  const chatId: string = (
    await api(server, 'POST', '/api/chats', { subject: 'Bench', audience: { to: addresses.slice(1) } }, sessions[0]!.token)
  ).body.id;
  const languageOf = (i: number) => LANGUAGES[i % LANGUAGES.length]!;

  // When each reader got each message, and its translation.
  const gotMessage = new Map<string, number>();
  const latencies: number[] = [];
  let deliveries = 0;
  for (let i = 0; i < READERS; i++) {
    const s = await connectSocket(server.url, sessions[i]!.token);
    sockets.push(s);
    s.on('message', (m: MessageView) => gotMessage.set(`${i}|${m.seq}`, performance.now()));
    s.on('message:translated', (t: MessageTranslated) => {
      deliveries++;
      const at = gotMessage.get(`${i}|${t.seq}`);
      if (at !== undefined) latencies.push(performance.now() - at);
    });
    await request(s, 'chat:join', { chatId, lastSeq: 0, language: languageOf(i) });
  }

  // Every author writes in their own language; each message needs the other 4 languages.
  const expected = MESSAGES * (READERS - READERS / LANGUAGES.length);
  const started = performance.now();
  for (let n = 0; n < MESSAGES; n++) {
    const author = n % READERS;
    await request(sockets[author]!, 'message:send', { chatId, clientId: `b${n}`, body: `${SENTENCES[languageOf(author)]} (${n})` });
    // A realistic pace: people do not all type at once.
    await new Promise((r) => setTimeout(r, 100));
  }
  const deadline = Date.now() + 60_000;
  while (deliveries < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await server.translations.drain();
  const live = { ...server.translations.stats };
  const liveCalls = providerCalls;

  // Every reader reloads the chat (a new tab, a reconnect after sleep): history carries each
  // message in the reader's language from the PostgreSQL cache, with no provider call.
  let servedTranslated = 0;
  let needed = 0;
  for (let i = 0; i < READERS; i++) {
    const page = await api(server, 'GET', `/api/chats/${chatId}/messages?before=${MESSAGES + 100}`, undefined, sessions[i]!.token);
    const messages = page.body.messages as (MessageView & { translation?: unknown })[];
    for (const m of messages) {
      if (m.kind !== 'TEXT' || m.authorId === sessions[i]!.identity.id) continue;
      if (languageOf(Number(/\((\d+)\)$/.exec(m.body)?.[1]) % READERS) === languageOf(i)) continue;
      needed++;
      if (m.translation) servedTranslated++;
    }
  }
  const p = percentiles(latencies);
  const stats = server.translations.stats;
  console.log(`translation bench: ${READERS} readers, ${LANGUAGES.length} languages, ${MESSAGES} messages, provider ${TRANSLATE_MS} ms`);
  console.log(`  translated events delivered: ${deliveries} of ${expected} expected in ${fmt((performance.now() - started) / 1000)} s`);
  console.log(`  added latency (message -> its translation, per reader): p50 ${fmt(p.p50)} ms, p95 ${fmt(p.p95)} ms, max ${fmt(p.max)} ms`);
  console.log(`  provider calls: ${liveCalls} (server counted ${live.providerCalls}); translations stored: ${live.translated}`);
  console.log(
    `  live cache hit rate (reader deliveries served without a provider call): ${fmt((1 - liveCalls / Math.max(1, deliveries)) * 100)} %`,
  );
  console.log(
    `  history reload by all ${READERS} readers: ${servedTranslated} of ${needed} foreign messages came translated, ` +
      `${stats.cacheHits - live.cacheHits} from the PostgreSQL cache, ${providerCalls - liveCalls} new provider calls ` +
      `(hit rate ${fmt(((stats.cacheHits - live.cacheHits) / Math.max(1, needed)) * 100)} %)`,
  );
} finally {
  for (const s of sockets) s.close();
  await server.close();
  provider.close();
}
