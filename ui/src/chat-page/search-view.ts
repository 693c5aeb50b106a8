/**
 * Search over my chats (subjects, people, messages). Hits are highlighted from the server's
 * ranges with text nodes and <mark> elements only; choosing one opens its chat at its message.
 */
import type { SearchHit, SearchRange } from '../../../protocol/index.ts';
import { ApiError, type ApiClient } from '../api-client.ts';
import { el, timeLabel } from '../dom.ts';
import { say, sayAsIs, tx, type MessageKey } from '../i18n/index.ts';
import { chatUrl } from '../../../mail-client/chat-url.ts';

/** Typing pauses this long before a search goes out. */
const DEBOUNCE_MS = 250;

export interface SearchView {
  root: HTMLElement;
  /** The results, shown in place of the chat list while a search is typed. */
  results: HTMLElement;
  destroy(): void;
}

export function searchView(opts: {
  api: ApiClient;
  onOpen: (hit: SearchHit) => void;
  /** A search started (true) or was cleared (false). */
  onActive: (active: boolean) => void;
}): SearchView {
  const input = el('input', {
    type: 'search',
    id: 'chat-search',
    name: 'q',
    autocomplete: 'off',
    'aria-describedby': 'chat-search-status',
    ...tx({ placeholder: 'search.placeholder' }),
  });
  const status = el('p', { id: 'chat-search-status', class: 'muted search-status', role: 'status', 'aria-live': 'polite' });
  const list = el('ul', { class: 'search-results', ...tx({ 'aria-label': 'search.results' }) });
  const results = el('div', { class: 'search-view', hidden: true }, status, list);
  const form = el('form', { class: 'chat-search', role: 'search' }, el('label', { for: 'chat-search', ...tx('search.label') }), input);
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** Only the newest answer counts: an older, slower one must not overwrite it. */
  let asked = 0;

  const run = async () => {
    const q = input.value.trim();
    const ticket = ++asked;
    if (!/[\p{L}\p{N}]/u.test(q)) {
      results.hidden = true;
      list.replaceChildren();
      opts.onActive(false);
      return;
    }
    results.hidden = false;
    opts.onActive(true);
    say(status, 'search.searching');
    try {
      const hits = await opts.api.search(q);
      if (ticket !== asked) return;
      list.replaceChildren(...hits.map((h) => hitItem(h, opts.onOpen)));
      if (hits.length === 0) say(status, 'search.nothing', { query: q });
      else say(status, 'search.count', { count: hits.length });
    } catch (err) {
      if (ticket !== asked) return;
      list.replaceChildren();
      if (err instanceof ApiError || err instanceof Error) sayAsIs(status, err.message);
      else say(status, 'search.failed');
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), DEBOUNCE_MS);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    void run();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !input.value) return;
    input.value = '';
    clearTimeout(timer);
    void run();
  });

  return {
    root: form,
    results,
    destroy() {
      clearTimeout(timer);
      asked++;
    },
  };
}

const FIELD_LABEL: Record<SearchHit['field'], MessageKey> = {
  subject: 'search.fieldSubject',
  person: 'search.fieldPerson',
  message: 'search.fieldMessage',
};

function hitItem(hit: SearchHit, onOpen: (hit: SearchHit) => void): HTMLLIElement {
  const href = chatUrl('', hit.chatId);
  const link = el(
    'a',
    { href, class: 'search-hit', 'data-field': hit.field, 'data-seq': hit.seq === null ? undefined : String(hit.seq) },
    el(
      'span',
      { class: 'search-hit-head' },
      el('span', { class: 'chat-subject', ...(hit.subject ? { text: hit.subject } : tx('chatList.noSubject')) }),
      ' · ',
      el('span', tx(FIELD_LABEL[hit.field])),
    ),
    el('span', { class: 'search-hit-text' }, ...highlighted(hit.text, hit.ranges)),
    hit.at ? el('time', { class: 'search-hit-time', datetime: hit.at, text: timeLabel(hit.at).full }) : null,
  );
  link.addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    onOpen(hit);
  });
  return el('li', { class: 'search-item', 'data-chat-id': hit.chatId }, link);
}

/** Text and <mark>s from offsets: nothing of the text can become markup. */
export function highlighted(text: string, ranges: SearchRange[]): Node[] {
  const nodes: Node[] = [];
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start < at || r.end <= r.start || r.end > text.length) continue;
    if (r.start > at) nodes.push(document.createTextNode(text.slice(at, r.start)));
    nodes.push(el('mark', { text: text.slice(r.start, r.end) }));
    at = r.end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}
