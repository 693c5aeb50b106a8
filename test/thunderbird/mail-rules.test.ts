/**
 * The mail-client rules Thunderbird now shares with Outlook, in Debian's real Thunderbird
 * (headless) with the built .xpi: a chat whose panel Bob deletes from his draft before sending
 * ends, and the owner of a chat answers requests to join it in the "Chats" space, live. Real
 * server, PostgreSQL, SMTP catcher and socket; the requesters use the REST API as the web page does.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AccessRequestView, ChatView, SessionView } from '../../protocol/index.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { panelHtml } from '../../mail-client/panel.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait.ts';
import { startThunderbird, thunderbirdVersion, type Thunderbird } from './support/thunderbird.ts';
import {
  ACCESS_REQUEST_IN_PANE,
  ACCESS_REQUEST_IN_SPACE,
  CHAT_IN_MESSAGE_PANE,
  CLICK_EMBED_IM,
  DECIDE_ACCESS_IN_PANE,
  DECIDE_ACCESS_IN_SPACE,
  ENTER_CODE,
  OPEN_CHAT_IN_SPACE,
  OPEN_COMPOSE,
  OPEN_MESSAGE,
  OPEN_OPTIONS,
  REMOVE_PANEL_AND_SEND,
  REQUEST_CODE,
  REQUESTS_SECTION_IN_SPACE,
  SEND_COMPOSE,
  SIGN_OUT,
  SET_SERVER,
  WAIT_FOR_EXTENSION,
} from './support/tb-scripts.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const XPI = path.join(ROOT, 'dist/inbox-chat-thunderbird.xpi');
const EXTENSION_ID = 'inbox-chat@inbox-chat.example';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const EVE = 'eve@example.net';
const FRANK = 'frank@example.org';
const GUS = 'gus@example.net';
const SENT_SUBJECT = 'Venue shortlist';

/** The email Bob sent with his chat's panel, as it sits in his mailbox. */
function sentEmail(chat: ChatView, baseUrl: string): string {
  return [
    `From: Bob Example <${BOB}>`,
    `To: Alice Example <${ALICE}>`,
    `Subject: ${SENT_SUBJECT}`,
    'Message-ID: <venue-shortlist@example.com>',
    'Date: Sun, 29 Nov 2026 09:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    `<html><body><p>Three venues to compare.</p>${panelHtml({ chatUrl: chatUrl(baseUrl, chat.id), chatId: chat.id, subject: SENT_SUBJECT })}</body></html>`,
    '',
  ].join('\r\n');
}

