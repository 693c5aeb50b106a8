/**
 * The interface's words, in the reader's language. Strings live in ICU MessageFormat catalogues
 * (messages/<lang>.json, one flat object per language, English the reference); plurals, numbers
 * and dates are formatted by Intl through intl-messageformat. Every surface (chat page, shared
 * panel in Outlook and Thunderbird) reads them from here.
 *
 * Text placed through `tx`/`say` remembers its key on the element (data-i18n), so switching the
 * language re-renders every visible string in place: no reload, no lost drafts or scroll.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { Catalogue, MessageKey } from './catalogues.ts';
import { pickUiLanguage, UI_LANGUAGES, type UiLanguage } from './languages.ts';
import en from './messages/en.json' with { type: 'json' };

export { pickUiLanguage, UI_LANGUAGES, type MessageKey, type UiLanguage };
export type Values = Record<string, string | number>;

/** Languages written right to left among the ones we ship. */
const RTL = new Set<UiLanguage>(['ar']);
const ATTR = 'data-i18n';

/**
 * English ships with the code; each other language is its own chunk, fetched the first time it is
 * chosen (all ten in every bundle would more than double what a pane loads).
 */
const loaded: Partial<Record<UiLanguage, Catalogue>> = { en };
const LOADERS: Record<Exclude<UiLanguage, 'en'>, () => Promise<{ default: Catalogue }>> = {
  fr: () => import(/* webpackChunkName: "on-demand-lang-fr" */ './messages/fr.json', { with: { type: 'json' } }),
  de: () => import(/* webpackChunkName: "on-demand-lang-de" */ './messages/de.json', { with: { type: 'json' } }),
  es: () => import(/* webpackChunkName: "on-demand-lang-es" */ './messages/es.json', { with: { type: 'json' } }),
  sw: () => import(/* webpackChunkName: "on-demand-lang-sw" */ './messages/sw.json', { with: { type: 'json' } }),
  ar: () => import(/* webpackChunkName: "on-demand-lang-ar" */ './messages/ar.json', { with: { type: 'json' } }),
  ja: () => import(/* webpackChunkName: "on-demand-lang-ja" */ './messages/ja.json', { with: { type: 'json' } }),
  zh: () => import(/* webpackChunkName: "on-demand-lang-zh" */ './messages/zh.json', { with: { type: 'json' } }),
  ko: () => import(/* webpackChunkName: "on-demand-lang-ko" */ './messages/ko.json', { with: { type: 'json' } }),
  hi: () => import(/* webpackChunkName: "on-demand-lang-hi" */ './messages/hi.json', { with: { type: 'json' } }),
};
/** The language last asked for: a slow download for an earlier choice must not win over it. */
let wanted: UiLanguage = 'en';

let current: UiLanguage = 'en';
/** Whether anyone chose yet (a host, a panel, the reader's settings); until then the browser's languages apply. */
let chosen = false;
const formats = new Map<string, IntlMessageFormat>();
const listeners = new Set<(lang: UiLanguage) => void>();

export function uiLanguage(): UiLanguage {
  return current;
}

export function isRtl(lang: UiLanguage = current): boolean {
  return RTL.has(lang);
}

/** One message in the current language; a key missing there falls back to English. */
export function t(key: MessageKey, values?: Values): string {
  const id = `${current}:${key}`;
  let format = formats.get(id);
  if (!format) {
    // A build may ship a subset of English (the Outlook panes leave out the page's own keys): a
    // key missing everywhere shows as itself rather than breaking the view.
    format = new IntlMessageFormat(loaded[current]?.[key] ?? en[key] ?? key, current);
    formats.set(id, format);
  }
  return String(format.format(values));
}

type Slot = [MessageKey, Values?];
/** Element attribute (or "text") -> the message it shows. */
type Slots = Record<string, Slot>;

function slotsOf(node: Element): Slots {
  const raw = node.getAttribute(ATTR);
  return raw ? (JSON.parse(raw) as Slots) : {};
}

function remember(node: Element, target: string, key: MessageKey, values?: Values): void {
  const slots = slotsOf(node);
  slots[target] = values ? [key, values] : [key];
  node.setAttribute(ATTR, JSON.stringify(slots));
}

function paint(node: Element, target: string, [key, values]: Slot): void {
  if (target === 'text') node.textContent = t(key, values);
  else node.setAttribute(target, t(key, values));
}

