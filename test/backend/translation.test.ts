import assert from 'node:assert/strict';
import type { MessageTranslated, MessageView } from '../../protocol/index.ts';
import { startApertium, type ApertiumServer } from '../support/apertium.ts';
import {
  api,
  connectSocket,
  nextEvent,
  request,
  signInAll,
  startTestServer,
  type ClientSocket,
  type TestServer,
} from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { sql } from '../bridge/support.ts';

/**
 * Message translation against a real Apertium APy server (Debian's apertium-apy with the
 * apertium-eng-spa pair), started by this suite: nothing here is mocked.
 */
describe('message translation (real Apertium APy, English <-> Spanish)', function () {
  this.timeout(120_000);
  let apy: ApertiumServer;
  let server: TestServer;
  let ann: { token: string }, bea: { token: string }, cruz: { token: string }, dora: { token: string }, eve: { token: string };
  let chatId: string;
  const sockets: ClientSocket[] = [];
  const translatedTo = new Map<ClientSocket, MessageTranslated[]>();

  /** A member's socket, joined with its client's language as a browser would send it. */
  async function joined(token: string, language: string): Promise<ClientSocket> {
    const s = await connectSocket(server.url, token);
    sockets.push(s);
    translatedTo.set(s, []);
    s.on('message:translated', (t) => translatedTo.get(s)!.push(t));
    const r = await request(s, 'chat:join', { chatId, lastSeq: 0, language });
    assert.equal(r.ok, true, JSON.stringify(r));
    return s;
  }

  async function rows(seq: number): Promise<{ language: string; source_language: string; body: string }[]> {
    return sql<{ language: string; source_language: string; body: string }>(
      server,
      'SELECT language, source_language, body FROM message_translation WHERE chat_id = $1 AND seq = $2 ORDER BY language',
      [chatId, seq],
    );
  }

  before(async () => {
    apy = await startApertium();
    server = await startTestServer({
      TRANSLATION_PROVIDER: 'apertium',
      TRANSLATION_URL: apy.url,
      TRANSLATION_TIMEOUT_MS: '20000',
      // Offline members are emailed quickly here (production: 120 s window, 60 s away).
      EMAIL_BATCH_WINDOW_MS: '300',
      EMAIL_OFFLINE_DELAY_MS: '1500',
      PRESENCE_HEARTBEAT_MS: '300',
      JOBS_POLL_MS: '50',
    });
    [ann, bea, cruz, dora, eve] = await signInAll(server, [
      'ann@example.com',
      'bea@example.es',
      'cruz@example.es',
      'dora@example.es',
      'eve@example.es',
    ] as const);
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Supplier', audience: { to: ['bea@example.es', 'cruz@example.es'], bcc: ['dora@example.es'] } },
      ann.token,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    chatId = created.body.id;
  });

  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
    await apy?.stop();
  });

  it('an English message reaches a Spanish reader at once as written, then in Spanish; the author gets no translation', async () => {
    const annSocket = await joined(ann.token, 'en-US');
    const beaSocket = await joined(bea.token, 'es-ES');
    const original = nextEvent<MessageView>(beaSocket, 'message', (m) => m.clientId === 'en-1');
    const translated = nextEvent<MessageTranslated>(beaSocket, 'message:translated', (t) => t.chatId === chatId, 30_000);
    const sent = await request(annSocket, 'message:send', { chatId, clientId: 'en-1', body: 'The meeting is at three.' });
    assert.equal(sent.ok, true);
    const m = await original;
    assert.equal(m.body, 'The meeting is at three.', 'the original is what is delivered and stored');
    assert.equal(m.translation, undefined, 'delivery does not wait for the translation');
    const t = await translated;
    assert.equal(t.seq, m.seq);
    assert.equal(t.translation.language, 'es');
    assert.equal(t.translation.from, 'en');
    assert.match(t.translation.body, /reunión/i);
    assert.deepEqual(
      (await rows(m.seq)).map((r) => [r.language, r.source_language]),
      [['es', 'en']],
    );
    // The stored message is still the original.
    const stored = await sql<{ body: string }>(server, 'SELECT body FROM message WHERE chat_id = $1 AND seq = $2', [chatId, m.seq]);
    assert.equal(stored[0]!.body, 'The meeting is at three.');
    assert.deepEqual(translatedTo.get(annSocket), [], 'the author reads English: nothing to translate for her');
  });

  it('and back: a Spanish message reaches the English reader in English', async () => {
    const [annSocket, beaSocket] = sockets as [ClientSocket, ClientSocket];
    const translated = nextEvent<MessageTranslated>(annSocket, 'message:translated', (t) => t.translation.from === 'es', 30_000);
    const sent = await request(beaSocket, 'message:send', { chatId, clientId: 'es-1', body: 'La reunión es mañana por la tarde.' });
    const t = await translated;
    assert.equal(t.seq, sent.message.seq);
    assert.equal(t.translation.language, 'en');
    assert.match(t.translation.body, /meeting/i);
    assert.match(t.translation.body, /tomorrow/i);
  });

  it('a message already in the reader language is not translated for them', async () => {
    const [annSocket, beaSocket] = sockets as [ClientSocket, ClientSocket];
    const toAnn = nextEvent<MessageTranslated>(annSocket, 'message:translated', (t) => t.translation.from === 'es', 30_000);
    const sent = await request(beaSocket, 'message:send', { chatId, clientId: 'es-2', body: 'Gracias' });
    await toAnn;
    assert.deepEqual(
      (await rows(sent.message.seq)).map((r) => r.language),
      ['en'],
    );
    assert.ok(!translatedTo.get(beaSocket)!.some((t) => t.seq === sent.message.seq));
  });

  it('is made once per language however many readers share it, and history carries it from the cache', async () => {
    await server.translations.drain();
    const before = { ...server.translations.stats };
    const cruzSocket = await joined(cruz.token, 'es');
    const page = await api(server, 'GET', `/api/chats/${chatId}/messages?after=0`, undefined, cruz.token);
    const first = (page.body.messages as MessageView[]).find((m) => m.clientId === 'en-1')!;
    assert.equal(first.body, 'The meeting is at three.');
    assert.match(first.translation!.body, /reunión/i);
    assert.equal(server.translations.stats.providerCalls, before.providerCalls, 'no provider call for a reader of a language already made');
    assert.ok(server.translations.stats.cacheHits > before.cacheHits);
    // A new English message: both Spanish readers get the one translation, made once.
    const [annSocket] = sockets as [ClientSocket];
    const toBea = nextEvent<MessageTranslated>(sockets[1]!, 'message:translated', (t) => t.translation.from === 'en', 30_000);
    const toCruz = nextEvent<MessageTranslated>(cruzSocket, 'message:translated', (t) => t.translation.from === 'en', 30_000);
    const sent = await request(annSocket, 'message:send', { chatId, clientId: 'en-2', body: 'Please send the invoice today.' });
    const [a, b] = await Promise.all([toBea, toCruz]);
    assert.equal(a.seq, sent.message.seq);
    assert.deepEqual(a.translation, b.translation);
    assert.equal((await rows(sent.message.seq)).length, 1);
    assert.equal(server.translations.stats.translated, before.translated + 1);
    assert.equal(server.translations.stats.providerCalls, before.providerCalls + 1);
  });

  it('translations go only to members who read that language and joined the chat, never to a signed-in non-member', async () => {
    // Eve is signed in and connected, reads Spanish, but is not in this chat: she cannot join it, and hears nothing.
    const eveSocket = await connectSocket(server.url, eve.token);
    sockets.push(eveSocket);
    const heard: unknown[] = [];
    eveSocket.on('message:translated', (t) => heard.push(t));
    const refused = await request(eveSocket, 'chat:join', { chatId, lastSeq: 0, language: 'es' });
    assert.equal(refused.ok, false);
    const toBea = nextEvent<MessageTranslated>(sockets[1]!, 'message:translated', (t) => t.translation.from === 'en', 30_000);
    await request(sockets[0]!, 'message:send', { chatId, clientId: 'en-3', body: 'The price is good.' });
    await toBea;
    assert.deepEqual(heard, []);
  });

  it('a Bcc member reading Spanish gets the same translation as the others, and the event names no reader', async () => {
    const doraSocket = await joined(dora.token, 'es');
    const toDora = nextEvent<MessageTranslated>(doraSocket, 'message:translated', (t) => t.translation.from === 'en', 30_000);
    const toCruz = nextEvent<MessageTranslated>(sockets[2]!, 'message:translated', (t) => t.translation.from === 'en', 30_000);
    const sent = await request(sockets[0]!, 'message:send', { chatId, clientId: 'en-4', body: 'We sign the contract on Monday.' });
    const [d, c] = await Promise.all([toDora, toCruz]);
    assert.equal(d.seq, sent.message.seq);
    // The event names no recipients: it is the same payload, delivered per reader.
    assert.deepEqual(Object.keys(d).sort(), ['chatId', 'seq', 'translation']);
    assert.deepEqual(d, c);
  });

  it('the reading language can be chosen per person and per chat; a client never overrides a choice', async () => {
    const me = await api(server, 'GET', '/api/me', undefined, ann.token);
    assert.equal(me.body.language, 'en', "the first client's language (en-US) became Ann's");
    const set = await api(server, 'PUT', '/api/me/language', { language: 'fr-CA' }, ann.token);
    assert.deepEqual(set.body, { language: 'fr' });
    // Her English browser joining again does not undo it.
    const again = await request(sockets[0]!, 'chat:join', { chatId, lastSeq: 0, language: 'en-US' });
    assert.equal(again.chat.me.readingLanguage, 'fr');
    const perChat = await api(server, 'PATCH', `/api/chats/${chatId}/me`, { language: 'es' }, ann.token);
    assert.equal(perChat.body.me.language, 'es');
    assert.equal(perChat.body.me.readingLanguage, 'es');
    assert.equal(perChat.body.translation.enabled, true);
    // A Spanish translation of her own first message exists (made for Bea); she still reads her own words.
    const mine = await api(server, 'GET', `/api/chats/${chatId}/messages?before=100`, undefined, ann.token);
    const own = (mine.body.messages as MessageView[]).find((m) => m.clientId === 'en-1')!;
    assert.equal(own.body, 'The meeting is at three.');
    assert.equal(own.translation, undefined);
    const back = await api(server, 'PATCH', `/api/chats/${chatId}/me`, { language: null }, ann.token);
    assert.equal(back.body.me.readingLanguage, 'fr');
    const bad = await api(server, 'PUT', '/api/me/language', { language: 'not a language' }, ann.token);
    assert.equal(bad.status, 400);
    await api(server, 'PUT', '/api/me/language', { language: 'en' }, ann.token);
  });

  it('a deleted message leaves no translation behind', async () => {
    const toAnn = nextEvent<MessageTranslated>(sockets[0]!, 'message:translated', (t) => t.translation.from === 'es', 30_000);
    const sent = await request(sockets[1]!, 'message:send', { chatId, clientId: 'es-3', body: 'El precio es demasiado alto.' });
    await toAnn;
    assert.equal((await rows(sent.message.seq)).length, 1);
    const del = await request(sockets[1]!, 'message:delete', { chatId, seq: sent.message.seq });
    assert.equal(del.ok, true);
    assert.deepEqual(await rows(sent.message.seq), []);
  });

  it('an edited message is translated again: the old translation goes, the new text arrives translated', async () => {
    const heard = translatedTo.get(sockets[0]!)!;
    const translationOf = (seq: number, body: RegExp) =>
      waitUntil(
        `a translation of ${seq} matching ${body}`,
        () => heard.find((t) => t.seq === seq && body.test(t.translation.body)),
        30_000,
      );
    const sent = await request(sockets[1]!, 'message:send', {
      chatId,
      clientId: 'es-edit',
      body: 'El precio de la madera es demasiado bajo para nosotros.',
    });
    await translationOf(sent.message.seq, /price/i);
    const edited = await request(sockets[1]!, 'message:edit', {
      chatId,
      seq: sent.message.seq,
      body: 'El precio de la madera cambia mañana por la tarde.',
    });
    assert.equal(edited.ok, true, JSON.stringify(edited));
    await translationOf(sent.message.seq, /tomorrow/i);
    assert.ok(!heard.some((t) => t.seq === edited.message.seq), 'the translation is of the message, not of its EDIT event');
    await waitUntil('the new translation stored', async () => (await rows(sent.message.seq)).some((r) => /tomorrow/i.test(r.body)), 10_000);
    assert.equal((await rows(sent.message.seq)).length, 1, 'one translation, of the current text');
  });

  it('an ephemeral chat is never translated: its words are kept nowhere else', async () => {
    const eph = await api(
      server,
      'POST',
      '/api/chats',
      { subject: 'Off the record', retention: 'EPHEMERAL', audience: { to: ['bea@example.es'] } },
      ann.token,
    );
    const a = await connectSocket(server.url, ann.token);
    const b = await connectSocket(server.url, bea.token);
    sockets.push(a, b);
    const heard: MessageTranslated[] = [];
    b.on('message:translated', (t) => heard.push(t));
    await request(a, 'chat:join', { chatId: eph.body.id, lastSeq: 0, language: 'en' });
    await request(b, 'chat:join', { chatId: eph.body.id, lastSeq: 0, language: 'es' });
    // Earlier tests' history reads may still be translating (prefetch): let them finish first.
    await server.translations.drain();
    const before = { ...server.translations.stats };
    const got = nextEvent<MessageView>(b, 'message', (m) => m.clientId === 'eph-1');
    await request(a, 'message:send', { chatId: eph.body.id, clientId: 'eph-1', body: 'The meeting is at three.' });
    await got;
    const page = await api(server, 'GET', `/api/chats/${eph.body.id}/messages?after=0`, undefined, bea.token);
    assert.ok(page.body.messages.some((m: MessageView) => m.clientId === 'eph-1' && m.translation === undefined));
    await server.translations.drain();
    assert.deepEqual(server.translations.stats, before);
    assert.deepEqual(heard, []);
    assert.equal((await sql(server, 'SELECT 1 FROM message_translation WHERE chat_id = $1', [eph.body.id])).length, 0);
  });

  it('an offline member is emailed the translation above the original', async () => {
    // Bea goes away (no socket); Ann writes in English.
    sockets[1]!.close();
    const sent = await request(sockets[0]!, 'message:send', { chatId, clientId: 'en-mail', body: 'The delivery arrives on Friday.' });
    const mail = await server.catcher!.waitFor(
      (m) => m.to.includes('bea@example.es') && m.text.includes('The delivery arrives on Friday.'),
      30_000,
    );
    const translation = (await rows(sent.message.seq)).find((r) => r.language === 'es')!;
    assert.ok(translation, 'the Spanish translation was made');
    const at = mail.text.indexOf(translation.body);
    assert.ok(at >= 0, `the email carries the Spanish text:\n${mail.text}`);
    assert.ok(at < mail.text.indexOf('The delivery arrives on Friday.'), 'the translation comes before the original');
    // Bea reads Spanish: her email is written in Spanish too, the original kept as written.
    assert.match(mail.text, /Traducido del inglés/);
    assert.ok(mail.html!.indexOf(translation.body) < mail.html!.indexOf('The delivery arrives on Friday.'));
  });
});