describe('Thunderbird: panel removed before send ends the chat; the owner answers access requests (real Thunderbird)', function () {
  // Starting Thunderbird on a shared machine is slow; this is the only limit.
  this.timeout(Number(process.env.TB_TEST_TIMEOUT_MS ?? 10 * 60_000));

  let server: TestServer;
  let tb: Thunderbird | undefined;
  let bob: SessionView;
  let sentChat: ChatView;

  const chatAs = (token: string, id: string) => api<ChatView>(server, 'GET', `/api/chats/${id}`, undefined, token);
  const myRequest = async (token: string, id: string) =>
    (await api<{ request: AccessRequestView | null }>(server, 'GET', `/api/chats/${id}/access-requests/mine`, undefined, token)).body
      .request;

  before(async function () {
    if (process.env.INBOX_CHAT_SKIP_THUNDERBIRD === '1') this.skip();
    assert.ok(thunderbirdVersion(), 'Thunderbird is not installed: apt-get install -y thunderbird (see docs/thunderbird.md)');
    assert.ok(existsSync(XPI), 'dist/inbox-chat-thunderbird.xpi is missing: run npm run build');
    server = await startTestServer();
    // The test's own look at Bob's chats, as Bob (the extension signs in with its own session).
    bob = await signIn(server, BOB);
    const sent = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: SENT_SUBJECT, audience: { from: [BOB], to: [ALICE] }, source: 'EMAIL' },
      bob.token,
    );
    assert.equal(sent.status, 201);
    sentChat = sent.body;
    tb = await startThunderbird({
      extension: { id: EXTENSION_ID, xpi: XPI },
      inbox: [sentEmail(sentChat, server.url)],
      identity: { name: 'Bob Example', email: BOB },
      smtpPort: server.catcher!.port,
    });
    const r = await tb.chrome<{ optionsUrl: string }>(WAIT_FOR_EXTENSION, [EXTENSION_ID]);
    await tb.chrome(OPEN_OPTIONS, [r.optionsUrl]);
    await tb.chrome(SET_SERVER, [server.url]);
    const before = lastMailId(server);
    await tb.chrome(REQUEST_CODE, [BOB]);
    assert.equal(await tb.chrome<string>(ENTER_CODE, [await codeFromMail(server, BOB, before)]), `Signed in as ${BOB}.`);
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && tb) console.log(`--- Thunderbird output ---\n${tb.output()}`);
  });

  after(async () => {
    await tb?.stop();
    await server?.close();
  });

  it('ends the chat whose panel Bob deleted from the draft, and the sent email names no chat', async () => {
    await tb!.chrome(OPEN_COMPOSE, ['carol@example.com', 'No chat after all']);
    const chatId = await tb!.chrome<string>(CLICK_EMBED_IM);
    const created = await chatAs(bob.token, chatId);
    assert.equal(created.status, 200);
    assert.equal(created.body.endedAt, null, 'the chat is live while its panel is in the draft');

    await tb!.chrome(REMOVE_PANEL_AND_SEND);
    const sent = await server.catcher!.waitFor((m) => m.subject === 'No chat after all', 120_000);
    assert.equal(sent.headers['x-inbox-chat'], undefined, 'no chat header on an email without a panel');
    assert.doesNotMatch(sent.text ?? '', new RegExp(chatId));
    const ended = await waitUntil('the chat is ended', async () => (await chatAs(bob.token, chatId)).body.endedAt, 30_000, 100);
    assert.ok(Date.parse(ended) > 0);
  });

  it('keeps the chat when the panel stays in the draft', async () => {
    await tb!.chrome(OPEN_COMPOSE, ['dora@example.com', 'Chat kept']);
    const chatId = await tb!.chrome<string>(CLICK_EMBED_IM);
    await tb!.chrome(SEND_COMPOSE);
    const sent = await server.catcher!.waitFor((m) => m.subject === 'Chat kept', 120_000);
    assert.equal(sent.headers['x-inbox-chat'], chatId);
    assert.equal((await chatAs(bob.token, chatId)).body.endedAt, null);
  });

  it('ends the chat once Bob is signed in again when he was signed out at send', async () => {
    await tb!.chrome(OPEN_COMPOSE, ['erin@example.com', 'Sent while signed out']);
    const chatId = await tb!.chrome<string>(CLICK_EMBED_IM);
    await tb!.chrome(SIGN_OUT);
    await tb!.chrome(REMOVE_PANEL_AND_SEND);
    const sent = await server.catcher!.waitFor((m) => m.subject === 'Sent while signed out', 120_000);
    assert.equal(sent.headers['x-inbox-chat'], undefined);
    // Nothing can reach the server while signed out: the end waits in the extension's storage.
    assert.equal((await chatAs(bob.token, chatId)).body.endedAt, null);

    const before = lastMailId(server);
    await tb!.chrome(REQUEST_CODE, [BOB]);
    assert.equal(await tb!.chrome<string>(ENTER_CODE, [await codeFromMail(server, BOB, before)]), `Signed in as ${BOB}.`);
    await waitUntil('the queued end reaches the server', async () => (await chatAs(bob.token, chatId)).body.endedAt, 30_000, 100);
  });

  it('shows Bob, the owner, requests to join his chat in the Chats space, live, and saves his answers', async () => {
    const created = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: 'Offsite planning', audience: { from: [BOB], to: [ALICE] } },
      bob.token,
    );
    assert.equal(created.status, 201);
    const chat = created.body;
    const eve = await signIn(server, EVE);
    const asked = await api(server, 'POST', `/api/chats/${chat.id}/access-requests`, { note: 'I run the venue <b>booking</b>' }, eve.token);
    assert.equal(asked.status, 201, JSON.stringify(asked.body));

    // A request made before the chat was opened is loaded with it.
    await tb!.chrome(OPEN_CHAT_IN_SPACE, [chat.id]);
    const shown = await tb!.chrome<{ text: string; note: string | null; heading: string }>(ACCESS_REQUEST_IN_SPACE, [EVE]);
    assert.equal(shown.heading, 'Asking to join');
    assert.equal(shown.text, `${EVE} asks to join this chat.`);
    // Shown as text, never as markup.
    assert.equal(shown.note, 'I run the venue <b>booking</b>');

    // One made while the chat is on screen arrives live, through the background's relay.
    const frank = await signIn(server, FRANK);
    assert.equal((await api(server, 'POST', `/api/chats/${chat.id}/access-requests`, {}, frank.token)).status, 201);
    await tb!.chrome(ACCESS_REQUEST_IN_SPACE, [FRANK]);

    await tb!.chrome(DECIDE_ACCESS_IN_SPACE, [EVE, 'Approve']);
    await tb!.chrome(DECIDE_ACCESS_IN_SPACE, [FRANK, 'Decline']);
    assert.equal((await myRequest(eve.token, chat.id))?.status, 'APPROVED');
    assert.equal((await myRequest(frank.token, chat.id))?.status, 'DECLINED');
    const opened = await api<ChatView>(server, 'POST', `/api/chats/${chat.id}/open`, undefined, eve.token);
    assert.equal(opened.status, 200, 'Eve, let in, can open the chat');
  });

  it('shows Bob a request to join above the live chat in the email he sent, and saves his answer', async () => {
    await tb!.chrome(OPEN_MESSAGE, [SENT_SUBJECT, 'Three venues to compare.']);
    await tb!.chrome(CHAT_IN_MESSAGE_PANE, [sentChat.id]);
    const gus = await signIn(server, GUS);
    assert.equal((await api(server, 'POST', `/api/chats/${sentChat.id}/access-requests`, {}, gus.token)).status, 201);
    const shown = await tb!.chrome<{ text: string; aboveChat: boolean; afterPanel: boolean }>(ACCESS_REQUEST_IN_PANE, [GUS]);
    assert.deepEqual(shown, { text: `${GUS} asks to join this chat.`, aboveChat: true, afterPanel: true });
    await tb!.chrome(DECIDE_ACCESS_IN_PANE, [GUS, 'Approve']);
    assert.equal((await myRequest(gus.token, sentChat.id))?.status, 'APPROVED');
  });

  it('shows no requests section in a chat Bob does not own', async () => {
    const alice = await signIn(server, ALICE);
    const created = await api<ChatView>(
      server,
      'POST',
      '/api/chats',
      { subject: "Alice's chat", audience: { from: [ALICE], to: [BOB] } },
      alice.token,
    );
    assert.equal(created.status, 201);
    await tb!.chrome(OPEN_CHAT_IN_SPACE, [created.body.id]);
    assert.equal(await tb!.chrome<boolean>(REQUESTS_SECTION_IN_SPACE), false);
  });
});
