/**
 * The extension in a real Thunderbird whose background is suspended when idle, as Manifest V3
 * event pages are for users (here after 3 s instead of 30 s: `extensions.background.idle.timeout`),
 * with extension pages in their own process (`extensions.webextensions.remote` left at its
 * default). Every step waits for Thunderbird to actually suspend the background first, then does
 * what a user does: enter the emailed code, read a chat, click Embed IM, send.
 * Also covered here: transcripts filed through the options UI, a Safe Links email, a panel from
 * another server, and the Chats space layout.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ChatView, MessageView, SessionView } from '../../protocol/index.ts';
import { chatUrl } from '../../mail-client/chat-url.ts';
import { panelHtml } from '../../mail-client/panel.ts';
import { api, codeFromMail, lastMailId, signIn, startTestServer, type TestServer } from '../support/server.ts';
import { screenshotDir } from '../support/screenshots.ts';
import { startThunderbird, thunderbirdVersion, type Thunderbird } from './support/thunderbird.ts';
import {
  ADD_RECIPIENT_AND_SEND,
  BADGE_ABOVE,
  BADGE_NOW,
  CLOSE_CHAT_VIEWS,
  CHATS_LAYOUT,
  CHOOSE_TRANSCRIPT_FOLDER,
  DEBUG_STATE,
  EMBED_IM_COUNT,
  ENTER_CODE,
  FOLDER_SUBJECTS,
  OPEN_CHAT_IN_SPACE,
  OPEN_COMPOSE,
  OPEN_MESSAGE,
  OPEN_OPTIONS,
  PANE_STATE,
  REQUEST_CODE,
  SAVE_TRANSCRIPT_IN_SPACE,
  SEND_FROM_PANE,
  SET_SERVER,
  SUSPENSIONS,
  WAIT_FOR_EXTENSION,
  WAIT_FOR_MESSAGE_IN_PANE,
  WAIT_FOR_SUSPENSION,
} from './support/tb-scripts.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const XPI = path.join(ROOT, 'dist/inbox-chat-thunderbird.xpi');
const EXTENSION_ID = 'inbox-chat@inbox-chat.example';
const SCREENSHOT = path.join(screenshotDir(), 'thunderbird-chats-space.png');
/** Short, but long enough for a click and its answer: the default is 30 000. */
const IDLE_TIMEOUT_MS = 3_000;

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const SUBJECT = 'Budget review: live chat';
const SAFE_SUBJECT = 'Through Safe Links';
const OTHER_SUBJECT = 'A chat on another server';

function email(subject: string, messageId: string, panel: string): string {
  return [
    `From: Alice Example <${ALICE}>`,
    `To: Bob Example <${BOB}>`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    'Date: Sat, 21 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `<html><body><p>Hi Bob,</p><p>about ${subject}, see the chat below.</p>${panel}<p>Alice</p></body></html>`,
    '',
  ].join('\r\n');
}

/** What Microsoft Safe Links makes of every link in a received email. */
function safeLinked(html: string): string {
  return html.replace(
    /href="([^"]+)"/g,
    (_, url: string) =>
      `href="https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(url)}&amp;data=05%7C02%7Cbob%40example.com&amp;reserved=0"`,
  );
}

