/**
 * The Outlook add-in's read logic against the real server: finding an email's chat, following the
 * selection in a pinned pane, the unread info bar, and "Reply with IM".
 * Outlook itself is mocked (office-addin-mock; see support/outlook.ts) because it cannot run here.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { ReadController, type ReadTarget } from '../../addin/src/read/controller.ts';
import { findChatForItem, replyWithImBody, showUnreadInfoBar } from '../../addin/src/read/message.ts';
import { chatIdFromHeaderBlock } from '../../mail-client/chat-header.ts';
import { createContext, type AddinContext } from '../../addin/src/office/context.ts';
import { memoryStore } from '../../addin/src/office/storage.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { panelHtml, panelText } from '../../mail-client/panel.ts';
import type { SessionView } from '../../protocol/index.ts';
import { api, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { FakeMessage, installOffice, type InstalledOffice } from './support/outlook.ts';
import { waitUntil } from '../support/wait.ts';
import { replyChatBody } from '../../thunderbird-ext/src/shared/message-chat.ts';
import { MEDIA_SWEEP_QUEUE } from '../../backend/src/media/media-objects.ts';

const OWNER = 'olga@owner.example';
const READER = 'bruno@reader.example';
const CHAT_A = '3f2b8c1e-1d2a-4b7c-9e8f-0a1b2c3d4e5f';

/** The panel as Outlook on the web hands it back: class and data- attributes stripped. */
function asOutlookDelivers(html: string): string {
  return html.replace(/\s(?:class|data-[\w-]+)="[^"]*"/g, '');
}

