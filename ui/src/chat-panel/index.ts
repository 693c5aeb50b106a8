/**
 * The one chat view. The web page, the Outlook panes and the Thunderbird views all mount this,
 * so a fix lands everywhere at once. It talks to the server only through a ChatTransport
 * (and, when given, the REST client for history paging and owner actions).
 */
import type { ChatView, MessageView, VideoFormat } from '../../../protocol/index.ts';
import { LIMITS } from '../../../protocol/limits.ts';
import type { ApiClient } from '../api-client.ts';
import { TransportError, type ChatTransport } from '../transport.ts';
import { createCallBar } from './call-view.ts';
import { ringAlert } from '../alerts/alert-policy.ts';
import { el } from '../dom.ts';
import { ensureUiLanguage, followReader, onUiLanguageChange, say, sayAsIs, t, tx } from '../i18n/index.ts';
import { isSaid } from '../../../protocol/kinds.ts';
import { newClientId } from '../client-id.ts';
import { acceptDropsAndPastes, createAttacher } from './attach.ts';
import { renderAttachment } from './attachment-view.ts';
import { createChatTools } from './chat-tools.ts';
import { createComposer } from './composer.ts';
import { attachLogKeyboard } from './log-keyboard.ts';
import { chatStorage } from './chat-storage.ts';
import { GapWatch } from './gap-watch.ts';
import { confirmButton } from './confirm-button.ts';
import { renderMessage, setReceipt } from './message-view.ts';
import { Outbox } from './outbox.ts';
import { renderOutbox } from './outbox-view.ts';
import { createPanelLayout, statusText } from './panel-layout.ts';
import { Receipts } from './receipts.ts';
import { Transcript } from './transcript.ts';
import { TranscriptView } from './transcript-view.ts';
import { TypingSender, Typists, typingLabel } from './typing.ts';
import { unsentStore, type UnsentStore } from './unsent-store.ts';
import { mentionable } from './mentions.ts';
import { cannotRecordReason } from './record-support.ts';
import type { RecordingPlan } from '../capabilities.ts';
import './panel.css';

export interface ChatPanelOptions {
  chatId: string;
  transport: ChatTransport;
  api?: ApiClient;
  /** Tighter layout for narrow task panes and reading panes. */
  compact?: boolean;
  onUnreadChange?: (n: number) => void;
  onChatLoaded?: (chat: ChatView) => void;
  /** Link to the surface's account settings (do not disturb, addresses), shown in the Options menu. */
  settingsUrl?: string;
  /**
   * The chat on the web page, for surfaces whose transport cannot hold calls (Thunderbird's
   * message pane may not use camera and microphone): the call buttons open it there.
   */
  webPageUrl?: string;
  /**
   * Move focus to the message box once the chat can be written to (the web page; a reading pane
   * must not take focus from the mail client around it).
   */
  focusComposer?: boolean;
  /** The mail client's own language (Outlook's display language) while the reader's is not known yet. */
  clientLanguage?: string;
  /** The chat cannot be shown (not found, not in the audience, signed out). */
  onError?: (error: { code: string; message: string }) => void;
  /** Open at this message instead of the newest (a search hit): pages history back to it. */
  jumpTo?: number;
  /**
   * A host's own permission step before the recorder opens the camera (the Outlook pane asks
   * Office's device dialog, and reloads itself after a first "Allow"); none on other surfaces.
   */
  askCamera?: () => Promise<'ready' | 'reload' | 'denied'>;
}

export interface ChatPanel {
  /** Scrolls to the message with this seq and marks it, loading earlier pages until it is there. */
  jumpTo(seq: number): void;
  destroy(): void;
}

const PAGE_SIZE = 50;
/** Pages fetched when jumping back to a search hit: the largest the server gives. */
const JUMP_PAGE_SIZE = LIMITS.historyPage;
/** How close to the bottom (px) still counts as "reading the newest messages". */
const NEAR_BOTTOM_PX = 48;
/** Errors after which joining again cannot help. */
const FINAL_JOIN_ERRORS = new Set(['NOT_FOUND', 'NOT_IN_AUDIENCE', 'FORBIDDEN', 'UNAUTHENTICATED', 'BAD_INPUT']);

