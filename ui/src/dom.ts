/**
 * The one way browser code builds DOM. Text always goes in through textContent, so nothing a
 * person typed can ever become markup.
 */
import { uiLanguage } from './i18n/index.ts';

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'text') node.textContent = String(value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** Short local time for a message, full date in the title, in the UI language's conventions. */
export function timeLabel(iso: string): { short: string; full: string } {
  const d = new Date(iso);
  return {
    short: d.toLocaleTimeString(uiLanguage(), { hour: '2-digit', minute: '2-digit' }),
    full: d.toLocaleString(uiLanguage()),
  };
}
