/**
 * The background page: the composition root. It owns the session and the one socket, serves the
 * views over the relay, and handles compose, the message display action, the Chats space,
 * unread badge and notifications. All of its state lives in one createBackground() call, built
 * in the order its parts use each other.
 *
 * Thunderbird suspends this Manifest V3 background after ~30 s without activity and starts it
 * again for the next event. So every listener is registered synchronously while the script first
 * runs (an event that wakes the background is only delivered to listeners that exist by then),
 * every handler waits for `ready` before it touches state, and nothing that must
 * outlive a suspension lives only in memory: settings and the session in `storage.local`,
 * compose drafts and the chat a notification asked to show in `storage.session`.
 */
import type { AlertsView } from '../../../protocol/index.ts';
import { alertSender, firstWords, type Alert, type AlertWords } from '../../../ui/src/alerts/alert-policy.ts';
import { speakAlert } from '../../../ui/src/alerts/speech.ts';
import { Tone } from '../../../ui/src/alerts/tone.ts';
import { UUID_PATTERN } from '../../../protocol/patterns.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';
import { detectCapabilities } from '../../../ui/src/capabilities.ts';
import { SocketTransport } from '../../../ui/src/socket-transport.ts';
import { displayedMessage, type Messenger, type MessagePart } from '../messenger.ts';
import type { Command, CommandResult, FolderChoice, ShowChatMessage } from '../shared/commands.ts';
import { chatIdOfMessage, replyChatBody } from '../shared/message-chat.ts';
import { settingsChanged } from '../shared/settings.ts';
import { Backend } from './backend.ts';
import { ComposeChats, pendingChangesIn } from './compose.ts';
import { localFolders } from './folders.ts';
import { RelayHost } from './relay-host.ts';
import { Threads } from './threads.ts';
import { saveTranscript } from './transcript.ts';
import { UnreadTracker } from './unread.ts';
import { word } from './words.ts';
import { CallRings, RING_NOTIFICATION_ID } from './call-rings.ts';

const log = (message: string, err?: unknown) => console.warn(`[inbox-chat] ${message}`, err ?? '');
const SPACE = 'inbox_chat';
const DISPLAY_SCRIPT = { id: 'inbox-chat-message', js: ['message-display.js'], css: ['message-display.css'] };
const COMPOSE_SCRIPT = { id: 'inbox-chat-compose', js: ['compose-script.js'] };
/** The chat a notification click asked the Chats tab to show (that tab may still be loading). */
const PENDING_CHAT_KEY = 'pendingChat';
const UNREAD_SEQS_KEY = 'unreadSeqs';
/**
 * While the background sleeps nothing hears the socket, so an alarm wakes it now and then: the
 * start-up reconnects, lists the chats, sets the badge and notifies about what is new (the last
 * seqs it compares with are in storage.session).
 */
const UNREAD_ALARM = 'inbox-chat-unread';
const UNREAD_PERIOD_MINUTES = 1;
const NOTIFICATION_ID = new RegExp(`^inbox-chat:(${UUID_PATTERN}):`);

/** Alert words from Thunderbird's own locale (the background loads no interface catalogue). */
const backgroundAlertWords: AlertWords = {
  get someone() {
    return word('alertSomeone');
  },
  mentionedYou: (sender) => word('alertMentionedYou', sender),
};

