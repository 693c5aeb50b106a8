/** The panel's fixed skeleton: header, status lines, the scrolling transcript, composer slot. */
import type { ConnectionStatus } from '../transport.ts';
import { el } from '../dom.ts';
import { say, sayAsIs, t, tx, type MessageKey } from '../i18n/index.ts';
import { createMembersView } from './members-view.ts';

const STATUS_TEXT: Record<ConnectionStatus, MessageKey | null> = {
  connecting: 'status.connecting',
  online: null,
  offline: 'status.offline',
  unauthorized: 'status.unauthorized',
  refused: 'status.refused',
};

export function statusText(s: ConnectionStatus): string {
  const key = STATUS_TEXT[s];
  return key ? t(key) : '';
}

export function createPanelLayout(opts: { chatId: string; compact?: boolean }) {
  const titleId = `ic-title-${opts.chatId}`;
  const title = el('h2', { id: titleId, class: 'ic-title', ...tx('panel.title') });
  const statusLine = el('p', { class: 'ic-status', role: 'status' });
  const members = createMembersView();
  const headerActions = el('div', { class: 'ic-header-actions' });
  const header = el('header', { class: 'ic-header' }, el('div', { class: 'ic-heading' }, title, headerActions), members.root);
  const notice = el('p', { class: 'ic-notice', role: 'alert', hidden: true });
  const ended = el('p', { class: 'ic-ended', hidden: true, ...tx('panel.ended') });
  const earlier = el('button', { type: 'button', class: 'ic-button ic-earlier', hidden: true, ...tx('panel.earlier') });
  const log = el('ol', { class: 'ic-log', ...tx({ 'aria-label': 'panel.log' }) });
  // The live region wraps the list: role="log" on the <ol> itself would strip its list semantics.
  const logRegion = el('div', { role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions' }, log);
  const outbox = el('ol', { class: 'ic-outbox', ...tx({ 'aria-label': 'panel.outbox' }) });
  const empty = el('p', { class: 'ic-empty', ...tx('panel.empty'), hidden: true });
  const scroller = el(
    'div',
    { class: 'ic-scroll', role: 'region', tabindex: '0', ...tx({ 'aria-label': 'panel.conversation' }) },
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
    /** A notice as given (the server's words) or one of ours (kept in the UI language). */
    showNotice(text: string | { key: MessageKey }): void {
      if (typeof text === 'string') sayAsIs(notice, text);
      else say(notice, text.key);
      notice.hidden = !notice.textContent;
    },
    showStatus(s: ConnectionStatus): void {
      root.dataset.status = s;
      const key = STATUS_TEXT[s];
      if (key) say(statusLine, key);
      else sayAsIs(statusLine, '');
      statusLine.hidden = !key;
    },
  };
}