/**
 * Attributes for `el()` whose values are messages kept in the UI language: `tx('key')` or
 * `tx('key', values)` for the text, `tx({ text: 'key', 'aria-label': ['key', values] })` for several.
 */
export function tx(spec: MessageKey | Record<string, MessageKey | Slot>, values?: Values): Record<string, string> {
  const slots: Slots = {};
  for (const [target, s] of Object.entries(typeof spec === 'string' ? { text: values ? ([spec, values] as Slot) : spec } : spec)) {
    slots[target] = typeof s === 'string' ? [s] : s;
  }
  const attrs: Record<string, string> = { [ATTR]: JSON.stringify(slots) };
  for (const [target, [key, v]] of Object.entries(slots)) attrs[target] = t(key, v);
  return attrs;
}

/** Sets an element's text (target "text") or an attribute to a message, kept in the UI language. */
export function say(node: Element, key: MessageKey, values?: Values, target = 'text'): void {
  remember(node, target, key, values);
  paint(node, target, [key, values]);
}

/** The element shows this text as given (a name, an error from the server): not a message any more. */
export function sayAsIs(node: Element, text: string, target = 'text'): void {
  const slots = slotsOf(node);
  delete slots[target];
  if (Object.keys(slots).length) node.setAttribute(ATTR, JSON.stringify(slots));
  else node.removeAttribute(ATTR);
  if (target === 'text') node.textContent = text;
  else node.setAttribute(target, text);
}

/** Marks a root (the page's <html>, a panel) with the UI language and its direction. */
export function markLanguage(node: HTMLElement): void {
  node.lang = current;
  node.dir = isRtl() ? 'rtl' : 'ltr';
}

/**
 * Switches the UI language at runtime: every remembered string under `root` is re-rendered and
 * listeners (views with computed text) are told. Returns the language chosen.
 */
export function setUiLanguage(candidates: readonly (string | null | undefined)[], root: ParentNode = document): UiLanguage {
  const next = pickUiLanguage(candidates);
  chosen = true;
  wanted = next;
  if (next !== 'en' && !loaded[next]) {
    // Shown once its catalogue has arrived (until then the interface stays as it is).
    settled = LOADERS[next]().then(
      (m) => {
        loaded[next] = m.default;
        if (wanted === next) apply(next, root);
      },
      () => {},
    );
    return next;
  }
  settled = Promise.resolve();
  return apply(next, root);
}

let settled: Promise<void> = Promise.resolve();

/** Resolves once the language asked for last is the interface's (its catalogue may still be downloading). */
export function uiLanguageSettled(): Promise<void> {
  return settled;
}

function apply(next: UiLanguage, root: ParentNode): UiLanguage {
  const changed = next !== current;
  current = next;
  markLanguage(document.documentElement);
  if (!changed) return next;
  for (const node of root.querySelectorAll(`[${ATTR}]`)) {
    for (const [target, slot] of Object.entries(slotsOf(node))) paint(node, target, slot);
  }
  if (title) document.title = t(title[0], title[1]);
  for (const fn of listeners) fn(next);
  return next;
}

/** A host's own language (Outlook's display language), ahead of the webview's. */
let hostLanguage: string | undefined;

/** The client's own languages (the host's, then the browser's or webview's), best first. */
export function clientLanguages(): string[] {
  const own = hostLanguage ? [hostLanguage] : [];
  if (typeof navigator === 'undefined') return own;
  return [...own, ...(navigator.languages?.length ? navigator.languages : [navigator.language])];
}

/**
 * The reader's own language when known (an identity's reading language; null: none chosen), else
 * the client's. One rule for every surface: the interface speaks what the person reads.
 */
export function followReader(language: string | null | undefined): UiLanguage {
  return setUiLanguage([language, ...clientLanguages()]);
}

/** Before anything is known: the client's languages, unless a language was already chosen. */
export function ensureUiLanguage(host?: string): UiLanguage {
  if (host) hostLanguage = host;
  return chosen ? current : setUiLanguage(clientLanguages());
}

let title: Slot | null = null;

/** The document's title as a message ("{page} · Inbox Chat"), kept in the UI language. */
export function setTitle(key: MessageKey, values?: Values): void {
  title = [key, values];
  document.title = t(key, values);
}

/** A language's own name for itself ("日本語", "العربية"), for language pickers. */
export function autonym(lang: UiLanguage): string {
  return new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
}

export function onUiLanguageChange(fn: (lang: UiLanguage) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
