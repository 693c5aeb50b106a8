/**
 * "Embed IM" and send-time sync, against the messenger mock (compose windows exist only in
 * Thunderbird; the real client test covers the message pane). The chat API is a recording fake.
 */
import assert from 'node:assert/strict';
import type { AudienceInput, ChatView, CreateChatBody } from '../../protocol/index.ts';
import { CHAT_HEADER } from '../../mail-client/chat-header.ts';
import { ComposeChats, pendingChangesIn, type ComposeApi } from '../../thunderbird-ext/src/background/compose.ts';
import { findChatIdInHtml } from '../../mail-client/panel.ts';
import { MessengerMock } from './support/messenger-mock.ts';
import { UUID_PATTERN } from '../../protocol/patterns.ts';

const BASE = 'https://chat.example.com';

class FakeApi implements ComposeApi {
  created: CreateChatBody[] = [];
  synced: { chatId: string; audience: AudienceInput }[] = [];
  byDraft = new Map<string, string>();
  replace: (chatId: string, audience: AudienceInput) => Promise<ChatView> = async (chatId, audience) => {
    this.synced.push({ chatId, audience });
    return { id: chatId } as ChatView;
  };
  async createChat(body: CreateChatBody): Promise<ChatView> {
    this.created.push(body);
    let id = body.draftKey ? this.byDraft.get(body.draftKey) : undefined;
    if (!id) {
      id = crypto.randomUUID();
      if (body.draftKey) this.byDraft.set(body.draftKey, id);
    }
    return { id, subject: body.subject } as ChatView;
  }
  replaceAudience(chatId: string, audience: AudienceInput): Promise<ChatView> {
    return this.replace(chatId, audience);
  }
  ended: string[] = [];
  async endChat(chatId: string): Promise<ChatView> {
    this.ended.push(chatId);
    return { id: chatId } as ChatView;
  }
}

function setup(signedIn = true) {
  const mock = new MessengerMock();
  const api = new FakeApi();
  const pending = pendingChangesIn(mock.messenger);
  const compose = new ComposeChats(mock.messenger, {
    api: () => (signedIn ? api : null),
    backendUrl: () => BASE,
    pending,
    syncGraceMs: 50,
  });
  mock.composeDetails.set(5, {
    from: 'Bob Example <Bob@Example.com>',
    to: ['Ann Lee <ann@example.org>', '"Doe, Jo" <jo@example.net>'],
    cc: 'carl@example.com',
    bcc: [],
    subject: 'Budget 2027',
    body: '<html><body><p>Hi all</p></body></html>',
    isPlainText: false,
  });
  return { mock, api, compose, pending };
}

describe('Thunderbird compose: Embed IM', () => {
  it('creates the chat from the draft (subject, sender, To/Cc) and inserts the panel at the cursor', async () => {
    const { mock, api, compose } = setup();
    const r = await compose.embed({ id: 5, active: true });
    assert.equal(r.status, 'inserted');
    assert.equal(api.created.length, 1);
    const body = api.created[0]!;
    assert.equal(body.subject, 'Budget 2027');
    assert.deepEqual(body.audience, {
      from: ['bob@example.com'],
      to: ['ann@example.org', 'jo@example.net'],
      cc: ['carl@example.com'],
      bcc: [],
    });
    assert.equal(body.source, 'EMAIL');
    assert.match(body.draftKey!, new RegExp(`^thunderbird:${UUID_PATTERN}$`));
    const sent = mock.sentToTabs[0]!;
    assert.equal(sent.tabId, 5);
    assert.equal(sent.message.type, 'inbox-chat:insert-panel');
    assert.equal(sent.message.plainText, false);
    assert.equal(findChatIdInHtml(sent.message.html, BASE), (r as { chatId: string }).chatId);
    assert.ok(sent.message.text.includes(`${BASE}/c/${(r as { chatId: string }).chatId}`));
  });

  it('reuses the chat in the same draft: a panel already in the body, or the same draft key', async () => {
    const { mock, api, compose } = setup();
    const first = (await compose.embed({ id: 5, active: true })) as { chatId: string };
    // The panel is in the draft now: a second click inserts nothing and creates nothing.
    const details = mock.composeDetails.get(5)!;
    mock.composeDetails.set(5, { ...details, body: `<p>Hi</p>${mock.sentToTabs[0]!.message.html}` });
    assert.deepEqual(await compose.embed({ id: 5, active: true }), { status: 'already-embedded', chatId: first.chatId });
    assert.equal(api.created.length, 1);
    // The user deleted the panel: the same draft key brings back the same chat.
    mock.composeDetails.set(5, details);
    const again = (await compose.embed({ id: 5, active: true })) as { chatId: string };
    assert.equal(again.chatId, first.chatId);
    assert.equal(api.created[1]!.draftKey, api.created[0]!.draftKey);
  });

  it('inserts the text version into plain-text messages', async () => {
    const { mock, compose } = setup();
    mock.composeDetails.set(5, { ...mock.composeDetails.get(5)!, isPlainText: true, body: undefined, plainTextBody: 'Hi' });
    await compose.embed({ id: 5, active: true });
    assert.equal(mock.sentToTabs[0]!.message.plainText, true);
    assert.match(mock.sentToTabs[0]!.message.text, /Live chat about Budget 2027/);
  });

  it('uses the identity when the draft has no From string', async () => {
    const { mock, api, compose } = setup();
    mock.composeDetails.set(5, { ...mock.composeDetails.get(5)!, from: undefined, identityId: 'id1' });
    await compose.embed({ id: 5, active: true });
    assert.deepEqual(api.created[0]!.audience!.from, ['bob@example.com']);
  });

  it('asks to sign in instead of creating anything when signed out', async () => {
    const { mock, compose } = setup(false);
    assert.deepEqual(await compose.embed({ id: 5, active: true }), { status: 'signed-out' });
    assert.equal(mock.sentToTabs.length, 0);
  });
});