describe('message translation switched off (no provider configured)', function () {
  let server: TestServer;
  after(async () => server?.close());

  it('says so in the chat view and delivers messages untouched', async () => {
    server = await startTestServer();
    const [ann, bea] = await signInAll(server, ['ann@example.com', 'bea@example.es'] as const);
    const chat = await api(server, 'POST', '/api/chats', { subject: 'Off', audience: { to: ['bea@example.es'] } }, ann.token);
    assert.equal(chat.body.translation.enabled, false);
    const a = await connectSocket(server.url, ann.token);
    const b = await connectSocket(server.url, bea.token);
    try {
      await request(a, 'chat:join', { chatId: chat.body.id, lastSeq: 0, language: 'en' });
      const joinedB = await request(b, 'chat:join', { chatId: chat.body.id, lastSeq: 0, language: 'es' });
      assert.equal(joinedB.chat.me.readingLanguage, 'es', 'the reading language is still kept');
      const heard: unknown[] = [];
      b.on('message:translated', (t) => heard.push(t));
      const got = nextEvent<MessageView>(b, 'message');
      await request(a, 'message:send', { chatId: chat.body.id, clientId: 'x1', body: 'The meeting is at three.' });
      assert.equal((await got).body, 'The meeting is at three.');
      const page = await api(server, 'GET', `/api/chats/${chat.body.id}/messages?after=0`, undefined, bea.token);
      assert.equal(page.body.messages.at(-1).translation, undefined);
      await waitUntil('the message to be stored', async () => (await sql(server, 'SELECT 1 FROM message')).length > 0);
      assert.equal((await sql(server, 'SELECT 1 FROM message_translation')).length, 0);
      assert.deepEqual(heard, []);
    } finally {
      a.close();
      b.close();
    }
  });
});