describe('Thunderbird: the extension survives its background being suspended (real Thunderbird, remote extension pages)', function () {
  this.timeout(Number(process.env.TB_TEST_TIMEOUT_MS ?? 10 * 60_000));

  let server: TestServer;
  let tb: Thunderbird | undefined;
  let alice: SessionView;
  let chat: ChatView;
  let safeChat: ChatView;

  const suspended = async () => {
    const n = await tb!.chrome<number>(SUSPENSIONS);
    return () => tb!.chrome<boolean>(WAIT_FOR_SUSPENSION, [n]);
  };

  before(async function () {
    if (process.env.INBOX_CHAT_SKIP_THUNDERBIRD === '1') this.skip();
    assert.ok(thunderbirdVersion(), 'Thunderbird is not installed: apt-get install -y thunderbird (see docs/thunderbird.md)');
    assert.ok(existsSync(XPI), 'dist/inbox-chat-thunderbird.xpi is missing: run npm run build');

    server = await startTestServer();
    alice = await signIn(server, ALICE);
    const create = async (subject: string) => {
      const r = await api<ChatView>(
        server,
        'POST',
        '/api/chats',
        { subject, audience: { from: [ALICE], to: [BOB] }, source: 'EMAIL' },
        alice.token,
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    chat = await create(SUBJECT);
    safeChat = await create(SAFE_SUBJECT);
    await api(server, 'POST', `/api/chats/${chat.id}/messages`, { clientId: 'alice-1', body: 'Welcome, Bob!' }, alice.token);
    const panel = (c: ChatView, base: string) => panelHtml({ chatUrl: chatUrl(base, c.id), chatId: c.id, subject: c.subject });

    tb = await startThunderbird(
      {
        extension: { id: EXTENSION_ID, xpi: XPI },
        inbox: [
          email(SUBJECT, 'budget@example.com', panel(chat, server.url)),
          email(SAFE_SUBJECT, 'safe@example.com', safeLinked(panel(safeChat, server.url))),
          email(OTHER_SUBJECT, 'other@example.com', panel(chat, 'https://chat.other.example')),
        ],
        identity: { name: 'Bob Example', email: BOB },
        smtpPort: server.catcher!.port,
      },
      { 'extensions.background.idle.timeout': IDLE_TIMEOUT_MS },
    );
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && tb) console.log(`--- Thunderbird output ---\n${tb.output()}`);
  });

  afterEach(async function () {
    if (process.env.TB_DEBUG && tb && this.currentTest?.state === 'failed')
      console.log(JSON.stringify(await tb.chrome(DEBUG_STATE), null, 1));
  });

  after(async () => {
    await tb?.stop();
    await server?.close();
  });

  it('starts, and Thunderbird suspends its idle background', async () => {
    const r = await tb!.chrome<{ optionsUrl: string }>(WAIT_FOR_EXTENSION, [EXTENSION_ID]);
    const waitForSuspension = await suspended();
    await waitForSuspension();
    // Opening the options page while the background sleeps wakes it; the page must not be blank.
    await tb!.chrome(OPEN_OPTIONS, [r.optionsUrl]);
  });

  it('signs in across a suspension: the code is entered after the background went to sleep', async () => {
    await tb!.chrome(SET_SERVER, [server.url]);
    const before = lastMailId(server);
    await tb!.chrome(REQUEST_CODE, [BOB]);
    const code = await codeFromMail(server, BOB, before);
    const waitForSuspension = await suspended();
    await waitForSuspension();
    assert.equal(await tb!.chrome<string>(ENTER_CODE, [code]), `Signed in as ${BOB}.`);
    // The session is named after the client in the session list.
    const db = new pg.Client({ connectionString: server.database.url });
    await db.connect();
    try {
      const labels = (await db.query<{ label: string }>('SELECT label FROM session ORDER BY created_at DESC LIMIT 1')).rows;
      assert.match(labels[0]!.label, /Thunderbird/);
    } finally {
      await db.end();
    }
  });

  it('keeps receiving and sending in an open chat after the background was suspended and woken', async () => {
    await tb!.chrome(OPEN_MESSAGE, [SUBJECT, 'see the chat below']);
    assert.deepEqual(await tb!.chrome(PANE_STATE), { status: 'online', title: SUBJECT });
    const waitForSuspension = await suspended();
    await waitForSuspension();
    // Alice writes after the background was suspended: the chat still gets it.
    const posted = await api<MessageView>(
      server,
      'POST',
      `/api/chats/${chat.id}/messages`,
      { clientId: 'alice-idle-1', body: 'Still there after a quiet minute?' },
      alice.token,
    );
    assert.equal(posted.status, 201);
    const got = await tb!.chrome<{ author: string }>(WAIT_FOR_MESSAGE_IN_PANE, ['Still there after a quiet minute?']);
    assert.equal(got.author, ALICE);
    // And Bob's answer, typed after another suspension, reaches the server once.
    const again = await suspended();
    await again();
    const seq = await tb!.chrome<string>(SEND_FROM_PANE, ['Yes, still here.']);
    const history = await api<{ messages: MessageView[] }>(
      server,
      'GET',
      `/api/chats/${chat.id}/messages?limit=50`,
      undefined,
      alice.token,
    );
    const mine = history.body.messages.filter((m) => m.body === 'Yes, still here.');
    assert.equal(mine.length, 1, JSON.stringify(history.body));
    assert.equal(String(mine[0]!.seq), seq);
  });

  it('shows the chat of an email whose links went through Microsoft Safe Links', async () => {
    await tb!.chrome(OPEN_MESSAGE, [SAFE_SUBJECT, 'see the chat below']);
    assert.deepEqual(await tb!.chrome(PANE_STATE), { status: 'online', title: SAFE_SUBJECT });
  });

  it('says which server to set for a panel from another Inbox Chat server', async () => {
    await tb!.chrome(OPEN_MESSAGE, [OTHER_SUBJECT, 'see the chat below']);
    const state = await tb!.chrome<{ otherServer: string; note: string }>(PANE_STATE);
    assert.equal(state.otherServer, 'https://chat.other.example');
    assert.match(state.note, /Set the server to https:\/\/chat\.other\.example/);
  });

  it('Embed IM after idle inserts exactly one panel, and send after idle syncs the audience', async () => {
    await tb!.chrome(OPEN_COMPOSE, ['carol@example.com', 'Offsite after idle']);
    // Two suspensions: each wake-up used to inject the compose script once more.
    const first = await suspended();
    await first();
    const second = await suspended();
    await second();
    const embedded = await tb!.chrome<{ chatIds: string[]; openedOptions: boolean }>(EMBED_IM_COUNT);
    assert.equal(embedded.openedOptions, false, 'signed in: Embed IM must not open the options page');
    assert.equal(embedded.chatIds.length, 1, `panels: ${JSON.stringify(embedded.chatIds)}`);
    const chatId = embedded.chatIds[0]!;

    const idle = await suspended();
    await idle();
    await tb!.chrome(ADD_RECIPIENT_AND_SEND, ['dave@example.com']);
    const sent = await server.catcher!.waitFor((m) => m.subject === 'Offsite after idle', 120_000);
    assert.equal(sent.headers['x-inbox-chat'], chatId);
    const dave = await signIn(server, 'dave@example.com');
    const opened = await api<ChatView>(server, 'POST', `/api/chats/${chatId}/open`, undefined, dave.token);
    assert.equal(opened.status, 200, JSON.stringify(opened.body));
  });

  it('configures the transcript folder in the options page (Local Folders are listed) and files a transcript there', async () => {
    const chosen = await tb!.chrome<{ labels: string[]; result: string }>(CHOOSE_TRANSCRIPT_FOLDER, ['/ Trash']);
    assert.ok(
      chosen.labels.some((l) => l.startsWith('Local Folders / ')),
      JSON.stringify(chosen.labels),
    );
    assert.equal(chosen.result, 'Transcripts will be filed there.');
    await tb!.chrome(OPEN_CHAT_IN_SPACE, [chat.id]);
    const saved = await tb!.chrome<string>(SAVE_TRANSCRIPT_IN_SPACE);
    assert.match(saved, /^Saved \d+ messages/);
    const subjects = await tb!.chrome<string[]>(FOLDER_SUBJECTS, ['Trash']);
    assert.ok(subjects.includes(`Chat transcript: ${SUBJECT}`), JSON.stringify(subjects));
  });

  it('lays out the Chats space as a list beside the open chat (screenshot)', async () => {
    const layout = await tb!.chrome<{
      list: { left: number; right: number; top: number };
      main: { left: number; right: number; top: number };
      width: number;
    }>(CHATS_LAYOUT);
    assert.ok(layout.list.right <= layout.main.left + 1, `list beside the chat: ${JSON.stringify(layout)}`);
    assert.equal(Math.round(layout.list.top), Math.round(layout.main.top));
    const png = await tb!.marionette.screenshot();
    assert.ok(png.length > 10_000, 'a real rendering, not an empty image');
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    writeFileSync(SCREENSHOT, png);
  });

  it('updates the Chats badge for a message that arrives while the background sleeps', async () => {
    await tb!.chrome(CLOSE_CHAT_VIEWS);
    const asleep = await suspended();
    await asleep();
    const before = await tb!.chrome<number>(BADGE_NOW);
    const posted = await api(
      server,
      'POST',
      `/api/chats/${safeChat.id}/messages`,
      { clientId: 'alice-asleep-1', body: 'While you were away' },
      alice.token,
    );
    assert.equal(posted.status, 201);
    // The alarm wakes the background at least once a minute.
    const after = await tb!.chrome<number>(BADGE_ABOVE, [before]);
    assert.equal(after, before + 1);
  });
});
