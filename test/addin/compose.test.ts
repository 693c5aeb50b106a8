/**
 * The Outlook add-in's compose logic ("Embed IM", audience sync, send) against the real server.
 * Outlook itself is mocked (office-addin-mock; see support/outlook.ts) because it cannot run here.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { embedChat } from '../../addin/src/compose/embed.ts';
import { CHAT_HEADER } from '../../mail-client/chat-header.ts';
import { makeHandlers } from '../../addin/src/events/handlers.ts';
import { createContext, type AddinContext } from '../../addin/src/office/context.ts';
import { memoryStore, type KeyValueStore } from '../../addin/src/office/storage.ts';
import { findChatIdInHtml, findChatIdInText } from '../../mail-client/panel.ts';
import { api, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { FakeDraft, installOffice, type InstalledOffice } from './support/outlook.ts';

const OWNER = 'olivia@owner.example';

/** A port nothing listens on: the backend is "down". */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('Outlook add-in: compose (Embed IM, audience sync, send)', function () {
  let server: TestServer;
  let token: string;
  let office: InstalledOffice | null = null;

  before(async () => {
    server = await startTestServer();
    token = (await signIn(server, OWNER)).token;
  });
  after(async () => server.close());
  afterEach(() => office?.uninstall());

  /** An add-in context signed in as the owner, with its own storage (one Outlook profile). */
  async function context(store: KeyValueStore = memoryStore(), serverUrl = server.url, fetchImpl?: typeof fetch): Promise<AddinContext> {
    const ctx = await createContext({ store, serverUrl, fetch: fetchImpl });
    await ctx.session.save({
      token,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      identity: { id: 'x', addresses: [OWNER] },
      chatId: null,
    });
    return ctx;
  }

  async function chatAsOwner(chatId: string) {
    const res = await api(server, 'GET', `/api/chats/${chatId}`, undefined, token);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  }

  const roles = (chat: { audience: { address: string; role: string }[] }) =>
    Object.fromEntries(chat.audience.map((a) => [a.address, a.role]));

  it('inserts the HTML panel at the cursor and creates the chat with the subject and From/To/Cc/Bcc', async () => {
    const draft = new FakeDraft({
      subject: 'Quarterly plan',
      from: OWNER,
      to: ['Bob@Example.com'],
      cc: ['carol@example.com'],
      bcc: ['dave@example.com'],
      body: '<div>Hi all,</div><div>see below</div>',
      cursor: '<div>Hi all,</div>'.length,
    });
    office = installOffice(OWNER, draft);
    const ctx = await context();
    const result = await embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: server.url });

    assert.equal(result.inserted, true);
    assert.equal(result.bodyKind, 'html');
    assert.equal(draft.inserts.length, 1);
    assert.equal(draft.inserts[0]!.coercionType, 'html');
    // At the cursor: between the two paragraphs, not appended.
    assert.ok(draft.body.startsWith('<div>Hi all,</div><table'), draft.body.slice(0, 60));
    assert.ok(draft.body.endsWith('<div>see below</div>'));
    // The link carries the UUID; no class or data- attribute is relied on (Outlook strips them).
    assert.equal(findChatIdInHtml(draft.body, server.url), result.chat.id);
    assert.doesNotMatch(draft.inserts[0]!.data, /\sclass=|\sdata-/);
    assert.ok(draft.body.includes(result.chat.id), 'the UUID is also visible text');

    const chat = await chatAsOwner(result.chat.id);
    assert.equal(chat.subject, 'Quarterly plan');
    assert.deepEqual(roles(chat), {
      [OWNER]: 'FROM',
      'bob@example.com': 'TO',
      'carol@example.com': 'CC',
      'dave@example.com': 'BCC',
    });
    assert.equal(draft.headers.get(CHAT_HEADER), result.chat.id);
    assert.equal(draft.savedProperties.get('inboxChatId'), result.chat.id);
  });

  it('pressing Embed IM again in the same draft reuses the chat, inserts nothing new and updates the audience', async () => {
    const draft = new FakeDraft({ subject: 'Offsite', from: OWNER, to: ['erin@example.com'] });
    office = installOffice(OWNER, draft);
    const ctx = await context();
    const item = () => Office.context.mailbox.item as Office.MessageCompose;
    const first = await embedChat(item(), { api: ctx.api, serverUrl: server.url });

    draft.to = ['erin@example.com', 'frank@example.com'];
    // Reopening the draft later: a fresh item object over the same saved properties.
    office.select(draft);
    const second = await embedChat(item(), { api: ctx.api, serverUrl: server.url });

    assert.equal(second.chat.id, first.chat.id);
    assert.equal(second.inserted, false);
    assert.equal(draft.inserts.length, 1);
    assert.deepEqual(Object.keys(roles(await chatAsOwner(first.chat.id))).sort(), ['erin@example.com', 'frank@example.com', OWNER]);
  });

  it('a plain-text draft gets the text version of the panel', async () => {
    const draft = new FakeDraft({ subject: 'Plain', from: OWNER, to: ['gina@example.com'], bodyKind: 'text', body: 'Hello Gina\n' });
    office = installOffice(OWNER, draft);
    const ctx = await context();
    const result = await embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: server.url });

    assert.equal(result.bodyKind, 'text');
    assert.equal(draft.inserts[0]!.coercionType, 'text');
    assert.doesNotMatch(draft.body, /<[a-z]/i, 'no markup in a plain-text email');
    assert.ok(draft.body.includes(`${server.url}/c/${result.chat.id}`));
    assert.equal(findChatIdInText(draft.body, server.url), result.chat.id);
  });

  it('the audience follows the draft when recipients change, and again when it is sent', async () => {
    const draft = new FakeDraft({ subject: 'Follow me', from: OWNER, to: ['hal@example.com'] });
    office = installOffice(OWNER, draft);
    const store = memoryStore();
    const ctx = await context(store);
    const { chat } = await embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: server.url });
    const handlers = makeHandlers(() => createContext({ store, serverUrl: server.url }));

    draft.to = ['ivy@example.com'];
    draft.cc = ['hal@example.com'];
    let completed = 0;
    await handlers.onMessageRecipientsChanged({ completed: () => void completed++ });
    assert.equal(completed, 1);
    assert.deepEqual(roles(await chatAsOwner(chat.id)), { [OWNER]: 'FROM', 'ivy@example.com': 'TO', 'hal@example.com': 'CC' });

    draft.bcc = ['jay@example.com'];
    let allowed: boolean | undefined;
    await handlers.onMessageSend({ completed: (o) => void (allowed = o?.allowEvent) });
    assert.equal(allowed, true);
    assert.equal(roles(await chatAsOwner(chat.id))['jay@example.com'], 'BCC');
    assert.equal((await chatAsOwner(chat.id)).endedAt, null);
  });

  it('removing the panel from the draft before sending ends the chat', async () => {
    const draft = new FakeDraft({ subject: 'Never mind', from: OWNER, to: ['kim@example.com'] });
    office = installOffice(OWNER, draft);
    const store = memoryStore();
    const ctx = await context(store);
    const { chat } = await embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: server.url });

    draft.body = '<div>Hello, no chat after all.</div>';
    let allowed: boolean | undefined;
    await makeHandlers(() => createContext({ store, serverUrl: server.url })).onMessageSend({
      completed: (o) => void (allowed = o?.allowEvent),
    });
    assert.equal(allowed, true);
    assert.notEqual((await chatAsOwner(chat.id)).endedAt, null);
    assert.equal(draft.headers.has(CHAT_HEADER), false);
    assert.equal(draft.savedProperties.get('inboxChatId'), undefined);
  });

  it('with the backend down, Embed IM inserts nothing and says so', async () => {
    const draft = new FakeDraft({ subject: 'Offline', from: OWNER, to: ['lee@example.com'] });
    office = installOffice(OWNER, draft);
    const ctx = await context(memoryStore(), await deadUrl());
    await assert.rejects(
      embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: ctx.serverUrl }),
      (err: Error & { code?: string }) => err.code === 'NETWORK' && /reach the server/.test(err.message),
    );
    assert.equal(draft.inserts.length, 0);
  });

  it('sending never waits on a down or hanging backend: the audience is queued and synced at the next chance', async () => {
    const draft = new FakeDraft({ subject: 'Queue it', from: OWNER, to: ['max@example.com'] });
    office = installOffice(OWNER, draft);
    const store = memoryStore();
    const ctx = await context(store);
    const { chat } = await embedChat(Office.context.mailbox.item as Office.MessageCompose, { api: ctx.api, serverUrl: server.url });
    draft.to = ['max@example.com', 'nia@example.com'];

    // Down: connection refused.
    const down = makeHandlers(() => createContext({ store, serverUrl: server.url, fetch: () => Promise.reject(new TypeError('refused')) }));
    let allowed: boolean | undefined;
    await down.onMessageSend({ completed: (o) => void (allowed = o?.allowEvent) });
    assert.equal(allowed, true);

    // Hanging: the server never answers (also for the queued change the handler flushes first);
    // the handler still allows the send, before Smart Alerts' 5-second "taking longer" dialog.
    const hanging = makeHandlers(() => createContext({ store, serverUrl: server.url, fetch: () => new Promise<Response>(() => {}) }));
    allowed = undefined;
    const began = Date.now();
    await hanging.onMessageSend({ completed: (o) => void (allowed = o?.allowEvent) });
    assert.equal(allowed, true);
    assert.ok(Date.now() - began < 4_500, `send handler took ${Date.now() - began} ms; Outlook shows a dialog at 5 s`);

    const queued = await ctx.pending.list();
    assert.equal(queued.length, 1);
    assert.equal(queued[0]!.kind, 'audience');
    assert.equal(roles(await chatAsOwner(chat.id))['nia@example.com'], undefined, 'not synced yet');

    // The next pane or event that runs with the server reachable delivers it.
    const flushed = await (await createContext({ store, serverUrl: server.url })).pending.flush(ctx.api);
    assert.deepEqual(flushed, { delivered: 1, kept: 0 });
    assert.equal(roles(await chatAsOwner(chat.id))['nia@example.com'], 'TO');
    assert.deepEqual(await ctx.pending.list(), []);
  });

  it('a draft without a chat, or a user never signed in, sends without touching the server', async () => {
    const draft = new FakeDraft({ subject: 'Just mail', from: OWNER, to: ['oz@example.com'] });
    office = installOffice(OWNER, draft);
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const signedIn = await context(memoryStore(), server.url, counting);
    let allowed: boolean | undefined;
    await makeHandlers(async () => signedIn).onMessageSend({ completed: (o) => void (allowed = o?.allowEvent) });
    assert.equal(allowed, true);

    const anonymous = await createContext({ store: memoryStore(), serverUrl: server.url, fetch: counting });
    allowed = undefined;
    await makeHandlers(async () => anonymous).onMessageSend({ completed: (o) => void (allowed = o?.allowEvent) });
    assert.equal(allowed, true);
    assert.equal(calls, 0);
  });
});
