/**
 * The one chat view. The web page, the Outlook panes and the Thunderbird views all mount this,
 * so a fix lands everywhere at once. It talks to the server only through a ChatTransport
 * (and, when given, the REST client for history paging and owner actions).
 */
import type { ChatView, MessageView } from '../../../protocol/index.ts';
import type { ApiClient } from '../api-client.ts';
import { el } from '../dom.ts';
import { TransportError, type ChatTransport, type ConnectionStatus } from '../transport.ts';
import { createComposer } from './composer.ts';
import { confirmButton } from './confirm-button.ts';
import { createMembersView } from './members-view.ts';
import { renderMessage, renderUnreadDivider } from './message-view.ts';
import { Outbox } from './outbox.ts';
import { renderOutbox } from './outbox-view.ts';
import { Transcript } from './transcript.ts';
import { TypingSender, Typists, typingLabel } from './typing.ts';
import { unsentStore, type UnsentStore } from './unsent-store.ts';
import './panel.css';

export interface ChatPanelOptions {
  chatId: string;
  transport: ChatTransport;
  api?: ApiClient;
  /** Tighter layout for narrow task panes and reading panes. */
  compact?: boolean;
  onUnreadChange?: (n: number) => void;
  onChatLoaded?: (chat: ChatView) => void;
  /** The chat cannot be shown (not found, not in the audience, signed out). */
  onError?: (error: { code: string; message: string }) => void;
}

export interface ChatPanel {
  destroy(): void;
}

const PAGE_SIZE = 50;
/** How close to the bottom (px) still counts as "reading the newest messages". */
const NEAR_BOTTOM_PX = 48;
/** Errors after which joining again cannot help. */
const FINAL_JOIN_ERRORS = new Set(['NOT_FOUND', 'NOT_IN_AUDIENCE', 'FORBIDDEN', 'UNAUTHENTICATED', 'BAD_INPUT']);

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  online: '',
  offline: 'Connection lost. Reconnecting…',
  unauthorized: 'You are signed out. Sign in again to keep chatting.',
};

