import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageTranslated } from '../../protocol/index.ts';
import { deeplProvider } from '../../backend/src/translation/deepl.ts';
import { libreTranslateProvider } from '../../backend/src/translation/libretranslate.ts';
import { ProviderError } from '../../backend/src/translation/providers.ts';
import {
  api,
  connectSocket,
  nextEvent,
  request,
  signInAll,
  startTestServer,
  startTwoNodes,
  type TestServer,
  type TwoNodes,
} from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { sql } from '../bridge/support.ts';

/**
 * CONTRACT TESTS. LibreTranslate and DeepL cannot run here (no internet, DeepL is a paid
 * service), so these run against a small local HTTP server that speaks each one's documented
 * protocol (LibreTranslate: POST /translate {q, source, target, format, api_key} ->
 * {translatedText}; DeepL: POST /v2/translate with `Authorization: DeepL-Auth-Key <key>`,
 * {text: [..], source_lang, target_lang} -> {translations: [{detected_source_language, text}]})
 * and checks every request against it. The real-provider test is translation.test.ts (Apertium).
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}
type Plan = (seen: Seen, res: ServerResponse) => void;

class ContractServer {
  readonly seen: Seen[] = [];
  /** Answers for the next requests, in order; afterwards `fallback`. */
  readonly plans: Plan[] = [];
  private server: Server | null = null;
  url = '';

  constructor(private readonly fallback: Plan) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          // left as text: the assertions say what was wrong
        }
        const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        this.seen.push(seen);
        (this.plans.shift() ?? this.fallback)(seen, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** LibreTranslate as documented: a JSON body with q, source, target, format and the optional api_key. */
function libreAnswer(seen: Seen, res: ServerResponse): void {
  const b = seen.body as { q?: unknown; source?: unknown; target?: unknown; format?: unknown };
  if (seen.method !== 'POST' || seen.url !== '/translate' || !String(seen.headers['content-type']).startsWith('application/json')) {
    return json(res, 404, { error: 'Not Found' });
  }
  if (typeof b.q !== 'string' || typeof b.source !== 'string' || typeof b.target !== 'string')
    return json(res, 400, { error: 'Invalid request' });
  json(res, 200, { translatedText: `[${b.source}->${b.target}] ${b.q}` });
}

describe('translation providers: LibreTranslate contract (local server speaking its documented protocol)', () => {
  const libre = new ContractServer(libreAnswer);
  before(() => libre.start());
  after(() => libre.stop());

  it('POSTs the documented JSON to /translate and reads translatedText', async () => {
    const p = libreTranslateProvider(`${libre.url}/`, 'lt-key');
    const out = await p.translate('Hello there', 'en', 'es', AbortSignal.timeout(5_000));
    assert.equal(out, '[en->es] Hello there');
    const req = libre.seen.at(-1)!;
    assert.deepEqual(req.body, { q: 'Hello there', source: 'en', target: 'es', format: 'text', api_key: 'lt-key' });
  });

  it('sends no api_key when none is configured; a refusal (400/403) is final, a 429 or 5xx may be retried', async () => {
    const p = libreTranslateProvider(libre.url);
    await p.translate('Hi', 'en', 'fr', AbortSignal.timeout(5_000));
    assert.equal((libre.seen.at(-1)!.body as Record<string, unknown>).api_key, undefined);
    libre.plans.push((_s, res) => json(res, 403, { error: 'Invalid API key' }));
    await assert.rejects(
      p.translate('Hi', 'en', 'fr', AbortSignal.timeout(5_000)),
      (e: unknown) => e instanceof ProviderError && !e.retryable,
    );
    libre.plans.push((_s, res) => json(res, 429, { error: 'Slowdown: 10 per 1 minute' }));
    await assert.rejects(
      p.translate('Hi', 'en', 'fr', AbortSignal.timeout(5_000)),
      (e: unknown) => e instanceof ProviderError && e.retryable,
    );
  });

  it('gives up on a silent server at its deadline (retryable)', async () => {
    const p = libreTranslateProvider(libre.url);
    libre.plans.push(() => {
      // never answers
    });
    const started = Date.now();
    await assert.rejects(
      p.translate('Hi', 'en', 'fr', AbortSignal.timeout(300)),
      (e: unknown) => e instanceof ProviderError && e.retryable,
    );
    assert.ok(Date.now() - started < 3_000);
  });
});

describe('translation providers: DeepL contract (local server speaking its documented protocol)', () => {
  const deepl = new ContractServer((seen, res) => {
    if (seen.method !== 'POST' || seen.url !== '/v2/translate') return json(res, 404, { message: 'Not found' });
    if (seen.headers.authorization !== 'DeepL-Auth-Key dl-key:fx') return json(res, 403, { message: 'Wrong auth' });
    const b = seen.body as { text?: unknown; target_lang?: unknown; source_lang?: unknown };
    if (!Array.isArray(b.text) || typeof b.target_lang !== 'string') return json(res, 400, { message: 'Bad request' });
    json(res, 200, {
      translations: (b.text as string[]).map((t) => ({
        detected_source_language: String(b.source_lang ?? 'EN'),
        text: `(${b.target_lang}) ${t}`,
      })),
    });
  });
  before(() => deepl.start());
  after(() => deepl.stop());

  it('authenticates with the DeepL-Auth-Key header, sends text as a list and upper-case codes, EN as EN-US', async () => {
    const p = deeplProvider('dl-key:fx', deepl.url);
    assert.equal(await p.translate('Hola', 'es', 'en', AbortSignal.timeout(5_000)), '(EN-US) Hola');
    assert.deepEqual(deepl.seen.at(-1)!.body, { text: ['Hola'], source_lang: 'ES', target_lang: 'EN-US' });
    assert.equal(await p.translate('Hello', 'en', 'de', AbortSignal.timeout(5_000)), '(DE) Hello');
  });

  it('a used-up quota (456) is final; 429 and 503 may pass', async () => {
    const p = deeplProvider('dl-key:fx', deepl.url);
    deepl.plans.push((_s, res) => json(res, 456, { message: 'Quota exceeded' }));
    await assert.rejects(
      p.translate('Hi', 'en', 'de', AbortSignal.timeout(5_000)),
      (e: unknown) => e instanceof ProviderError && !e.retryable,
    );
    deepl.plans.push((_s, res) => json(res, 503, { message: 'Unavailable' }));
    await assert.rejects(
      p.translate('Hi', 'en', 'de', AbortSignal.timeout(5_000)),
      (e: unknown) => e instanceof ProviderError && e.retryable,
    );
  });
});

describe('translation through a LibreTranslate-protocol server: retries, deadlines and the per-chat budget', function () {
  this.timeout(60_000);
  const libre = new ContractServer(libreAnswer);
  let server: TestServer;
  let chatId: string;
  let ann: { token: string }, bea: { token: string };

  before(async () => {
    await libre.start();
    server = await startTestServer({
      TRANSLATION_PROVIDER: 'libretranslate',
      TRANSLATION_URL: libre.url,
      TRANSLATION_TIMEOUT_MS: '400',
      TRANSLATION_ATTEMPTS: '3',
      TRANSLATIONS_PER_CHAT_PER_MINUTE: '4',
    });
    [ann, bea] = await signInAll(server, ['ann@example.com', 'bea@example.es'] as const);
    chatId = (await api(server, 'POST', '/api/chats', { subject: 'Budget', audience: { to: ['bea@example.es'] } }, ann.token)).body.id;
  });
  after(async () => {
    await server?.close();
    await libre.stop();
  });

  it('a failing then silent provider is retried within its deadline, and the translation still arrives once', async () => {
    const a = await connectSocket(server.url, ann.token);
    const b = await connectSocket(server.url, bea.token);
    try {
      await request(a, 'chat:join', { chatId, lastSeq: 0, language: 'en-GB' });
      await request(b, 'chat:join', { chatId, lastSeq: 0, language: 'es' });
      const before = libre.seen.length;
      libre.plans.push((_s, res) => json(res, 502, { error: 'Bad gateway' }));
      libre.plans.push(() => {
        // silent: the 400 ms deadline ends this attempt
      });
      const got = nextEvent<MessageTranslated>(b, 'message:translated', () => true, 20_000);
      const message = nextEvent(b, 'message');
      const sent = await request(a, 'message:send', { chatId, clientId: 'r1', body: 'The shipment left the warehouse this morning.' });
      await message;
      const t = await got;
      assert.equal(t.seq, sent.message.seq);
      assert.equal(t.translation.body, '[en->es] The shipment left the warehouse this morning.');
      assert.equal(libre.seen.length - before, 3, 'two failed attempts, then the one that worked');
      assert.equal((await sql(server, 'SELECT 1 FROM message_translation WHERE chat_id = $1', [chatId])).length, 1);
    } finally {
      a.close();
      b.close();
    }
  });

  it('past the per-chat budget, messages stay untranslated (never fail) and are counted as skipped', async () => {
    const a = await connectSocket(server.url, ann.token);
    try {
      await request(a, 'chat:join', { chatId, lastSeq: 0 });
      const skipped = server.translations.stats.skipped;
      // One of the budget's 4 was used above; 5 more English sentences: 3 fit, 2 do not.
      for (let i = 0; i < 5; i++) {
        const r = await request(a, 'message:send', {
          chatId,
          clientId: `b${i}`,
          body: `Please check the invoice number ${i} again today.`,
        });
        assert.equal(r.ok, true);
      }
      await waitUntil('the skipped translations to be counted', () => server.translations.stats.skipped >= skipped + 2);
      await server.translations.drain();
      assert.equal((await sql(server, 'SELECT 1 FROM message_translation WHERE chat_id = $1', [chatId])).length, 4);
      assert.equal(server.translations.stats.skipped, skipped + 2);
    } finally {
      a.close();
    }
  });
});

describe('translation across two nodes sharing PostgreSQL and Redis (LibreTranslate-protocol stand-in)', function () {
  this.timeout(60_000);
  const libre = new ContractServer(libreAnswer);
  let nodes: TwoNodes;

  before(async () => {
    await libre.start();
    nodes = await startTwoNodes({ TRANSLATION_PROVIDER: 'libretranslate', TRANSLATION_URL: libre.url });
  });
  after(async () => {
    await nodes?.close();
    await libre.stop();
  });

  it('a reader on the other node gets the translation the committing node made, once', async () => {
    const [ann, bea] = await signInAll(nodes.one, ['ann@example.com', 'bea@example.es'] as const);
    const chatId = (await api(nodes.one, 'POST', '/api/chats', { subject: 'Two nodes', audience: { to: ['bea@example.es'] } }, ann.token))
      .body.id;
    const a = await connectSocket(nodes.one.url, ann.token);
    const b = await connectSocket(nodes.two.url, bea.token);
    try {
      await request(a, 'chat:join', { chatId, lastSeq: 0, language: 'en' });
      await request(b, 'chat:join', { chatId, lastSeq: 0, language: 'es' });
      const calls = libre.seen.length;
      const got = nextEvent<MessageTranslated>(b, 'message:translated', () => true, 20_000);
      const sent = await request(a, 'message:send', { chatId, clientId: 'n1', body: 'The contract is signed and sent back.' });
      const t = await got;
      assert.equal(t.seq, sent.message.seq);
      assert.equal(t.translation.body, '[en->es] The contract is signed and sent back.');
      // Bea's history on her node comes from the store: no second provider call.
      const page = await api(nodes.two, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, bea.token);
      assert.equal(page.body.messages.find((m: { seq: number }) => m.seq === t.seq).translation.body, t.translation.body);
      assert.equal(libre.seen.length - calls, 1);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe('translation of an edit while the old text is still being translated (LibreTranslate-protocol stand-in)', function () {
  this.timeout(60_000);
  const libre = new ContractServer(libreAnswer);
  let server: TestServer;

  before(async () => {
    await libre.start();
    server = await startTestServer({ TRANSLATION_PROVIDER: 'libretranslate', TRANSLATION_URL: libre.url, TRANSLATION_TIMEOUT_MS: '10000' });
  });
  after(async () => {
    await server?.close();
    await libre.stop();
  });

  it('the reader gets the new text translated, and the late translation of the old text is dropped', async () => {
    const [ann, bea] = await signInAll(server, ['ann@example.com', 'bea@example.es'] as const);
    const chatId = (await api(server, 'POST', '/api/chats', { subject: 'Edit race', audience: { to: ['bea@example.es'] } }, ann.token)).body
      .id;
    const a = await connectSocket(server.url, ann.token);
    const b = await connectSocket(server.url, bea.token);
    try {
      await request(a, 'chat:join', { chatId, lastSeq: 0, language: 'en' });
      await request(b, 'chat:join', { chatId, lastSeq: 0, language: 'es' });
      // The provider holds its answer for the first text until the edit's translation is out.
      let releaseOld!: () => void;
      const oldHeld = new Promise<void>((resolve) => (releaseOld = resolve));
      let oldAsked!: () => void;
      const oldArrived = new Promise<void>((resolve) => (oldAsked = resolve));
      libre.plans.push((seen, res) => {
        oldAsked();
        void oldHeld.then(() => libreAnswer(seen, res));
      });
      const heard: MessageTranslated[] = [];
      b.on('message:translated', (t) => heard.push(t));
      const sent = await request(a, 'message:send', { chatId, clientId: 'e1', body: 'The timber price is too low for us.' });
      await oldArrived;
      const edited = await request(a, 'message:edit', {
        chatId,
        seq: sent.message.seq,
        body: 'The timber price changes tomorrow afternoon.',
      });
      assert.equal(edited.ok, true, JSON.stringify(edited));
      await waitUntil('the edited text translated for Bea', () => heard.find((t) => /tomorrow/.test(t.translation.body)), 20_000);
      releaseOld();
      await server.translations.drain();
      assert.deepEqual(
        heard.map((t) => t.translation.body),
        ['[en->es] The timber price changes tomorrow afternoon.'],
        'the old text is never announced after the edit',
      );
      const stored = await sql<{ body: string }>(server, 'SELECT body FROM message_translation WHERE chat_id = $1 AND seq = $2', [
        chatId,
        sent.message.seq,
      ]);
      assert.deepEqual(
        stored.map((r) => r.body),
        ['[en->es] The timber price changes tomorrow afternoon.'],
      );
    } finally {
      a.close();
      b.close();
    }
  });
});
