/** The panel's fixed skeleton: header, status lines, the scrolling transcript, composer slot. */
import type { ConnectionStatus } from '../transport.ts';
import { el } from '../dom.ts';
import { createMembersView } from './members-view.ts';

const STATUS_TEXT: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  online: '',
  offline: 'Connection lost. Reconnecting…',
  unauthorized: 'You are signed out. Sign in again to keep chatting.',
  refused: 'Too many open chat windows or tabs for your account. Close some; retrying in a minute.',
};

export function statusText(s: ConnectionStatus): string {
  return STATUS_TEXT[s];
}

export function createPanelLayout(opts: { chatId: string; compact?: boolean }) {
  const titleId = `ic-title-${opts.chatId}`;
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
  const outbox = el('ol', { class: 'ic-outbox', 'aria-label': 'Messages being sent' });
  const empty = el('p', { class: 'ic-empty', text: 'No messages yet. Say hello!', hidden: true });
  const scroller = el(
    'div',
    { class: 'ic-scroll', role: 'region', tabindex: '0', 'aria-label': 'Conversation' },
    earlier,
    empty,
    logRegion,
    outbox,
  );
  const typingLine = el('p', { class: 'ic-typing', 'aria-hidden': 'true' });
  const root = el(
    'section',
    { class: `ic-panel${opts.compact ? ' ic-compact' : ''}`, 'aria-labelledby': titleId },
    header,
    statusLine,
    notice,
    scroller,
    typingLine,
    ended,
  );

  return {
    root,
    header,
    title,
    members,
    headerActions,
    ended,
    earlier,
    log,
    outbox,
    empty,
    scroller,
    typingLine,
    /** The composer is made after the layout (its send goes through the outbox, which renders into it), and sits last. */
    placeComposer(composer: HTMLElement): void {
      root.append(composer);
    },
    showNotice(text: string): void {
      notice.textContent = text;
      notice.hidden = !text;
    },
    showStatus(s: ConnectionStatus): void {
      root.dataset.status = s;
      statusLine.textContent = STATUS_TEXT[s];
      statusLine.hidden = !STATUS_TEXT[s];
    },
  };
}
