/** The page frame: brand, who is signed in, sign out, and the main region views render into. */
import { el } from '../dom.ts';

export interface Shell {
  main: HTMLElement;
  /** Above the main region, kept across views: calls ringing in chats not on screen. */
  alerts: HTMLElement;
  setUser(user: { address: string; onSignOut: () => void } | null): void;
  /** Replaces the main region's content and moves focus to its heading for screen readers. */
  show(...nodes: Node[]): void;
}

export function createShell(host: HTMLElement): Shell {
  const user = el('div', { class: 'page-user' });
  const header = el('header', { class: 'page-header' }, el('a', { href: '/', class: 'page-brand', text: 'Inbox Chat' }), user);
  const main = el('main', { id: 'main', class: 'page-main', tabindex: '-1' });
  const alerts = el('div', { class: 'page-alerts' });
  host.replaceChildren(el('a', { href: '#main', class: 'skip-link', text: 'Skip to content' }), header, alerts, main);
  return {
    main,
    alerts,
    setUser(u) {
      user.replaceChildren();
      if (!u) return;
      const out = el('button', { type: 'button', class: 'button button-quiet', text: 'Sign out' });
      out.addEventListener('click', u.onSignOut);
      user.append(el('span', { class: 'page-address', text: u.address }), out);
    },
    show(...nodes) {
      main.replaceChildren(...nodes);
      const heading = main.querySelector<HTMLElement>('h1');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: true });
      }
    },
  };
}

/** A simple titled message page (not found, declined, errors). */
export function messageView(title: string, text: string, ...extra: Node[]): HTMLElement {
  return el('section', { class: 'card' }, el('h1', { text: title }), el('p', { text }), ...extra);
}