export function mountChatPanel(host: HTMLElement, opts: ChatPanelOptions): ChatPanel {
  const { chatId, transport, api } = opts;
  const transcript = new Transcript();
  const nodes = new Map<number, HTMLLIElement>();
  const cleanups: (() => void)[] = [];
  let chat: ChatView | null = null;
  let readSeq = 0;
  let unread = -1;
  let divider: HTMLLIElement | null = null;
  let destroyed = false;
  let joining: Promise<void> | null = null;
  let joinAgain = false;
  let fatal = false;
  /** Known once the first join says who I am. */
  let unsent: UnsentStore | null = null;
  const early: MessageView[] = [];

  // ---------- DOM ----------
  const titleId = `ic-title-${chatId}`;
  const title = el('h2', { id: titleId, class: 'ic-title', text: 'Chat' });
  const statusLine = el('p', { class: 'ic-status', role: 'status' });
  const members = createMembersView();
  const headerActions = el('div', { class: 'ic-header-actions' });
  const header = el('header', { class: 'ic-header' }, el('div', { class: 'ic-heading' }, title, headerActions), members.root);
  const notice = el('p', { class: 'ic-notice', role: 'alert', hidden: true });
  const ended = el('p', { class: 'ic-ended', hidden: true, text: 'This chat has ended. It is read only.' });
  const earlier = el('button', { type: 'button', class: 'ic-button ic-earlier', hidden: true, text: 'Load earlier messages' });
  const log = el('ol', { class: 'ic-log', 'aria-label': 'Messages' });
  // The live region wraps the list: role="log" on the <ol> itself would strip its list semantics.
  const logRegion = el('div', { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions' }, log);
  const outboxList = el('ol', { class: 'ic-outbox', 'aria-label': 'Messages being sent' });
  const empty = el('p', { class: 'ic-empty', text: 'No messages yet. Say hello!', hidden: true });
  const scroller = el('div', { class: 'ic-scroll', role: 'region', tabindex: '0', 'aria-label': 'Conversation' }, earlier, empty, logRegion, outboxList);
  const typingLine = el('p', { class: 'ic-typing', 'aria-hidden': 'true' });
  const typingSender = new TypingSender((t) => transport.typing(chatId, t));
  const composer = createComposer({
    onSend: (body) => {
      typingSender.stopped();
      outbox.add(body);
      scrollToBottom();
    },
    onTyping: () => typingSender.touched(),
  });
  composer.setEnabled(false, 'Connecting…');
  const root = el(
    'section',
    { class: `ic-panel${opts.compact ? ' ic-compact' : ''}`, 'aria-labelledby': titleId, 'data-status': transport.status },
    header,
    statusLine,
    notice,
    scroller,
    typingLine,
    ended,
    composer.root,
  );
  host.appendChild(root);

  // ---------- helpers ----------
  const sentByMe = (clientId: string) =>
    transcript.visible().some((m) => m.clientId === clientId && m.authorId === me());
  const me = () => chat?.me.identityId ?? '';
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  const history = api
    ? (q: { before?: number; after?: number; limit?: number }) => api.history(chatId, q)
    : transport.history?.bind(transport, chatId);

  function showNotice(text: string): void {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function showStatus(s: ConnectionStatus): void {
    root.dataset.status = s;
    statusLine.textContent = STATUS_TEXT[s];
    statusLine.hidden = !STATUS_TEXT[s];
  }

  function updateUnread(): void {
    const n = chat ? transcript.unreadAfter(readSeq, me()) : 0;
    if (n !== unread) {
      unread = n;
      opts.onUnreadChange?.(n);
    }
  }

  function insertNode(m: MessageView): void {
    const node = renderMessage(m, {
      mine: m.authorId !== null && m.authorId === me() && m.kind === 'TEXT',
      canDelete: m.kind === 'TEXT' && m.authorId === me() && !m.deleted && !chat?.endedAt,
      onDelete: (seq) => void deleteMessage(seq),
    });
    const old = nodes.get(m.seq);
    if (old) {
      old.replaceWith(node);
    } else {
      let next: HTMLLIElement | undefined;
      let nextSeq = Infinity;
      for (const [seq, n] of nodes) if (seq > m.seq && seq < nextSeq) [next, nextSeq] = [n, seq];
      if (next && divider && divider.nextSibling === next) log.insertBefore(node, divider);
      else log.insertBefore(node, next ?? null);
    }
    nodes.set(m.seq, node);
  }

  /** Marks where unread messages start, once per stretch of unread messages. */
  function placeDivider(): void {
    if (divider) return;
    const first = transcript
      .visible()
      .find((m) => m.seq > readSeq && m.kind === 'TEXT' && m.authorId !== me());
    const node = first && nodes.get(first.seq);
    if (!node) return;
    divider = renderUnreadDivider();
    log.insertBefore(divider, node);
  }

  function apply(messages: MessageView[], opts2: { live?: boolean } = {}): void {
    const wasNearBottom = nearBottom();
    const wasReading = isReading();
    const { added, changed } = transcript.merge(messages);
    for (const m of added) {
      if (m.authorId === me()) outbox.settle(m.clientId);
      insertNode(m);
    }
    for (const seq of changed) insertNode(transcript.get(seq)!);
    empty.hidden = transcript.visible().length > 0 || outbox.list().length > 0;
    earlier.hidden = !history || transcript.firstSeq <= 1;
    if (opts2.live && added.length > 0 && !wasReading) placeDivider();
    if (wasNearBottom || added.some((m) => m.authorId === me())) scrollToBottom();
    updateUnread();
    scheduleMarkRead();
  }

  function applyChat(next: ChatView): void {
    const firstLoad = chat === null;
    chat = next;
    title.textContent = next.subject || 'Chat';
    members.update(next);
    ended.hidden = !next.endedAt;
    updateComposer();
    if (firstLoad) readSeq = next.me.lastReadSeq;
    else readSeq = Math.max(readSeq, next.me.lastReadSeq);
    renderHeaderActions();
    opts.onChatLoaded?.(next);
  }

  /** Writing stays possible offline: messages wait in the outbox and go out on reconnect. */
  function updateComposer(): void {
    if (fatal || !chat) composer.setEnabled(false, fatal ? 'Not available' : 'Connecting…');
    else if (chat.endedAt) composer.setEnabled(false, 'This chat has ended');
    else if (transport.status === 'unauthorized') composer.setEnabled(false, 'Signed out');
    else if (transport.status === 'online') composer.setEnabled(true);
    else composer.setEnabled(true, 'Offline: sends when reconnected');
  }

  function renderHeaderActions(): void {
    headerActions.replaceChildren();
    if (!api || !chat?.isOwner || chat.endedAt) return;
    headerActions.appendChild(
      confirmButton({
        label: 'End chat',
        confirmLabel: 'End for everyone?',
        className: 'ic-link ic-end',
        onConfirm: () => {
          api.endChat(chatId).then(applyChat, (err: Error) => showNotice(err.message));
        },
      }),
    );
  }

  // ---------- joining and catching up ----------
  function join(): Promise<void> {
    if (joining) {
      joinAgain = true;
      return joining;
    }
    joining = (async () => {
      do {
        joinAgain = false;
        await joinOnce();
      } while (joinAgain && !destroyed);
    })()
      .catch((err: unknown) => {
        const code = err instanceof TransportError ? err.code : 'OFFLINE';
        const message = err instanceof Error ? err.message : 'Could not open the chat';
        if (FINAL_JOIN_ERRORS.has(code)) {
          fatal = true;
          updateComposer();
          showNotice(message);
          opts.onError?.({ code, message });
        }
        // Anything else (offline, timeout) is retried when the connection comes back.
      })
      .finally(() => {
        joining = null;
      });
    return joining;
  }

  async function joinOnce(): Promise<void> {
    const firstLoad = chat === null;
    let r = await transport.join(chatId, transcript.size ? transcript.resumeSeq : 0);
    if (destroyed) return;
    applyChat(r.chat);
    if (firstLoad && r.hasMore && history) {
      // A long chat: show its newest page and let the reader page back, instead of the oldest 500.
      const page = await history({ before: r.chat.lastSeq + 1, limit: PAGE_SIZE });
      apply([...page.messages, ...early.splice(0)]);
    } else {
      apply([...r.missed, ...early.splice(0)]);
      while (r.hasMore && !destroyed) {
        r = await transport.join(chatId, transcript.resumeSeq);
        apply(r.missed);
      }
    }
    if (firstLoad) {
      unsent = unsentStore(r.chat.me.identityId, chatId);
      // Left unsent by an earlier page (closed or reloaded while offline); messages that did
      // reach the server come back as the first result for their client id.
      outbox.restore(unsent.load().filter((m) => !sentByMe(m.clientId)));
      placeDivider();
      if (divider) divider.scrollIntoView({ block: 'center' });
      else scrollToBottom();
    }
    showNotice('');
    outbox.retryAll();
  }

  async function loadEarlier(): Promise<void> {
    if (!history) return;
    earlier.disabled = true;
    try {
      const before = transcript.firstSeq;
      const page = await history({ before, limit: PAGE_SIZE });
      const keepFromBottom = scroller.scrollHeight - scroller.scrollTop;
      apply(page.messages);
      scroller.scrollTop = scroller.scrollHeight - keepFromBottom;
      if (!page.hasMore) earlier.hidden = true;
    } catch (err) {
      showNotice(err instanceof Error ? err.message : 'Could not load earlier messages');
    } finally {
      earlier.disabled = false;
    }
  }
  earlier.addEventListener('click', () => void loadEarlier());

  // ---------- sending and deleting ----------
  const outbox = new Outbox(
    (clientId, body) => transport.send(chatId, clientId, body),
    () => {
      unsent?.save(outbox.unsent());
      renderOutbox(outboxList, outbox.list(), (clientId) => outbox.discard(clientId));
      empty.hidden = transcript.visible().length > 0 || outbox.list().length > 0;
    },
    (m) => apply([m]),
  );

  async function deleteMessage(seq: number): Promise<void> {
    try {
      apply([await transport.deleteMessage(chatId, seq)]);
    } catch (err) {
      showNotice(err instanceof Error ? err.message : 'Could not delete the message');
    }
  }

  // ---------- reading ----------
  const isReading = () => document.visibilityState === 'visible' && nearBottom();
  let markTimer: ReturnType<typeof setTimeout> | undefined;
  function scheduleMarkRead(): void {
    clearTimeout(markTimer);
    markTimer = setTimeout(() => void markRead(), 300);
  }
  async function markRead(): Promise<void> {
    if (destroyed || !chat || !isReading() || transport.status !== 'online') return;
    const upTo = transcript.lastSeq;
    if (upTo <= readSeq) return;
    try {
      readSeq = Math.max(readSeq, await transport.markRead(chatId, upTo));
      updateUnread();
    } catch {
      // Retried on the next scroll, focus or message.
    }
  }
  scroller.addEventListener('scroll', scheduleMarkRead, { passive: true });
  const onVisibility = () => {
    if (document.visibilityState === 'visible') scheduleMarkRead();
    else if (divider && unread === 0) {
      // Left the page with everything read: the next unread stretch gets a fresh divider.
      divider.remove();
      divider = null;
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  cleanups.push(() => document.removeEventListener('visibilitychange', onVisibility));

  // ---------- typing ----------
  const typists = new Typists((ids) => {
    const names = ids.map((id) => chat?.members.find((m) => m.identityId === id)?.address ?? 'Someone');
    typingLine.textContent = typingLabel(names);
  });

  // ---------- transport events ----------
  cleanups.push(
    transport.on('status', (s) => {
      showStatus(s);
      updateComposer();
      if (s === 'online') {
        if (!fatal) void join();
      } else {
        typists.clear();
        typingLine.textContent = '';
      }
      if (s === 'unauthorized') opts.onError?.({ code: 'UNAUTHENTICATED', message: STATUS_TEXT.unauthorized });
    }),
    transport.on('message', (m) => {
      if (m.chatId !== chatId) return;
      if (!chat) {
        // Arrived between the server joining us to the room and the join's answer: keep it.
        early.push(m);
        return;
      }
      // A gap means something was missed (e.g. a dropped event): resync from the last unbroken seq.
      const gap = transcript.size > 0 && m.seq > transcript.lastSeq + 1;
      if (m.authorId) typists.update(m.authorId, false);
      apply([m], { live: true });
      if (gap) void join();
    }),
    transport.on('typing', (t) => {
      if (t.chatId === chatId && t.identityId !== me()) typists.update(t.identityId, t.typing);
    }),
    transport.on('read', (r) => {
      if (r.chatId !== chatId || r.identityId !== me() || r.seq <= readSeq) return;
      readSeq = r.seq;
      updateUnread();
    }),
    transport.on('chat:updated', (c) => {
      if (c.chatId === chatId && chat) void join();
    }),
  );

  showStatus(transport.status);
  void join();

  return {
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(markTimer);
      outbox.stop();
      typingSender.stopped();
      typists.clear();
      for (const c of cleanups) c();
      void transport.leave(chatId).catch(() => {});
      root.remove();
    },
  };
}