export function createBackground(m: Messenger): { ready: Promise<void> } {
  let spaceId: number | null = null;
  /** Whether any relayed view is visible: the background page itself never is, so its socket reports this. */
  let viewsVisible = false;
  /** Whether a visible view shows this chat (then it does not alert); the relay answers once it exists. */
  let chatOnScreen: (chatId: string) => boolean = () => false;
  /** Every handler waits for this; it never rejects (a failed start still answers, signed out). Settled at the end. */
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));

  const backend = new Backend(
    m,
    (url, getToken) =>
      new SocketTransport({
        url,
        getToken,
        capabilities: () => detectCapabilities('thunderbird'),
        visible: () => viewsVisible,
        language: () => m.i18n?.getUILanguage(),
      }),
  );
  const threads = new Threads(m);

  // ---------- unread badge and notifications ----------
  const tone = new Tone();
  const unread = new UnreadTracker({
    transport: () => backend.transport,
    listChats: () => backend.api?.listChats() ?? null,
    setBadge: (n) => {
      if (spaceId !== null) void m.spaces.update(spaceId, { badgeText: n > 0 ? String(n) : '', badgeBackgroundColor: '#4f46e5' });
    },
    inBackground: async () => !(await m.windows.getAll()).some((w) => w.focused),
    showing: (chatId) => chatOnScreen(chatId),
    alertSettings: () => backend.api?.alerts() ?? null,
    alert: (a: Alert, settings: AlertsView) => {
      if (settings.desktop) {
        void m.notifications.create(`inbox-chat:${a.chatId}:${a.seq}`, {
          type: 'basic',
          title: a.subject || word('extensionName'),
          message: `${alertSender(a, backgroundAlertWords)}: ${firstWords(a.text, 30)}`,
          iconUrl: 'icons/chat-64.png',
        });
      }
      if (a.sound) tone.play();
      if (settings.speak) speakAlert(a, backgroundAlertWords);
    },
    memory: {
      // Per signed-in address: another account's seqs must not decide what is new.
      async load() {
        const raw = (await m.storage.session.get(UNREAD_SEQS_KEY))[UNREAD_SEQS_KEY] as
          { address?: string; seqs?: Record<string, number> } | undefined;
        return raw?.address && raw.address === backend.address && raw.seqs ? raw.seqs : null;
      },
      async save(seqs) {
        if (backend.address) await m.storage.session.set({ [UNREAD_SEQS_KEY]: { address: backend.address, seqs } });
      },
    },
  });

  const rings = new CallRings({
    transport: () => backend.transport,
    alertSettings: () => backend.api?.alerts() ?? null,
    notify: (id, title, message) => void m.notifications.create(id, { type: 'basic', title, message, iconUrl: 'icons/chat-64.png' }),
    clear: (id) => void m.notifications.clear(id),
    tone: () => tone.play(),
  });

  // ---------- relay ----------
  const relay = new RelayHost({
    transport: () => backend.transport,
    hello: () => ({ status: backend.transport.status, backendUrl: backend.backendUrl, address: backend.address }),
    fetchApi: async (method, path, body) => {
      const r = await backend.fetchApi(method, path, body);
      // A view marked something read or changed a chat: the badge follows.
      if (method !== 'GET') unread.schedule();
      return r;
    },
    history: (chatId, query) => {
      const api = backend.api;
      if (!api) return Promise.reject(Object.assign(new Error(word('errorSignIn')), { code: 'UNAUTHENTICATED' }));
      return api.history(chatId, query);
    },
    openOptions: () => m.runtime.openOptionsPage(),
    visibilityChanged: (visible) => {
      viewsVisible = visible;
      const t = backend.transport;
      if (t instanceof SocketTransport) t.reportVisibility();
    },
    ready: () => ready,
    // Any call from the background to Thunderbird resets its idle timer; a small write is one.
    keepAlive: () => m.storage.session.set({ keptAwakeAt: Date.now() }),
  });
  chatOnScreen = (chatId) => relay.showing(chatId);

  const compose = new ComposeChats(m, { api: () => backend.api, backendUrl: () => backend.backendUrl, pending: pendingChangesIn(m), log });

  // ---------- listeners, all registered before the first await ----------
  m.runtime.onConnect.addListener((port) => {
    if (!relay.accept(port)) return;
    // A message pane that found a panel: remember which email the chat lives in (for transcripts).
    const tabId = port.sender?.tab?.id;
    if (tabId !== undefined) {
      port.onMessage.addListener((msg: { kind?: string; op?: string; chatId?: string }) => {
        if (msg.kind === 'call' && msg.op === 'join' && msg.chatId) {
          void displayedMessage(m, tabId)
            .then((h) => h && threads.remember(msg.chatId!, h.headerMessageId))
            .catch(() => undefined);
        }
      });
    }
  });

  m.alarms.onAlarm.addListener((alarm) => {
    // Waking is the point: start() connects and the tracker lists the chats once online.
    if (alarm.name === UNREAD_ALARM) void ready;
  });

  m.notifications.onClicked.addListener((id) => {
    const chatId = (NOTIFICATION_ID.exec(id) ?? RING_NOTIFICATION_ID.exec(id))?.[1];
    if (chatId) void ready.then(() => showChat(chatId));
  });

  // ---------- session changes ----------
  backend.onChange(() => {
    relay.attach(backend.transport);
    relay.sessionChanged(backend.address, backend.backendUrl);
    unread.attach();
    rings.attach();
    // Each time the server is reachable again (also after every start: the unread alarm wakes the
    // background each minute), what an earlier send could not deliver goes, so a chat whose panel
    // was removed still ends.
    backend.transport.on('status', (s) => {
      if (s === 'online') void compose.flushPending().catch((err) => log('pending changes', err));
    });
  });
  m.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && settingsChanged(changes)) void ready.then(() => backend.reload());
  });

  // ---------- compose ----------
  m.composeAction.onClicked.addListener((tab) => {
    // A click may be what woke the background: without waiting, it would look signed out.
    ready
      .then(() => compose.embed(tab))
      .then(
        (r) => {
          if (r.status === 'signed-out') void m.runtime.openOptionsPage();
        },
        (err) => log('Embed IM failed', err),
      );
  });
  m.compose.onBeforeSend.addListener((tab, details) => ready.then(() => compose.beforeSend(tab, details)));
  m.compose.onAfterSend.addListener((_tab, info) => {
    // Learn the sent email's Message-ID for transcript threading.
    const sent = info.messages?.[0];
    if (!sent || info.error) return;
    void ready
      .then(() => m.messages.getFull(sent.id))
      .then((full) => {
        const chatId = chatIdOfMessage(full, backend.backendUrl);
        if (chatId) return threads.remember(chatId, sent.headerMessageId);
      })
      .catch(() => undefined);
  });
  m.tabs.onRemoved.addListener((tabId) => void compose.forget(tabId).catch(() => undefined));

  m.runtime.onMessage.addListener((message: Command, sender) => {
    if (typeof message?.type !== 'string' || !message.type.startsWith('inbox-chat:')) return;
    if (sender.id !== m.runtime.id) return;
    return ready
      .then(() => handle(message))
      .then(
        (value): CommandResult<unknown> => ({ ok: true, value: value ?? null }),
        (err: { code?: string; message?: string }): CommandResult<unknown> => ({
          ok: false,
          error: { code: err.code ?? 'INTERNAL', message: err.message ?? word('errorSomethingWrong') },
        }),
      );
  });

  // ---------- start ----------
  void start()
    .catch((e) => log('start', e))
    .then(started);
  // Not part of `ready`: views and clicks need not wait for scripts to be injected into every open
  // tab. Registration is idempotent and the scripts guard against running twice in one document,
  // so repeating this on every wake-up is harmless.
  void ready.then(async () => {
    await registerScripts().catch((e) => log('scripts', e));
    if (!(await m.alarms.get(UNREAD_ALARM))) await m.alarms.create(UNREAD_ALARM, { periodInMinutes: UNREAD_PERIOD_MINUTES });
  });
  return { ready };

  async function showChat(chatId: string): Promise<void> {
    await m.storage.session.set({ [PENDING_CHAT_KEY]: chatId });
    if (spaceId !== null) await m.spaces.open(spaceId);
    const msg: ShowChatMessage = { type: 'inbox-chat:show-chat', chatId };
    // An already open Chats tab switches now; a new one asks for the pending chat when it loads.
    await m.runtime.sendMessage(msg).catch(() => undefined);
  }

  // ---------- commands from the extension's pages ----------
  async function chatOfTab(tabId: number): Promise<{ chatId: string | null; subject: string }> {
    const header = await displayedMessage(m, tabId);
    if (!header) throw Object.assign(new Error(word('errorNoMessageShown')), { code: 'NOT_FOUND' });
    const full: MessagePart = await m.messages.getFull(header.id);
    const chatId = chatIdOfMessage(full, backend.backendUrl);
    if (chatId) await threads.remember(chatId, header.headerMessageId);
    return { chatId, subject: header.subject };
  }

  async function replyWithIm(tabId: number): Promise<{ chatId: string }> {
    const api = backend.api;
    const me = backend.address;
    if (!api || !me) throw Object.assign(new Error(word('errorSignIn')), { code: 'UNAUTHENTICATED' });
    const header = await displayedMessage(m, tabId);
    if (!header) throw Object.assign(new Error(word('errorNoMessageShown')), { code: 'NOT_FOUND' });
    const chat = await api.createChat(replyChatBody(header, await m.messages.getFull(header.id), me));
    await threads.remember(chat.id, header.headerMessageId);
    unread.schedule();
    return { chatId: chat.id };
  }

  async function handle(c: Command): Promise<unknown> {
    switch (c.type) {
      case 'inbox-chat:chat-of-tab':
        return chatOfTab(c.tabId);
      case 'inbox-chat:reply-with-im':
        return replyWithIm(c.tabId);
      case 'inbox-chat:save-transcript': {
        const api = backend.api;
        const me = backend.address;
        if (!api || !me) throw Object.assign(new Error(word('errorSignIn')), { code: 'UNAUTHENTICATED' });
        return saveTranscript(
          {
            m,
            api,
            me,
            chatUrl: (id) => chatUrl(backend.backendUrl, id),
            folderId: backend.settings.transcriptFolderId,
            threadOf: (id) => threads.of(id),
          },
          c.chatId,
        );
      }
      case 'inbox-chat:take-pending-chat': {
        const chatId = (await m.storage.session.get(PENDING_CHAT_KEY))[PENDING_CHAT_KEY];
        await m.storage.session.remove(PENDING_CHAT_KEY);
        return typeof chatId === 'string' ? chatId : null;
      }
      case 'inbox-chat:settings-saved':
        return backend.reload();
      case 'inbox-chat:list-folders':
        return localFolders(m) satisfies Promise<FolderChoice[]>;
      default:
        throw Object.assign(new Error(word('errorUnknownRequest')), { code: 'BAD_INPUT' });
    }
  }

  async function registerScripts(): Promise<void> {
    // (Filtering getRegisteredScripts by an unknown id throws, so list them all.)
    const display = await m.scripting.messageDisplay.getRegisteredScripts();
    if (!display.some((s) => s.id === DISPLAY_SCRIPT.id)) await m.scripting.messageDisplay.registerScripts([DISPLAY_SCRIPT]);
    const composeScripts = await m.scripting.compose.getRegisteredScripts();
    if (!composeScripts.some((s) => s.id === COMPOSE_SCRIPT.id)) await m.scripting.compose.registerScripts([COMPOSE_SCRIPT]);
    // Registered scripts only reach messages opened from now on: add the chat to those already open.
    const tabs = await m.tabs.query({ type: ['mail', 'messageDisplay'] });
    for (const tab of tabs) {
      if (tab.id === undefined) continue;
      const shown = await displayedMessage(m, tab.id).catch(() => null);
      if (!shown) continue;
      await m.scripting.insertCSS?.({ target: { tabId: tab.id }, files: DISPLAY_SCRIPT.css }).catch(() => undefined);
      await m.scripting.executeScript({ target: { tabId: tab.id }, files: DISPLAY_SCRIPT.js }).catch((e) => log('inject', e));
    }
    // Compose windows already open get the insert script too.
    for (const tab of await m.tabs.query({ type: 'messageCompose' })) {
      if (tab.id !== undefined)
        await m.scripting.executeScript({ target: { tabId: tab.id }, files: COMPOSE_SCRIPT.js }).catch(() => undefined);
    }
  }

  async function createSpace(): Promise<void> {
    const existing = await m.spaces.query({ name: SPACE, isSelfOwned: true });
    spaceId =
      existing[0]?.id ??
      (await m.spaces.create(SPACE, m.runtime.getURL('chats.html'), { title: word('spaceTitle'), defaultIcons: 'icons/chat.svg' })).id;
  }

  async function start(): Promise<void> {
    await backend.start();
    await createSpace().catch((e) => log('spaces', e));
    relay.attach(backend.transport);
    unread.attach();
  }
}
