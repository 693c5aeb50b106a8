/**
 * The words of a search and where they match (pure). The database finds the hits with a
 * `simple` tsquery of word prefixes; this file says the same thing to it and, for each hit,
 * finds the matched words again so clients can highlight them from offsets (never from HTML).
 */
import type { SearchRange } from '../../../protocol/index.ts';

/** At most this many words count; a longer query is cut rather than refused. */
const MAX_WORDS = 8;
/** Characters of message text around the first match that a hit carries. */
export const EXCERPT_CHARS = 160;

const WORD = /[\p{L}\p{N}]+/gu;

/** The distinct lower-cased words of a query, in order. */
export function searchWords(query: string): string[] {
  const words = (query.match(WORD) ?? []).map((w) => w.toLowerCase());
  return [...new Set(words)].slice(0, MAX_WORDS);
}

/**
 * A `to_tsquery('simple', …)` text asking for every word as a prefix ("meet" finds "meeting").
 * Words hold only letters and digits, so none of tsquery's operators can get in.
 */
export function prefixTsQuery(words: string[]): string {
  return words.map((w) => `'${w}':*`).join(' & ');
}

/** Where any of `words` starts a word of `text` and runs on: sorted, merged ranges. */
export function matchRanges(text: string, words: string[]): SearchRange[] {
  if (words.length === 0) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // A prefix of a word: not preceded by a letter or digit, then the word's letters and the rest of that word.
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  const ranges: SearchRange[] = [];
  for (const m of text.matchAll(re)) {
    const start = m.index;
    const end = start + m[0].length;
    const last = ranges.at(-1);
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges;
}

/**
 * A window of `text` (whitespace collapsed to single spaces) around its first match, with the
 * match ranges inside it; an ellipsis marks a cut, and the window starts at a word.
 */
export function excerpt(text: string, words: string[], width = EXCERPT_CHARS): { text: string; ranges: SearchRange[] } {
  const flat = text.replace(/\s+/g, ' ').trim();
  const ranges = matchRanges(flat, words);
  if (flat.length <= width) return { text: flat, ranges };
  const first = ranges[0]?.start ?? 0;
  let start = Math.max(0, first - Math.floor(width / 3));
  const space = flat.lastIndexOf(' ', start);
  if (start > 0 && space >= 0 && first - space < width / 2) start = space + 1;
  const end = Math.min(flat.length, start + width);
  const lead = start > 0 ? '… ' : '';
  const tail = end < flat.length ? ' …' : '';
  const shift = lead.length - start;
  return {
    text: lead + flat.slice(start, end) + tail,
    ranges: ranges
      .filter((r) => r.start >= start && r.start < end)
      .map((r) => ({ start: r.start + shift, end: Math.min(r.end, end) + shift })),
  };
}
