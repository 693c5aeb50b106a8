/**
 * The "Chats" space: all my chats with unread counts on the left, the chosen one on the right
 * where I can answer it. The list follows the socket's activity events through the relay.
 */
import type { ChatSummary } from '../../../protocol/index.ts';
import { messagePreview, personName } from '../../../mail-client/preview.ts';
import { el } from '../../../ui/src/dom.ts';
import { onUiLanguageChange, setTitle, t, tx } from '../../../ui/src/i18n/index.ts';
import type { ShowChatMessage } from '../shared/commands.ts';
import { chatBox, signInPrompt, type ChatBox } from './chat-box.ts';
import { connect, messenger, send, type Connection } from './common.ts';

const app = document.getElementById('app')!;
const list = el('ul', { class: 'chats-list', ...tx({ 'aria-label': 'page.myChats' }) });
const main = el('section', { class: 'chats-main', ...tx({ 'aria-label': 'panel.title' }) });
let chats: ChatSummary[] = [];
let open: { chatId: string; box: ChatBox } | null = null;

function renderList(): void {
  list.replaceChildren(
    ...chats.map((c) => {
      const button = el(
        'button',
        { type: 'button', 'aria-current': open?.chatId === c.id ? 'true' : 'false', 'data-chat-id': c.id },
        el(
          'span',
          { class: 'chat-subject' },
          // In my audience but never opened: opening it joins it.
          c.isNew ? el('span', { class: 'chat-new', ...tx('sidebar.new') }) : null,
          c.subject || t('alerts.noSubject'),
        ),
        c.unread > 0
          ? el('span', {
              class: 'chat-unread',
              text: String(c.unread),
              ...tx({ 'aria-label': ['thunderbird.unread', { count: c.unread }] }),
            })
          : el('span'),
        el('span', { class: 'chat-preview', text: messagePreview(c.lastMessage, (a) => personName(c, a)) }),
      );
      button.addEventListener('click', () => show(conn!, c.id));
      return el('li', {}, button);
    }),
  );
  if (chats.length === 0) list.replaceChildren(el('li', { class: 'chats-empty', ...tx('sidebar.noChats') }));
}

function show(c: Connection, chatId: string): void {
  if (open?.chatId === chatId) return;
  open?.box.destroy();
  const box = chatBox(c, chatId);
  open = { chatId, box };
  main.replaceChildren(box.root);
  renderList();
}

let conn: Connection | null = null;
let refreshing: ReturnType<typeof setTimeout> | undefined;

async function refresh(): Promise<void> {
  if (!conn) return;
  chats = await conn.api.listChats().catch(() => chats);
  renderList();
}

async function start(): Promise<void> {
  conn = await connect();
  setTitle('page.myChats');
  if (!conn.hello.address) {
    app.replaceChildren(signInPrompt(conn, 'thunderbird.signInToSee'));
    conn.transport.onSession((s) => s.address && location.reload());
    return;
  }
  app.replaceChildren(list, main);
  main.replaceChildren(el('p', { class: 'chats-empty', ...tx('thunderbird.chooseChat') }));
  // The "(no subject)" of untitled chats is built with the list: build it again in a new language.
  onUiLanguageChange(renderList);
  const c = conn;
  const later = () => {
    clearTimeout(refreshing);
    refreshing = setTimeout(() => void refresh(), 250);
  };
  c.transport.on('chats:activity', later);
  // Also sent when I leave a chat's audience: the chat leaves the list.
  c.transport.on('chat:updated', later);
  c.transport.on('read', later);
  c.transport.on('status', (s) => s === 'online' && later());
  c.transport.onSession(() => location.reload());
  chats = await c.transport.watchChats().catch(() => c.api.listChats());
  renderList();
  const pending = await send<string | null>({ type: 'inbox-chat:take-pending-chat' }).catch(() => null);
  if (pending) show(c, pending);
  messenger.runtime.onMessage.addListener((m: ShowChatMessage) => {
    if (m?.type === 'inbox-chat:show-chat') show(c, m.chatId);
  });
}

void start();
