/* eslint-disable @typescript-eslint/no-explicit-any -- test support for Thunderbird's untyped Marionette protocol and messenger API, whose JSON shapes the tests do not type */
/**
 * The extension's pure logic and its messenger-facing helpers, with the messenger mock:
 * addresses, finding a received email's chat, "Reply with IM", transcripts, unread and
 * notifications, settings.
 */
import assert from 'node:assert/strict';
import type { AlertsView, ChatSummary, ChatView, HistoryPage, MessageView } from '../../protocol/index.ts';
import { saveTranscript, transcriptEmail, allMessages } from '../../thunderbird-ext/src/background/transcript.ts';
import { CallRings, RING_NOTIFICATION_ID } from '../../thunderbird-ext/src/background/call-rings.ts';
import { UnreadTracker } from '../../thunderbird-ext/src/background/unread.ts';
import { addressesOf, mailboxAddress } from '../../thunderbird-ext/src/shared/addresses.ts';
import { chatIdOfMessage, htmlToText, replyChatBody } from '../../thunderbird-ext/src/shared/message-chat.ts';
import { DEFAULT_BACKEND_URL, loadSettings, normaliseBackendUrl, saveBackendUrl } from '../../thunderbird-ext/src/shared/settings.ts';
import type { ChatTransport, TransportEvents } from '../../ui/src/transport.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { panelHtml, panelText } from '../../mail-client/panel.ts';
import { MessengerMock } from './support/messenger-mock.ts';
import { newClientId } from '../../ui/src/client-id.ts';
import { isUuid } from '../../protocol/patterns.ts';

const BASE = 'https://chat.example.com';
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