export function mountChatPanel(host: HTMLElement, opts: ChatPanelOptions): ChatPanel {
  const { chatId, transport, api } = opts;
  ensureUiLanguage(opts.clientLanguage);
  const transcript = new Transcript();
  const receipts = new Receipts();
  const cleanups: (() => void)[] = [];
  let chat: ChatView | null = null;
  /** Members who never connected a client (they read by email only), as last loaded and pushed since. */
  let emailOnly = new Set<string>();
  /** The recorder while it is open: it re-plans when members' clients change. */
  let openRecorder: { refresh(): void } | null = null;
  let readSeq = 0;
  let unread = -1;
  let destroyed = false;
  let joining: Promise<void> | null = null;
  let joinAgain = false;
  let fatal = false;
  /** Known once the first join says who I am. */
  let unsent: UnsentStore | null = null;
  const early: MessageView[] = [];
  /** Translated messages the reader switched back to the original (kept across re-renders). */
  const showingOriginal = new Set<number>();
  let markTimer: ReturnType<typeof setTimeout> | undefined;
  /** A message to show once the first join has placed the transcript. */
  let pendingJump = opts.jumpTo ?? 0;
  const history = api
    ? (q: { before?: number; after?: number; limit?: number }) => api.history(chatId, q)
    : transport.history?.bind(transport, chatId);

  // Built in the order they use each other: who I am, the layout, the transcript view, the
  // outbox (renders into the layout), the composer (sends through the outbox), typing, gap watch.
  // Functions below are hoisted; everything they read is declared above them.
  const me = () => chat?.me.identityId ?? '';
  const isMine = (m: MessageView) => isSaid(m.kind) && m.authorId !== null && m.authorId === me();
  const sentByMe = (clientId: string) => transcript.visible().some((m) => m.clientId === clientId && m.authorId === me());

  // ---------- DOM ----------
  const ui = createPanelLayout({ chatId, compact: opts.compact });
  const { scroller, earlier, empty } = ui;
  cleanups.push(attachLogKeyboard(scroller, ui.log));
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  /**
   * The newest message is on screen: in a short pane (call bar, media row and composer take room)
   * the unread divider can leave the newest message in view but more than NEAR_BOTTOM_PX from the
   * end, with nothing left to scroll: that is read too.
   */
  const newestInView = () => {
    const newest = ui.log.lastElementChild;
    if (!(newest instanceof HTMLElement)) return true;
    const box = scroller.getBoundingClientRect();
    const m = newest.getBoundingClientRect();
    return m.top < box.bottom && m.bottom > box.top;
  };
  const isReading = () => document.visibilityState === 'visible' && (nearBottom() || newestInView());
  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  const view = new TranscriptView(ui.log, (m) =>
    renderMessage(m, {
      mine: m.authorId !== null && m.authorId === me() && isSaid(m.kind),
      canDelete: isSaid(m.kind) && m.authorId === me() && !m.deleted && !chat?.endedAt,
      onDelete: (seq) => void deleteMessage(seq),
      // Ephemeral chats keep no history, so the server refuses their edits: no button to promise one.
      canEdit: isMine(m) && !m.deleted && !chat?.endedAt && chat?.retention === 'ARCHIVED',
      onEdit: editMessage,
      loadRevisions: api && m.editedAt && (isMine(m) || chat?.isOwner) ? (seq) => api.messageRevisions(chatId, seq) : undefined,
      mentionTokens: m.mentions.map((h) => `@${memberName(h)}`),
      author: m.authorId && m.authorId !== me() ? authorOf(m.authorId, m.authorAddress) : undefined,
      reactions: {
        me: me(),
        nameOf: memberName,
        // Like edits, reactions are kept only where history is: the server refuses them elsewhere.
        onToggle:
          !m.deleted && !chat?.endedAt && chat?.retention === 'ARCHIVED' ? (seq, emoji, on) => void react(seq, emoji, on) : undefined,
      },
      renderAttachment: (a) => renderAttachment(a, chatId, api),
      receipt: isMine(m) && !m.deleted ? receipts.stateOf(m.seq, me()) : undefined,
      showOriginal: showingOriginal.has(m.seq),
      onToggleOriginal: (seq) => toggleOriginal(seq),
    }),
  );
  const tools = api ? createChatTools({ api, chatId, settingsUrl: opts.settingsUrl, onChat: (c) => applyChat(c) }) : null;
  if (tools) ui.members.root.after(tools.root);
  const callBar = createCallBar({
    chatId,
    calls: transport.calls,
    webPageUrl: opts.webPageUrl,
    onProblem: (m) => ui.showNotice(m),
    // Read at each ring, so do-not-disturb or a mute set on another device holds at once.
    ringTone: api ? async () => ringAlert(await api.alerts(), chatId).tone : undefined,
  });
  ui.header.after(callBar.root);
  // The UI language changed: remembered strings re-rendered themselves; rebuild what is computed
  // from data (times, language names, lists of people).
  cleanups.push(
    onUiLanguageChange(() => {
      for (const m of transcript.visible()) view.show(m);
      if (chat) ui.members.update(chat);
      if (chat) tools?.update(chat);
    }),
  );

  // ---------- sending ----------
  const outbox = new Outbox(
    (clientId, body, mentions) => transport.send(chatId, clientId, body, mentions),
    () => {
      unsent?.save(outbox.unsent());
      renderOutbox(ui.outbox, outbox.list(), (clientId) => outbox.discard(clientId));
      empty.hidden = transcript.visible().length > 0 || outbox.list().length > 0;
    },
    (m) => apply([m]),
  );
  const typingSender = new TypingSender((t) => transport.typing(chatId, t));
  const composer = createComposer({
    onSend: (body, mentions) => {
      typingSender.stopped();
      outbox.add(body, mentions);
      scrollToBottom();
    },
    onTyping: () => typingSender.touched(),
    mentionable: () => (chat ? mentionable(chat, memberName) : []),
    focusWhenReady: opts.focusComposer ?? false,
  });
  composer.setEnabled(false, 'status.connecting');
  ui.placeComposer(composer.root);
  if (api) composer.root.before(createMediaRow(api));
  ui.showStatus(transport.status);
  host.appendChild(ui.root);

  // ---------- typing ----------
  const typists = new Typists((ids) => {
    const names = ids.map((id) => (chat?.members.some((m) => m.identityId === id) ? memberName(id) : t('common.someone')));
    ui.typingLine.textContent = typingLabel(names);
  });

  // A hole still open after the reorder window means a missed event: resync from the last unbroken seq.
  const gaps = new GapWatch(
    () => transcript.size > 0 && transcript.resumeSeq < transcript.lastSeq,
    () => void join(),
  );
  cleanups.push(() => gaps.stop());

  /** Attach (button, drop, paste) and "Record video": surfaces with the REST client (it posts them). */
  function createMediaRow(client: ApiClient): HTMLElement {
    const attacher = createAttacher({ api: client, chatId, notice: (t) => ui.showNotice(t), newClientId: () => newClientId() });
    cleanups.push(acceptDropsAndPastes(ui.root, (files) => void attacher.attach(files)));
    const row = el('div', { class: 'ic-media-row' }, attacher.button);
    const recordButton = el('button', { type: 'button', class: 'ic-link ic-record', ...tx('panel.recordVideo') });
    const why = cannotRecordReason();
    if (why) {
      recordButton.disabled = true;
      for (const [k, v] of Object.entries(tx({ title: why }))) recordButton.setAttribute(k, v);
      row.append(recordButton, el('span', { class: 'ic-hint', ...tx(why) }));
      return row;
    }
    recordButton.addEventListener('click', () => void showRecorder());
    // The recorder and the capabilities it plans with load on demand: most visits never record.
    async function showRecorder(): Promise<void> {
      recordButton.disabled = true;
      const loaded = await import(/* webpackChunkName: "on-demand-recorder" */ './video-recorder.ts').catch(() => null);
      if (!loaded) {
        recordButton.disabled = false;
        ui.showNotice({ key: 'panel.recorderFailed' });
        return;
      }
      const { createVideoRecorder } = loaded;
      const recorder = createVideoRecorder({
        api: client,
        chatId,
        newClientId: () => newClientId(),
        onClose: () => {
          recordButton.disabled = false;
          openRecorder = null;
        },
        makePlan: (inUse) => recordingPlan(client, inUse),
        ...(opts.askCamera ? { askCamera: opts.askCamera } : {}),
      });
      openRecorder = recorder;
      row.after(recorder.root);
      cleanups.push(() => recorder.close());
      void recorder.start();
    }
    row.appendChild(recordButton);
    return row;
  }

  /**
   * Asked when the recorder opens and again while it is open, whenever a member's client report,
   * the presence I may see or the members change. `inUse`: the format a recording already has
   * (it cannot change mid-recording, so the plan only says who can play it).
   */
  async function recordingPlan(client: ApiClient, inUse: VideoFormat | null): Promise<RecordingPlan | null> {
    if (!chat || typeof MediaRecorder === 'undefined') return null;
    try {
      const current = chat;
      const [{ detectCapabilities, planRecording }, view] = await Promise.all([
        import(/* webpackChunkName: "on-demand-capabilities" */ '../capabilities.ts'),
        client.chatCapabilities(chatId),
      ]);
      return planRecording(inUse ? [inUse] : (await detectCapabilities('web')).records, current, view);
    } catch {
      return null; // recorded in this browser's first format, as before capabilities existed
    }
  }

  function updateUnread(): void {
    const n = chat ? transcript.unreadAfter(readSeq, me()) : 0;
    if (n !== unread) {
      unread = n;
      opts.onUnreadChange?.(n);
    }
  }

  /** Marks where unread messages start, once per stretch of unread messages. */
  function placeDivider(): void {
    const first = transcript.visible().find((m) => m.seq > readSeq && isSaid(m.kind) && m.authorId !== me());
    if (first) view.placeDivider(first.seq);
  }

  function apply(messages: MessageView[], opts2: { live?: boolean } = {}): void {
    const wasNearBottom = nearBottom();
    const wasReading = isReading();
    const { added, changed } = transcript.merge(messages);
    for (const m of added) {
      if (m.authorId === me()) outbox.settle(m.clientId);
      view.show(m);
    }
    for (const seq of changed) view.show(transcript.get(seq)!);
    empty.hidden = transcript.visible().length > 0 || outbox.list().length > 0;
    earlier.hidden = !history || transcript.firstSeq <= 1;
    if (opts2.live && added.length > 0 && !wasReading) placeDivider();
    if (wasNearBottom || added.some((m) => m.authorId === me())) scrollToBottom();
    updateUnread();
    scheduleMarkRead();
  }

  /** Receipts move often: update the small state line of my messages in place. */
  function refreshReceipts(): void {
    for (const m of transcript.visible()) {
      if (!isMine(m) || m.deleted) continue;
      const node = ui.log.querySelector<HTMLElement>(`[data-seq="${m.seq}"] .ic-receipt`);
      if (node) setReceipt(node, receipts.stateOf(m.seq, me()));
    }
  }

  /**
   * Presence of members who let me see it (pushed changes follow as `presence` events), and which
   * of them read by email only (never connected a client; asked again at each join).
   */
  async function loadPresence(): Promise<void> {
    if (!api) return;
    try {
      const [view, clients] = await Promise.all([api.chatPresence(chatId), api.chatCapabilities(chatId)]);
      ui.members.resetPresence(new Map(view.members.map((m) => [m.identityId, m.presence])));
      emailOnly = new Set(clients.members.filter((m) => m.client === null).map((m) => m.identityId));
      ui.members.setEmailOnly(emailOnly);
    } catch {
      // Loaded again after the next join.
    }
  }

  /** Receipts need the REST route; a surface without `api` shows none (nothing is "sent" forever). */
  async function loadReceipts(): Promise<void> {
    if (!api) return;
    try {
      receipts.load(await api.delivery(chatId));
      refreshReceipts();
    } catch {
      // Loaded again after the next join.
    }
  }

  function toggleOriginal(seq: number): void {
    const m = transcript.get(seq);
    if (!m) return;
    if (!showingOriginal.delete(seq)) showingOriginal.add(seq);
    view.show(m);
    // The control was replaced with its message: keep the keyboard where it was.
    ui.log.querySelector<HTMLElement>(`[data-seq="${seq}"] .ic-translation-toggle`)?.focus();
  }

  /**
   * My reading language changed: translations shown so far are in the old one. Drop them and
   * load the newest page again, which carries the stored translations into the new language and
   * starts the missing ones (they arrive as message:translated events).
   */
  async function retranslate(): Promise<void> {
    for (const seq of transcript.clearTranslations()) view.show(transcript.get(seq)!);
    if (!history || transcript.size === 0) return;
    try {
      apply((await history({ before: transcript.lastSeq + 1, limit: PAGE_SIZE })).messages);
    } catch {
      // The next join brings them.
    }
  }

  function applyChat(next: ChatView): void {
    const firstLoad = chat === null;
    const languageChanged = chat !== null && chat.me.readingLanguage !== next.me.readingLanguage;
    const namesBefore = chat ? namesOf(chat) : '';
    const audienceBefore = chat ? audienceOf(chat) : '';
    chat = next;
    // Someone renamed themselves: messages already shown name them anew.
    if (!firstLoad && namesOf(next) !== namesBefore) for (const m of transcript.visible()) view.show(m);
    // My own reading language (not a language chosen for this one chat) is the interface's too.
    if (next.me.language === null) followReader(next.me.readingLanguage);
    for (const m of next.members) receipts.name(m.identityId, m.displayName ?? m.address);
    if (next.subject) sayAsIs(ui.title, next.subject);
    else say(ui.title, 'panel.title');
    ui.members.update(next);
    // Someone joined or was invited: an open recorder says anew who can play what.
    if (!firstLoad && audienceOf(next) !== audienceBefore) openRecorder?.refresh();
    ui.ended.hidden = !next.endedAt;
    updateComposer();
    if (firstLoad) readSeq = next.me.lastReadSeq;
    else readSeq = Math.max(readSeq, next.me.lastReadSeq);
    renderHeaderActions();
    tools?.update(next);
    if (languageChanged) void retranslate();
    callBar.chat(next);
    opts.onChatLoaded?.(next);
  }

  /** Writing stays possible offline: messages wait in the outbox and go out on reconnect. */
  function updateComposer(): void {
    if (fatal || !chat) composer.setEnabled(false, fatal ? 'composer.notAvailable' : 'status.connecting');
    else if (chat.endedAt) composer.setEnabled(false, 'composer.ended');
    else if (transport.status === 'unauthorized') composer.setEnabled(false, 'composer.signedOut');
    else if (transport.status === 'online') composer.setEnabled(true);
    else composer.setEnabled(true, 'composer.offline');
  }

  function renderHeaderActions(): void {
    ui.headerActions.replaceChildren();
    if (!api || !chat?.isOwner || chat.endedAt) return;
    ui.headerActions.appendChild(
      confirmButton({
        label: 'panel.endChat',
        confirmLabel: 'panel.endConfirm',
        className: 'ic-link ic-end',
        onConfirm: () => {
          api.endChat(chatId).then(applyChat, (err: Error) => ui.showNotice(err.message));
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
        const message = err instanceof Error ? err.message : t('panel.openFailed');
        if (FINAL_JOIN_ERRORS.has(code)) {
          fatal = true;
          updateComposer();
          ui.showNotice(message);
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
    const resumeAt = transcript.size ? transcript.resumeSeq : 0;
    const shownFrom = transcript.size ? transcript.firstSeq : undefined;
    let r = await transport.join(chatId, resumeAt, shownFrom);
    if (destroyed) return;
    applyChat(r.chat);
    if (r.call !== undefined) callBar.current(r.call);
    if (shownFrom !== undefined) {
      // Reactions may have changed while away; the server refreshed the newest shown messages'.
      const from = Math.max(shownFrom, resumeAt - LIMITS.reactionResync + 1);
      for (const seq of transcript.refreshReactions(from, resumeAt, r.reactions)) view.show(transcript.get(seq)!);
    }
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
      composer.keepDraft(chatStorage('draft', r.chat.me.identityId, chatId));
      // Left unsent by an earlier page (closed or reloaded while offline); messages that did
      // reach the server come back as the first result for their client id.
      outbox.restore(unsent.load().filter((m) => !sentByMe(m.clientId)));
      placeDivider();
      if (!view.scrollToDivider()) scrollToBottom();
    }
    if (pendingJump) await showSeq(pendingJump);
    ui.showNotice('');
    outbox.retryAll();
    void loadReceipts();
    void loadPresence();
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
      ui.showNotice(err instanceof Error ? err.message : { key: 'panel.earlierFailed' });
    } finally {
      earlier.disabled = false;
    }
  }

  /**
   * Pages back (keeping the transcript unbroken, so no resync is needed) until `seq` is loaded,
   * then brings it into view and marks it for the eye and for screen readers.
   */
  async function showSeq(seq: number): Promise<void> {
    pendingJump = 0;
    try {
      while (history && transcript.size > 0 && transcript.firstSeq > seq && !destroyed) {
        const page = await history({ before: transcript.firstSeq, limit: JUMP_PAGE_SIZE });
        apply(page.messages);
        if (!page.hasMore || page.messages.length === 0) break;
      }
    } catch (err) {
      ui.showNotice(err instanceof Error ? err.message : { key: 'panel.earlierFailed' });
      return;
    }
    earlier.hidden = !history || transcript.firstSeq <= 1;
    const node = ui.log.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
    if (!node) return;
    ui.log.querySelector('.ic-found')?.classList.remove('ic-found');
    node.classList.add('ic-found');
    node.tabIndex = -1;
    node.scrollIntoView({ block: 'center' });
    node.focus({ preventScroll: true });
  }

  // ---------- deleting ----------
  async function deleteMessage(seq: number): Promise<void> {
    try {
      apply([await transport.deleteMessage(chatId, seq)]);
    } catch (err) {
      ui.showNotice(err instanceof Error ? err.message : { key: 'panel.deleteFailed' });
    }
  }

  async function react(seq: number, emoji: string, on: boolean): Promise<void> {
    try {
      const r = await transport.react(chatId, seq, emoji, on);
      if (transcript.refreshReactions(r.seq, r.seq, [r]).length > 0) view.show(transcript.get(r.seq)!);
    } catch (err) {
      ui.showNotice(err instanceof Error ? err.message : { key: 'panel.reactFailed' });
    }
  }

  function namesOf(c: ChatView): string {
    return JSON.stringify(c.members.map((m) => [m.identityId, m.displayName]));
  }

  /** Who is in the chat and who is only invited: what a recording plan is drawn up for. */
  function audienceOf(c: ChatView): string {
    return JSON.stringify([c.members.map((m) => m.identityId), c.audience.map((a) => [a.address, a.joined])]);
  }

  /** How the panel names a member: their display name, else the address they are in the chat under. */
  function memberName(handle: string): string {
    const member = chat?.members.find((m) => m.identityId === handle);
    return member?.displayName ?? member?.address ?? t('common.someone');
  }

  function authorOf(handle: string, address: string | null): { name: string; address: string } | undefined {
    const member = chat?.members.find((m) => m.identityId === handle);
    return member ? { name: memberName(handle), address: member.address } : address ? { name: address, address } : undefined;
  }

  /** Throws the server's reason, which the editor shows beside the text. */
  async function editMessage(seq: number, body: string): Promise<void> {
    apply([await transport.editMessage(chatId, seq, body)]);
  }

  // ---------- reading ----------
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

  // ---------- wiring: DOM and transport events ----------
  earlier.addEventListener('click', () => void loadEarlier());
  scroller.addEventListener('scroll', scheduleMarkRead, { passive: true });
  const onVisibility = () => {
    if (document.visibilityState === 'visible') scheduleMarkRead();
    else if (view.hasDivider && unread === 0) {
      // Left the page with everything read: the next unread stretch gets a fresh divider.
      view.removeDivider();
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  cleanups.push(() => document.removeEventListener('visibilitychange', onVisibility));
  cleanups.push(
    transport.on('status', (s) => {
      ui.showStatus(s);
      updateComposer();
      if (s === 'online') {
        if (!fatal) void join();
      } else {
        typists.clear();
        ui.typingLine.textContent = '';
      }
      if (s === 'unauthorized') opts.onError?.({ code: 'UNAUTHENTICATED', message: statusText('unauthorized') });
    }),
    transport.on('message', (m) => {
      if (m.chatId !== chatId) return;
      if (!chat) {
        // Arrived between the server joining us to the room and the join's answer: keep it.
        early.push(m);
        return;
      }
      if (m.authorId) typists.update(m.authorId, false);
      apply([m], { live: true });
      gaps.check();
    }),
    transport.on('reaction', (r) => {
      if (r.chatId === chatId && transcript.applyReaction(r)) view.show(transcript.get(r.seq)!);
    }),
    transport.on('message:translated', (t) => {
      if (t.chatId === chatId && transcript.translate(t.seq, t.translation)) view.show(transcript.get(t.seq)!);
    }),
    transport.on('typing', (t) => {
      if (t.chatId === chatId && t.identityId !== me()) typists.update(t.identityId, t.typing);
    }),
    transport.on('delivery', (notices) => {
      let moved = false;
      for (const d of notices) if (d.chatId === chatId && receipts.delivery(d)) moved = true;
      if (moved) refreshReceipts();
    }),
    transport.on('read', (r) => {
      if (r.chatId === chatId && r.identityId !== me() && receipts.read(r)) refreshReceipts();
      if (r.chatId !== chatId || r.identityId !== me() || r.seq <= readSeq) return;
      readSeq = r.seq;
      updateUnread();
    }),
    transport.on('presence', (p) => {
      for (const m of p.members) {
        if (m.chatId === chatId) ui.members.setPresence(m.identityId, p.state ? { state: p.state, lastSeenAt: p.lastSeenAt } : null);
      }
      // Gaining or losing sight of someone's presence is gaining or losing sight of their client.
      if (p.members.some((m) => m.chatId === chatId)) openRecorder?.refresh();
    }),
    transport.on('capabilities:changed', (c) => {
      const here = c.members.filter((m) => m.chatId === chatId);
      if (here.length === 0) return;
      // A client connected: this member no longer reads by email only.
      for (const m of here) emailOnly.delete(m.identityId);
      ui.members.setEmailOnly(emailOnly);
      openRecorder?.refresh();
    }),
    transport.on('chat:updated', (c) => {
      if (c.chatId === chatId && chat) void join();
    }),
    transport.on('call:ring', (r) => callBar.ring(r)),
    transport.on('call:updated', (c) => callBar.updated(c)),
    transport.on('call:signal', (n) => callBar.signal(n)),
  );

  void join();

  return {
    jumpTo(seq) {
      pendingJump = seq;
      // Before the first join the jump waits for it; after, it happens now.
      if (chat && !joining) void showSeq(seq);
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(markTimer);
      outbox.stop();
      typingSender.stopped();
      typists.clear();
      callBar.destroy();
      for (const c of cleanups) c();
      void transport.leave(chatId).catch(() => {});
      ui.root.remove();
    },
  };
}