describe('Outlook add-in: read (finding the chat, switching emails, info bar, Reply with IM)', function () {
  let server: TestServer;
  let owner: SessionView;
  let reader: SessionView;
  let office: InstalledOffice | null = null;

  before(async () => {
    server = await startTestServer();
    owner = await signIn(server, OWNER);
    reader = await signIn(server, READER);
  });
  after(async () => server.close());
  afterEach(() => office?.uninstall());

  async function readerContext(): Promise<AddinContext> {
    const ctx = await createContext({ store: memoryStore(), serverUrl: server.url });
    await ctx.session.save(reader);
    return ctx;
  }

  async function chatWithReader(subject: string, messages: string[]): Promise<string> {
    const created = await api(
      server,
      'POST',
      '/api/chats',
      { subject, audience: { from: [OWNER], to: [READER] }, draftKey: `t-${subject}` },
      owner.token,
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    for (const [i, body] of messages.entries()) {
      const sent = await api(server, 'POST', `/api/chats/${created.body.id}/messages`, { clientId: `m${i}`, body }, owner.token);
      assert.equal(sent.status, 201);
    }
    return created.body.id;
  }

  const panelEmail = (chatId: string, extra: Partial<ConstructorParameters<typeof FakeMessage>[0]> = {}) =>
    new FakeMessage({
      subject: 'Plan',
      from: OWNER,
      to: [READER],
      html: `<div>Hi</div>${asOutlookDelivers(panelHtml({ chatUrl: chatUrl(server.url, chatId), chatId, subject: 'Plan' }))}`,
      ...extra,
    });

  it('finds the UUID by the X- header, by the panel link, through Safe Links, and in plain text', async () => {
    const url = chatUrl(server.url, CHAT_A);
    office = installOffice(READER, new FakeMessage({ from: OWNER, headers: `Subject: a\r\nX-Inbox-Chat: ${CHAT_A.toUpperCase()}\r\n` }));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), CHAT_A);

    office.select(panelEmail(CHAT_A));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), CHAT_A);

    const wrapped = `https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(url)}&amp;data=05%7C01&amp;reserved=0`;
    office.select(new FakeMessage({ from: OWNER, html: `<p><a href="${wrapped}">Open the chat</a></p>` }));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), CHAT_A);

    office.select(new FakeMessage({ from: OWNER, text: `Hello\n${panelText({ chatUrl: url, chatId: CHAT_A, subject: 'x' })}` }));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), CHAT_A);
  });

  it('an email without a panel, or with a panel from another server, has no chat here', async () => {
    office = installOffice(READER, new FakeMessage({ from: OWNER, html: '<p>Lunch at noon? https://example.com/c/not-a-uuid</p>' }));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), null);
    office.select(new FakeMessage({ from: OWNER, html: `<a href="https://elsewhere.example/c/${CHAT_A}">chat</a>` }));
    assert.equal(await findChatForItem(Office.context.mailbox.item as Office.MessageRead, server.url), null);
    assert.equal(chatIdFromHeaderBlock('X-Inbox-Chat: not-a-uuid\r\n'), null);
  });

  it('a pinned pane follows the selection: chat, then none, then another chat; the info bar counts unread IMs', async () => {
    const chat1 = await chatWithReader('First', ['one', 'two']);
    const chat2 = await chatWithReader('Second', ['three']);
    const first = panelEmail(chat1);
    const plain = new FakeMessage({ subject: 'Lunch', from: OWNER, to: [READER], text: 'Lunch at noon?' });
    const second = panelEmail(chat2);
    office = installOffice(READER, first);
    const ctx = await readerContext();
    const shown: ReadTarget[] = [];
    const controller = new ReadController({ api: ctx.api, serverUrl: server.url, show: (t) => shown.push(t) });
    await controller.start();

    const t1 = shown.at(-1)!;
    assert.equal(t1.kind, 'chat');
    assert.equal(t1.kind === 'chat' && t1.chatId, chat1);
    assert.equal(t1.kind === 'chat' && t1.chat?.me.address, READER, 'opening joined the reader');
    // The owner's two messages, none read yet (the reader's own "joined" notice is not an IM).
    assert.equal(t1.kind === 'chat' && t1.chat?.unread, 2);
    assert.deepEqual(first.notifications.get('inboxChatUnread'), { type: 'informationalMessage', message: '2 unread IMs' });

    office.select(plain);
    office.fireItemChanged();
    await waitUntil('the switch to a plain email is shown', () => shown.length === 2, 5_000);
    assert.equal(shown[1]!.kind, 'no-chat');
    assert.equal(plain.notifications.size, 0);

    office.select(second);
    office.fireItemChanged();
    await waitUntil('the switch to the second chat email is shown', () => shown.length === 3, 5_000);
    assert.equal(shown[2]!.kind === 'chat' && shown[2]!.chatId, chat2);
    assert.equal(second.notifications.get('inboxChatUnread')?.message, '1 unread IM');
  });

  it('only the newest selection reaches the pane, even when an older lookup answers last', async () => {
    const slowChat = await chatWithReader('Slow', []);
    const ctx = await readerContext();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gatedApi = {
      openChat: async (id: string) => {
        if (id === slowChat) await gate;
        return ctx.api.openChat(id);
      },
    };
    office = installOffice(READER, panelEmail(slowChat));
    const shown: ReadTarget[] = [];
    const controller = new ReadController({ api: gatedApi, serverUrl: server.url, show: (t) => shown.push(t) });
    const slow = controller.refresh();
    office.select(new FakeMessage({ from: OWNER, text: 'no chat here' }));
    await controller.refresh();
    release();
    await slow;
    assert.deepEqual(
      shown.map((t) => t.kind),
      ['no-chat'],
    );
  });

  it('someone outside the audience gets NOT_IN_AUDIENCE (and can ask for access)', async () => {
    const privateChat = (
      await api(server, 'POST', '/api/chats', { subject: 'Private', audience: { to: ['someone@else.example'] } }, owner.token)
    ).body.id;
    office = installOffice(READER, panelEmail(privateChat));
    const ctx = await readerContext();
    const shown: ReadTarget[] = [];
    await new ReadController({ api: ctx.api, serverUrl: server.url, show: (t) => shown.push(t) }).refresh();
    const t = shown[0]!;
    assert.equal(t.kind === 'chat' && t.error?.code, 'NOT_IN_AUDIENCE');
  });

  it('the info bar disappears when nothing is unread', async () => {
    const message = new FakeMessage({ from: OWNER });
    office = installOffice(READER, message);
    const item = Office.context.mailbox.item as Office.MessageRead;
    await showUnreadInfoBar(item, 3);
    assert.equal(message.notifications.get('inboxChatUnread')?.message, '3 unread IMs');
    await showUnreadInfoBar(item, 0);
    assert.equal(message.notifications.has('inboxChatUnread'), false);
  });

  it('Reply with IM starts a chat with the sender and participants, quotes the email first, mails nobody, and is the same chat from Thunderbird', async () => {
    const email = new FakeMessage({
      subject: 'Budget question',
      from: 'Sam@Sender.example',
      to: [READER, 'tia@example.com'],
      cc: ['uma@example.com', READER],
      text: 'Can we move 10k from travel to tooling?\n\nSam',
      internetMessageId: '<budget-1@sender.example>',
    });
    office = installOffice(READER, email);
    const ctx = await readerContext();
    const mailsBefore = lastMailId(server);
    const jobsBefore = await lastJobId(server);

    const body = await replyWithImBody(Office.context.mailbox.item as Office.MessageRead);
    const chat = await ctx.api.createChat(body);
    assert.equal(chat.subject, 'Budget question');
    assert.equal(chat.emailMessageId, '<budget-1@sender.example>');
    const roles = Object.fromEntries(chat.audience.map((a) => [a.address, a.role]));
    assert.deepEqual(roles, {
      [READER]: 'FROM',
      'sam@sender.example': 'TO',
      'tia@example.com': 'TO',
      'uma@example.com': 'CC',
    });

    const history = await ctx.api.history(chat.id);
    assert.equal(history.messages[0]!.kind, 'QUOTE');
    assert.equal(history.messages[0]!.authorAddress, 'sam@sender.example');
    assert.match(history.messages[0]!.body, /move 10k from travel to tooling/);

    // Pressing it again on the same email opens the same chat.
    const again = await ctx.api.createChat(await replyWithImBody(Office.context.mailbox.item as Office.MessageRead));
    assert.equal(again.id, chat.id);
    // So does Thunderbird's "Reply with IM" on the same email for the same person: one chat per email.
    const fromThunderbird = replyChatBody(
      {
        id: 7,
        author: 'Sam <Sam@Sender.example>',
        recipients: [READER, 'tia@example.com'],
        ccList: ['uma@example.com'],
        bccList: [],
        subject: 'Budget question',
        date: new Date(),
        headerMessageId: 'budget-1@sender.example',
      },
      { contentType: 'text/plain', body: 'Can we move 10k from travel to tooling?\n\nSam' },
      READER,
    );
    assert.equal((await ctx.api.createChat(fromThunderbird)).id, chat.id);
    // Nothing went into anyone's mailbox: outbound mail and reminders are queued as jobs in the same
    // transaction as the chat, so a job would already exist (no sleep needed to see it).
    assert.deepEqual(await queuedSince(server, jobsBefore), []);
    assert.equal(lastMailId(server), mailsBefore);
  });
});

async function jobQuery<R extends pg.QueryResultRow>(server: TestServer, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function lastJobId(server: TestServer): Promise<string> {
  return (await jobQuery<{ id: string | null }>(server, 'SELECT max(id)::text AS id FROM job'))[0]?.id ?? '0';
}

/** The queues of the jobs created after `afterId` (outbound mail, reminders, digests; not the hourly store sweep). */
async function queuedSince(server: TestServer, afterId: string): Promise<string[]> {
  return (
    await jobQuery<{ queue: string }>(server, 'SELECT queue FROM job WHERE id > $1::bigint AND queue <> $2 ORDER BY id', [
      afterId,
      MEDIA_SWEEP_QUEUE,
    ])
  ).map((j) => j.queue);
}