function message(seq: number, over: Partial<MessageView> = {}): MessageView {
  return {
    chatId: ID,
    seq,
    clientId: `c${seq}`,
    authorId: 'alice-id',
    authorAddress: 'alice@example.com',
    kind: 'TEXT',
    body: `message ${seq}`,
    targetSeq: null,
    createdAt: `2026-11-21T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    deleted: false,
    editedAt: null,
    reactions: [],
    mentions: [],
    mentionsMe: false,
    ...over,
  };
}

describe('Thunderbird logic: addresses', () => {
  it('reduces Thunderbird mailbox strings to plain, lower-cased, unique addresses', () => {
    assert.equal(mailboxAddress('Ann Lee <Ann@Example.org>'), 'Ann@Example.org');
    assert.equal(mailboxAddress('not an address'), null);
    assert.deepEqual(addressesOf(['"Doe, Jo" <jo@example.net>, ann@example.org', 'ANN@example.org']), [
      'jo@example.net',
      'ann@example.org',
    ]);
  });
});

describe('Thunderbird logic: the chat of a received email', () => {
  const panel = { chatUrl: chatUrl(BASE, ID), chatId: ID, subject: 'Plan' };

  it('finds the panel in the HTML part, in the text part, or by the X-Inbox-Chat header', () => {
    const html = {
      contentType: 'multipart/alternative',
      parts: [
        { contentType: 'text/plain', body: 'hi' },
        { contentType: 'text/html', body: panelHtml(panel) },
      ],
    };
    assert.equal(chatIdOfMessage(html, BASE), ID);
    assert.equal(chatIdOfMessage({ contentType: 'text/plain', body: panelText(panel) }, BASE), ID);
    assert.equal(
      chatIdOfMessage({ contentType: 'text/plain', body: 'no panel', headers: { 'x-inbox-chat': [ID.toUpperCase()] } }, BASE),
      ID,
    );
  });

  it('finds the panel of an email whose links went through Microsoft Safe Links (the popup and transcripts use this)', () => {
    const wrapped = panelHtml(panel).replace(
      /href="([^"]+)"/g,
      (_, url: string) =>
        `href="https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(url)}&amp;data=05%7C02&amp;reserved=0"`,
    );
    assert.equal(chatIdOfMessage({ contentType: 'text/html', body: wrapped }, BASE), ID);
    // Still only for the configured server.
    assert.equal(chatIdOfMessage({ contentType: 'text/html', body: wrapped }, 'https://other.example'), null);
  });

  it('ignores panels of another server and malformed headers', () => {
    assert.equal(chatIdOfMessage({ contentType: 'text/html', body: panelHtml(panel) }, 'https://other.example'), null);
    assert.equal(chatIdOfMessage({ contentType: 'text/plain', body: 'x', headers: { 'x-inbox-chat': ['<script>'] } }, BASE), null);
  });

  it('builds "Reply with IM": everyone on the email, me as sender, the email quoted first', () => {
    const header = {
      id: 1,
      author: 'Alice <alice@example.com>',
      recipients: ['bob@example.com', 'Carl <carl@example.com>'],
      ccList: ['dee@example.com', 'Bob <BOB@example.com>'],
      bccList: [],
      subject: 'Offsite',
      date: new Date(),
      headerMessageId: 'offsite-1@example.com',
    };
    const body = replyChatBody(
      header,
      { contentType: 'text/html', body: '<p>Shall we go to <b>Oslo</b>?</p><p>A &amp; B</p>' },
      'bob@example.com',
    );
    assert.deepEqual(body.audience, {
      from: ['bob@example.com'],
      to: ['alice@example.com', 'carl@example.com'],
      cc: ['dee@example.com'],
      bcc: [],
    });
    assert.deepEqual(body.quote, { from: 'alice@example.com', text: 'Shall we go to Oslo?\nA & B' });
    assert.equal(body.draftKey, 'reply:offsite-1@example.com');
    assert.equal(body.emailMessageId, 'offsite-1@example.com');
  });

  it('turns HTML into quotable text without markup', () => {
    assert.equal(htmlToText('<style>p{}</style><div>a<br>b</div><script>x</script>&lt;tag&gt;'), 'a\nb\n<tag>');
  });
});

describe('Thunderbird logic: Save transcript', () => {
  const at = '2026-03-02T09:00:00.000Z';
  const chat: ChatView = {
    ...{ id: ID, subject: 'Plan ✓', source: 'EMAIL', retention: 'ARCHIVED', ownerId: 'm1', isOwner: true, emailMessageId: null },
    ...{ lastSeq: 0, lastActivityAt: at, createdAt: at, endedAt: null, members: [], audience: [], unread: 0 },
    me: { identityId: 'm1', address: 'me@example.com', lastReadSeq: 0, emailNotify: true, language: null, readingLanguage: null },
    translation: { enabled: false },
  };

  it('reads the whole history in pages, oldest first', async () => {
    const all = Array.from({ length: 230 }, (_, i) => message(i + 1));
    const calls: number[] = [];
    const api = {
      chat: async () => chat,
      history: async (_id: string, q: { after?: number; limit?: number }): Promise<HistoryPage> => {
        calls.push(q.after ?? 0);
        const rest = all.filter((m) => m.seq > (q.after ?? 0));
        return { messages: rest.slice(0, q.limit), hasMore: rest.length > (q.limit ?? 50) };
      },
    };
    const got = await allMessages(api, ID);
    assert.deepEqual(
      got.map((m) => m.seq),
      all.map((m) => m.seq),
    );
    assert.deepEqual(calls, [0, 100, 200]);
  });

  it('is an RFC 5322 email threaded under the chat email, UTF-8 safe, deleted messages marked', () => {
    const raw = transcriptEmail({
      chat,
      messages: [
        message(1, { kind: 'QUOTE', body: 'Original\nemail' }),
        message(2),
        message(3, { deleted: true }),
        message(4, { kind: 'DELETION', targetSeq: 3 }),
        message(5, { kind: 'SYSTEM', authorAddress: null, body: 'bob@example.com joined' }),
      ],
      me: 'bob@example.com',
      chatUrl: chatUrl(BASE, ID),
      inReplyTo: 'plan@example.com',
      now: new Date('2026-11-21T12:00:00Z'),
    });
    const [head, b64] = raw.split('\r\n\r\n') as [string, string];
    assert.match(head, /^In-Reply-To: <plan@example\.com>$/m);
    assert.match(head, /^References: <plan@example\.com>$/m);
    assert.match(head, /^Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/m);
    assert.match(head, new RegExp(`^X-Inbox-Chat: ${ID}$`, 'm'));
    const text = Buffer.from(b64.replace(/\r\n/g, ''), 'base64').toString('utf8');
    assert.match(text, /Transcript of the live chat "Plan ✓"/);
    assert.match(text, /Email from alice@example\.com:\r?\n> Original\r?\n> email/);
    assert.match(text, /alice@example\.com: message 2/);
    assert.match(text, /alice@example\.com: \(Message deleted\)/);
    assert.match(text, /\* bob@example\.com joined/);
    assert.match(text, /Entries: 4/);
    // Outside Thunderbird (no messenger.i18n) the words are the bundled English _locales.
    assert.match(text, /Saved: November 21, 2026 at 12:00:00 PM UTC\./);
  });

  it('files it into the chosen local folder, and asks for a folder first when none is chosen', async () => {
    const mock = new MessengerMock();
    const api = { chat: async () => chat, history: async (): Promise<HistoryPage> => ({ messages: [message(1)], hasMore: false }) };
    const deps = {
      m: mock.messenger,
      api,
      me: 'bob@example.com',
      chatUrl: (id: string) => chatUrl(BASE, id),
      threadOf: async () => 'sent-1@example.com',
    };
    await assert.rejects(saveTranscript({ ...deps, folderId: null }, ID), (e: { code: string }) => e.code === 'NO_FOLDER');
    const r = await saveTranscript({ ...deps, folderId: 'account1://Transcripts' }, ID);
    assert.equal(r.count, 1);
    assert.equal(mock.imported[0]!.folderId, 'account1://Transcripts');
    assert.match(mock.imported[0]!.text, /^In-Reply-To: <sent-1@example\.com>$/m);
  });
});

describe('Thunderbird logic: unread badge and notifications', () => {
  const summary = (id: string, lastSeq: number, unread: number, author = 'alice-id'): ChatSummary => ({
    id,
    subject: `chat ${id}`,
    retention: 'ARCHIVED',
    isOwner: false,
    lastSeq,
    lastActivityAt: '2026-11-21T10:00:00Z',
    endedAt: null,
    unread,
    lastMessage: message(lastSeq, { authorId: author, chatId: id }),
    memberAddresses: [],
    people: [],
    me: { identityId: 'me' },
    isNew: false,
  });

  const alertSettings = (over: Partial<AlertsView> = {}): AlertsView => ({
    desktop: true,
    sound: true,
    vibrate: true,
    speak: false,
    dnd: false,
    chats: [],
    ...over,
  });

  class FakeTransport implements Pick<ChatTransport, 'status' | 'on' | 'watchChats'> {
    status: ChatTransport['status'] = 'online';
    handlers = new Map<string, ((p: any) => void)[]>();
    chats: ChatSummary[] = [];
    async watchChats() {
      return this.chats;
    }
    on<E extends keyof TransportEvents>(e: E, h: TransportEvents[E]) {
      this.handlers.set(e, [...(this.handlers.get(e) ?? []), h as (p: any) => void]);
      return () => undefined;
    }
    emit(e: string, p: unknown) {
      for (const h of this.handlers.get(e) ?? []) h(p);
    }
  }

  it('updates the badge on activity; alerts unless a visible view shows the chat in a focused Thunderbird', async () => {
    const t = new FakeTransport();
    t.chats = [summary('a', 1, 0)];
    let list = [summary('a', 2, 1)];
    const badges: number[] = [];
    const notified: string[] = [];
    let background = false;
    const tracker = new UnreadTracker({
      transport: () => t,
      listChats: () => Promise.resolve(list),
      alertSettings: () => Promise.resolve(alertSettings()),
      setBadge: (n) => badges.push(n),
      inBackground: async () => background,
      showing: (id) => id === 'a',
      alert: (a) => notified.push(a.chatId),
      delayMs: 1,
    });
    tracker.attach();
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(badges, [0]);

    t.emit('chats:activity', { chatId: 'a', lastSeq: 2 });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(badges, [0, 1]);
    assert.deepEqual(notified, [], 'the chat is on screen in the focused window: the badge is enough');

    background = true;
    list = [summary('a', 3, 2)];
    t.emit('chats:activity', { chatId: 'a', lastSeq: 3 });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(badges, [0, 1, 2]);
    assert.deepEqual(notified, ['a']);

    // A chat no view shows alerts even while Thunderbird has the focus.
    background = false;
    list = [summary('a', 3, 2), summary('b', 1, 1)];
    t.emit('chats:activity', { chatId: 'b', lastSeq: 1 });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(notified, ['a', 'b']);
    tracker.stop();
  });

  it('follows do-not-disturb and mute from the server, and stays silent when the settings cannot be read', async () => {
    const t = new FakeTransport();
    t.chats = [summary('a', 1, 0), summary('b', 1, 0)];
    let list = t.chats;
    let settings: AlertsView | null = alertSettings({ dnd: true });
    const badges: number[] = [];
    const notified: string[] = [];
    const tracker = new UnreadTracker({
      transport: () => t,
      listChats: () => Promise.resolve(list),
      alertSettings: () => (settings ? Promise.resolve(settings) : Promise.reject(new Error('offline'))),
      setBadge: (n) => badges.push(n),
      inBackground: async () => true,
      showing: () => false,
      alert: (a) => notified.push(a.chatId),
      delayMs: 1,
    });
    const step = async (next: ChatSummary[]) => {
      list = next;
      t.emit('chats:activity', {});
      await new Promise((r) => setTimeout(r, 20));
    };
    tracker.attach();
    await new Promise((r) => setTimeout(r, 10));
    await step([summary('a', 2, 1), summary('b', 1, 0)]);
    assert.deepEqual(notified, [], 'do-not-disturb');
    assert.equal(badges.at(-1), 0, 'no badge under do-not-disturb either');

    settings = alertSettings({ chats: [{ chatId: 'a', muted: true, sound: true }] });
    await step([summary('a', 3, 2), summary('b', 2, 1)]);
    assert.deepEqual(notified, ['b'], 'a is muted');
    assert.equal(badges.at(-1), 1, 'the muted chat is not counted');

    settings = null;
    await step([summary('a', 3, 2), summary('b', 3, 2)]);
    assert.deepEqual(notified, ['b'], 'fresh settings could not be read: no alert (the last known ones still badge)');
    tracker.stop();
  });

  it('a ringing call is a notification (Thunderbird cannot take it), silent under do-not-disturb and in a muted chat, gone when the call ends', async () => {
    const t = new FakeTransport();
    let settings = alertSettings();
    const shown: { id: string; title: string; message: string }[] = [];
    const cleared: string[] = [];
    let tones = 0;
    const rings = new CallRings({
      transport: () => t,
      alertSettings: () => Promise.resolve(settings),
      notify: (id, title, message) => shown.push({ id, title, message }),
      clear: (id) => cleared.push(id),
      tone: () => tones++,
    });
    rings.attach();
    const chatId = '11111111-1111-4111-8111-111111111111';
    const call = (id: string, media: 'audio' | 'video', state: 'ringing' | 'ended' = 'ringing') => ({
      id,
      chatId,
      media,
      callerId: 'h-alice',
      participants: ['h-alice'],
      state,
      startedAt: new Date().toISOString(),
      ringUntil: new Date(Date.now() + 30_000).toISOString(),
    });
    const settle = () => new Promise((r) => setTimeout(r, 10));
    t.emit('call:ring', { call: call('c1', 'video'), subject: 'Budget', callerAddress: 'alice@example.com' });
    await settle();
    assert.deepEqual(
      shown.map((n) => [n.title, n.message]),
      [['alice@example.com is calling (video): Budget', 'Calls are taken on the web page: click to open the chat.']],
    );
    assert.match(shown[0]!.id, RING_NOTIFICATION_ID);
    assert.equal(RING_NOTIFICATION_ID.exec(shown[0]!.id)?.[1], chatId, 'a click opens the chat');
    assert.equal(tones, 1);
    t.emit('call:updated', call('c1', 'video', 'ended'));
    assert.deepEqual(cleared, [shown[0]!.id]);

    settings = alertSettings({ dnd: true });
    t.emit('call:ring', { call: call('c2', 'audio'), subject: 'Budget', callerAddress: 'alice@example.com' });
    settings = alertSettings({ chats: [{ chatId, muted: true, sound: true }] });
    await settle();
    t.emit('call:ring', { call: call('c3', 'audio'), subject: 'Budget', callerAddress: 'alice@example.com' });
    await settle();
    assert.equal(shown.length, 1, 'nothing under do-not-disturb nor from a muted chat');
    settings = alertSettings({ sound: false });
    t.emit('call:ring', { call: call('c4', 'audio'), subject: '', callerAddress: 'alice@example.com' });
    await settle();
    assert.equal(shown.at(-1)!.title, 'alice@example.com is calling: (no subject)');
    assert.equal(tones, 1, 'sounds off: no tone');
  });

  it('after the background was suspended, notifies about what arrived meanwhile (last seqs kept in session storage)', async () => {
    const run = async (remembered: Record<string, number> | null) => {
      const t = new FakeTransport();
      t.chats = [summary('a', 5, 2), summary('b', 1, 0)];
      const notified: string[] = [];
      const saved: Record<string, number>[] = [];
      const tracker = new UnreadTracker({
        transport: () => t,
        listChats: () => Promise.resolve(t.chats),
        alertSettings: () => Promise.resolve(alertSettings()),
        setBadge: () => undefined,
        inBackground: async () => true,
        showing: () => false,
        alert: (a) => notified.push(a.chatId),
        memory: { load: async () => remembered, save: async (s) => void saved.push(s) },
      });
      tracker.attach();
      await new Promise((r) => setTimeout(r, 20));
      tracker.stop();
      return { notified, saved };
    };
    // Before sleeping, chat a was at seq 3: seqs 4 and 5 came while the background slept.
    const woken = await run({ a: 3, b: 1 });
    assert.deepEqual(woken.notified, ['a']);
    assert.deepEqual(woken.saved, [{ a: 5, b: 1 }]);
    // A first start (nothing remembered) only sets the badge: old unread chats are not news.
    assert.deepEqual((await run(null)).notified, []);
  });
});

describe('Thunderbird logic: settings', () => {
  it('accepts http(s) server addresses only', () => {
    assert.equal(normaliseBackendUrl('https://chat.example.com/'), 'https://chat.example.com');
    assert.equal(normaliseBackendUrl('https://example.com/inbox-chat/'), 'https://example.com/inbox-chat');
    assert.equal(normaliseBackendUrl('javascript:alert(1)'), null);
    assert.equal(normaliseBackendUrl('https://u:p@example.com'), null);
  });

  it('starts on the default server, and drops the session when the server changes', async () => {
    const mock = new MessengerMock();
    assert.equal((await loadSettings(mock.messenger)).backendUrl, DEFAULT_BACKEND_URL);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    mock.storageData.session = { token: 't', address: 'bob@example.com', expiresAt: future };
    assert.equal((await loadSettings(mock.messenger)).session?.address, 'bob@example.com');
    await saveBackendUrl(mock.messenger, 'https://chat.example.com');
    const s = await loadSettings(mock.messenger);
    assert.equal(s.backendUrl, 'https://chat.example.com');
    assert.equal(s.session, null);
  });

  it('treats an expired session as signed out', async () => {
    const mock = new MessengerMock();
    mock.storageData.session = { token: 't', address: 'bob@example.com', expiresAt: '2000-01-01T00:00:00Z' };
    assert.equal((await loadSettings(mock.messenger)).session, null);
  });
});

describe('client ids in a displayed email (not a secure context)', () => {
  it('makes RFC 4122 version 4 UUIDs from getRandomValues (randomUUID is missing outside secure contexts)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      // A crypto without randomUUID, as in a Thunderbird message pane or plain-http page.
      const id = newClientId({ getRandomValues: (a) => globalThis.crypto.getRandomValues(a) });
      assert.ok(isUuid(id) && id === id.toLowerCase(), id);
      assert.equal(id[14], '4', 'version 4');
      seen.add(id);
    }
    assert.equal(seen.size, 200);
  });
});