describe('Thunderbird compose: before send', () => {
  async function draftWithPanel() {
    const s = setup();
    const r = (await s.compose.embed({ id: 5, active: true })) as { chatId: string };
    const details = { ...s.mock.composeDetails.get(5)!, body: `<p>Hi</p>${s.mock.sentToTabs[0]!.message.html}` };
    return { ...s, chatId: r.chatId, details };
  }

  it('syncs the audience with the final recipients and names the chat in an X- header', async () => {
    const { api, compose, chatId, details } = await draftWithPanel();
    const final = {
      ...details,
      to: ['ann@example.org'],
      cc: [],
      bcc: ['boss@example.com'],
      customHeaders: [{ name: 'X-Other', value: '1' }],
    };
    const r = await compose.beforeSend({ id: 5, active: true }, final);
    assert.deepEqual(api.synced, [
      { chatId, audience: { from: ['bob@example.com'], to: ['ann@example.org'], cc: [], bcc: ['boss@example.com'] } },
    ]);
    assert.deepEqual(r.details!.customHeaders, [
      { name: 'X-Other', value: '1' },
      { name: CHAT_HEADER, value: chatId },
    ]);
    assert.equal(Object.keys(r).includes('cancel'), false);
  });

  it('never blocks sending on a slow backend: the header is added after the grace period', async () => {
    const { api, compose, chatId, details } = await draftWithPanel();
    let release!: () => void;
    api.replace = () => new Promise((resolve) => (release = () => resolve({} as ChatView)));
    const r = await compose.beforeSend({ id: 5, active: true }, details);
    assert.deepEqual(r.details!.customHeaders, [{ name: CHAT_HEADER, value: chatId }]);
    release();
  });

  it('never blocks sending on a down backend', async () => {
    const { api, compose, chatId, details } = await draftWithPanel();
    api.replace = () => Promise.reject(new Error('ECONNREFUSED'));
    const r = await compose.beforeSend({ id: 5, active: true }, details);
    assert.deepEqual(r.details!.customHeaders, [{ name: CHAT_HEADER, value: chatId }]);
  });

  it('ends the embedded chat when its panel was taken out of the draft, and names no chat', async () => {
    const { api, compose, mock, chatId } = await draftWithPanel();
    const r = await compose.beforeSend({ id: 5, active: true }, { ...mock.composeDetails.get(5)!, body: '<p>Hi, no chat after all</p>' });
    assert.deepEqual(api.ended, [chatId]);
    assert.deepEqual(api.synced, []);
    assert.deepEqual(r, {});
  });

  it('ends the embedded chat even when a quoted panel of another chat stays, and syncs that one', async () => {
    const { api, compose, mock, chatId } = await draftWithPanel();
    const other = crypto.randomUUID();
    const quoted = `<blockquote><a href="${BASE}/c/${other}">Open the chat</a></blockquote>`;
    const r = await compose.beforeSend({ id: 5, active: true }, { ...mock.composeDetails.get(5)!, body: `<p>Hi</p>${quoted}` });
    assert.deepEqual(api.ended, [chatId]);
    assert.deepEqual(
      api.synced.map((s) => s.chatId),
      [other],
    );
    assert.deepEqual(r.details!.customHeaders, [{ name: CHAT_HEADER, value: other }]);
  });

  it('keeps the chat when the panel is still there, also after a quoted panel', async () => {
    const { api, compose, details } = await draftWithPanel();
    const quoted = `<blockquote><a href="${BASE}/c/${crypto.randomUUID()}">x</a></blockquote>`;
    await compose.beforeSend({ id: 5, active: true }, { ...details, body: `${quoted}${details.body}` });
    assert.deepEqual(api.ended, []);
  });

  it('never ends a chat whose panel came quoted in the draft rather than from Embed IM', async () => {
    const { api, compose, mock } = setup();
    const quoted = crypto.randomUUID();
    mock.composeDetails.set(5, { ...mock.composeDetails.get(5)!, body: `<a href="${BASE}/c/${quoted}">chat</a>` });
    assert.deepEqual(await compose.embed({ id: 5, active: true }), { status: 'already-embedded', chatId: quoted });
    await compose.beforeSend({ id: 5, active: true }, { ...mock.composeDetails.get(5)!, body: '<p>quote removed</p>' });
    assert.deepEqual(api.ended, []);
  });

  it('does not hold the send for a slow end-chat call', async () => {
    const { api, compose, mock } = await draftWithPanel();
    let release!: () => void;
    api.endChat = (id) => new Promise((resolve) => (release = () => resolve({ id } as ChatView)));
    const started = Date.now();
    assert.deepEqual(await compose.beforeSend({ id: 5, active: true }, { ...mock.composeDetails.get(5)!, body: '<p>no chat</p>' }), {});
    assert.ok(Date.now() - started < 2_000, 'returned after the 50 ms grace period, not when the server answered');
    release();
  });

  it('queues the end of a chat whose panel was removed while the server is down, and delivers it when it is back', async () => {
    const { api, compose, mock, chatId, pending } = await draftWithPanel();
    const endChat = api.endChat.bind(api);
    api.endChat = () => Promise.reject(new Error('ECONNREFUSED'));
    assert.deepEqual(await compose.beforeSend({ id: 5, active: true }, { ...mock.composeDetails.get(5)!, body: '<p>no chat</p>' }), {});
    assert.deepEqual(
      (await pending.list()).map((c) => [c.kind, c.chatId]),
      [['end', chatId]],
    );
    // Still down at the next start: kept.
    await compose.flushPending();
    assert.equal((await pending.list()).length, 1);
    assert.deepEqual(api.ended, []);
    api.endChat = endChat;
    await compose.flushPending();
    assert.deepEqual(api.ended, [chatId]);
    assert.deepEqual(await pending.list(), []);
  });

  it('queues an audience sync that failed at send, and drops it once delivered', async () => {
    const { api, compose, chatId, details, pending } = await draftWithPanel();
    const replace = api.replace;
    api.replace = () => Promise.reject(new Error('ECONNREFUSED'));
    await compose.beforeSend({ id: 5, active: true }, { ...details, to: ['ann@example.org', 'new@example.com'] });
    const [queued] = await pending.list();
    assert.equal(queued?.kind, 'audience');
    assert.deepEqual(queued?.kind === 'audience' && queued.audience.to, ['ann@example.org', 'new@example.com']);
    api.replace = replace;
    await compose.flushPending();
    assert.deepEqual(
      api.synced.map((s) => [s.chatId, s.audience.to]),
      [[chatId, ['ann@example.org', 'new@example.com']]],
    );
    assert.deepEqual(await pending.list(), []);
  });

  it('leaves emails without a panel alone', async () => {
    const { api, compose, mock } = setup();
    assert.deepEqual(await compose.beforeSend({ id: 5, active: true }, mock.composeDetails.get(5)!), {});
    assert.equal(api.synced.length, 0);
  });
});
