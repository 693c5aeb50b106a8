/**
 * A message body as DOM: plain text, with web and mail addresses made into links. Built from
 * text nodes and anchors only (never HTML), and only http, https and mailto become links, so a
 * "javascript:" or "data:" address stays text. Links open in a new tab without handing that page
 * a reference back (noopener) or this page's address (noreferrer).
 */
import { find } from 'linkifyjs';
import { el } from '../dom.ts';

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

function safeHref(href: string): string | null {
  try {
    const url = new URL(href);
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

export function messageText(body: string): DocumentFragment {
  const out = document.createDocumentFragment();
  let at = 0;
  for (const link of find(body)) {
    if (link.type !== 'url' && link.type !== 'email') continue;
    const href = safeHref(link.href);
    if (!href) continue;
    if (link.start > at) out.append(body.slice(at, link.start));
    out.append(el('a', { href, target: '_blank', rel: 'noopener noreferrer nofollow', text: link.value }));
    at = link.end;
  }
  if (at < body.length) out.append(body.slice(at));
  return out;
}
