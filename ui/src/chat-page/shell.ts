/** The page frame: brand, who is signed in, sign out, and the main region views render into. */
import { el } from '../dom.ts';
import {
  autonym,
  onUiLanguageChange,
  pickUiLanguage,
  tx,
  uiLanguage,
  UI_LANGUAGES,
  type MessageKey,
  type UiLanguage,
  type Values,
} from '../i18n/index.ts';

export interface Shell {
  main: HTMLElement;
  /** Above the main region, kept across views: calls ringing in chats not on screen. */
  alerts: HTMLElement;
  setUser(user: { address: string; onSignOut: () => void } | null): void;
  /** Replaces the main region's content and moves focus to its heading for screen readers. */
  show(...nodes: Node[]): void;
}

/** The product's name: a brand, the same in every language. */
const BRAND = 'Inbox Chat';

export function createShell(host: HTMLElement, opts: { onLanguage: (lang: UiLanguage) => void }): Shell {
  const user = el('div', { class: 'page-user' });
  const header = el(
    'header',
    { class: 'page-header' },
    el('a', { href: '/', class: 'page-brand', text: BRAND }),
    languagePicker(opts.onLanguage),
    user,
  );
  const main = el('main', { id: 'main', class: 'page-main', tabindex: '-1' });
  const alerts = el('div', { class: 'page-alerts' });
  host.replaceChildren(el('a', { href: '#main', class: 'skip-link', ...tx('page.skip') }), header, alerts, main);
  return {
    main,
    alerts,
    setUser(u) {
      user.replaceChildren();
      if (!u) return;
      const out = el('button', { type: 'button', class: 'button button-quiet', ...tx('page.signOut') });
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

/** The interface language, each named in itself; choosing one is choosing my language (see main.ts). */
function languagePicker(onLanguage: (lang: UiLanguage) => void): HTMLSelectElement {
  const select = el(
    'select',
    { class: 'page-language', name: 'ui-language', ...tx({ 'aria-label': 'page.language', title: 'page.language' }) },
    ...UI_LANGUAGES.map((code) => el('option', { value: code, lang: code, text: autonym(code) })),
  );
  select.value = uiLanguage();
  onUiLanguageChange((lang) => (select.value = lang));
  select.addEventListener('change', () => onLanguage(pickUiLanguage([select.value])));
  return select;
}

/** Words for a page: one of ours, or the server's as they are (an error message). */
export type Words = MessageKey | [MessageKey, Values] | { asIs: string };

function words(w: Words): Record<string, string> {
  if (typeof w === 'string') return tx(w);
  if (Array.isArray(w)) return tx(w[0], w[1]);
  return { text: w.asIs };
}

/** A simple titled message page (not found, declined, errors). */
export function messageView(title: MessageKey, text: Words, ...extra: Node[]): HTMLElement {
  return el('section', { class: 'card' }, el('h1', tx(title)), el('p', words(text)), ...extra);
}
