import { convert } from 'html-to-text';
import { stripControlCharacters } from '../../../protocol/index.ts';
import { attributionFinder, headerBlockAt, isSeparator, textBeforeSharedHeader } from './quote-headers.ts';
import { cutSignature, dropTrailingRules, isMobileSignature } from './signatures.ts';

/**
 * The new text of an emailed reply: quoted history and signature noise removed, everything the
 * person typed kept. HTML replies are first cut at the quote container each big client writes,
 * then turned into text; the text then goes through the line rules below (quote-headers.ts and
 * signatures.ts hold the patterns). Measured on the labelled corpus in
 * test/fixtures/replies/corpus with `npm run eval:replies`.
 */
export function extractReplyText(mail: {
  text?: string | null;
  html?: string | null;
  /** The text part was format=flowed (decoded by reply-mime.ts): its quoted lines are whole paragraphs. */
  flowed?: boolean;
}): string {
  // A quote container in the HTML is the surest cut. Without one, the text part (or, for
  // HTML-only mail, the text rendering of the HTML) is trimmed line by line.
  const cut = mail.html ? cutHtmlQuote(mail.html) : null;
  const source =
    mail.html && cut !== null && cut.length < mail.html.length
      ? htmlToText(cut)
      : mail.text && mail.text.trim()
        ? mail.text
        : mail.html
          ? htmlToText(mail.html)
          : '';
  // Control characters are refused in API text; a person's emailed reply never holds them on
  // purpose, so they are dropped here rather than the whole reply bounced. CR-only line ends
  // (old Mac clients) are line ends too.
  const normalised = stripControlCharacters(source.replace(/\r\n?/g, '\n').replace(/\u00a0/g, ' '));
  return tidy(newLines(stripPgpArmour(normalised).split('\n'), mail.flowed === true).join('\n'));
}

// Where each client's quoted original (or signature) starts in its HTML: tests on one opening
// tag (its text from "<" to ">").
const HTML_QUOTE_MARKERS = [
  /^<div\b[^>]*\bclass=["'][^"']*\bgmail_quote\b/i, // Gmail
  /^<div\b[^>]*\bclass=["'][^"']*\bgmail_signature\b/i,
  /^<div\b[^>]*\bclass=["'][^"']*\bgmail_extra\b/i,
  /^<div\b[^>]*\bid=["']divRplyFwdMsg["']/i, // Outlook on the web / new Outlook
  /^<div\b[^>]*\bid=["']appendonsend["']/i,
  /^<div\b[^>]*\bid=["']mail-editor-reference-message-container["']/i,
  /^<div\b[^>]*\bid=["']Signature["']/i,
  /^<div\b[^>]*\bstyle=["'][^"']*border-top:\s*solid\s+#E1E1E1/i, // classic Outlook's header rule
  /^<div\b[^>]*\bclass=["'][^"']*\bmoz-cite-prefix\b/i, // Thunderbird
  /^<(?:div|pre)\b[^>]*\bclass=["'][^"']*\bmoz-signature\b/i,
  /^<blockquote\b[^>]*\btype=["']cite["']/i, // Apple Mail, Thunderbird
  /^<div\b[^>]*\bclass=["'][^"']*\byahoo_quoted\b/i,
];
/** A longer "tag" is not one a client wrote; skipping it keeps the scan linear. */
const MAX_TAG_CHARS = 2000;

/**
 * The HTML before the first quote marker. One pass over the tags: each "<" is paired with the
 * next ">" (found by a pointer that only moves forward), so crafted markup such as thousands of
 * "<div " without a ">" costs linear time, not quadratic.
 */
export function cutHtmlQuote(html: string): string {
  let close = -1;
  for (let open = html.indexOf('<'); open >= 0; open = html.indexOf('<', open + 1)) {
    if (close < open) close = html.indexOf('>', open);
    if (close < 0) break;
    if (close - open > MAX_TAG_CHARS) continue;
    const c = html.charCodeAt(open + 1) | 0x20; // "d"iv, "b"lockquote, "p"re
    if (c !== 0x64 && c !== 0x62 && c !== 0x70) continue;
    const tag = html.slice(open, close + 1);
    if (HTML_QUOTE_MARKERS.some((re) => re.test(tag))) return html.slice(0, open);
  }
  return html;
}

/**
 * html-to-text costs about 80 µs per element; a reply within the size limit can hold tens of
 * thousands of empty elements. Beyond this many tags the markup is read by a linear tag
 * stripper instead, which keeps the text and the line breaks of block elements.
 */
const MAX_HTML_TAGS = 5000;

function htmlToText(html: string): string {
  let tags = 0;
  for (let i = html.indexOf('<'); i >= 0 && tags <= MAX_HTML_TAGS; i = html.indexOf('<', i + 1)) tags++;
  if (tags > MAX_HTML_TAGS) return stripTags(html);
  return convert(html, {
    wordwrap: false,
    // Deeper nesting than any client writes would overflow the converter's recursion.
    limits: { maxDepth: 100 },
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'hr', format: 'skip' },
    ],
  });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text of the markup in one forward pass: tags dropped, block ends as line breaks, entities decoded. */
function stripTags(html: string): string {
  const out: string[] = [];
  const lower = html.toLowerCase();
  let text = 0; // start of the text not yet copied
  let close = -1;
  for (let open = html.indexOf('<'); open >= 0; open = html.indexOf('<', open + 1)) {
    if (close < open) close = html.indexOf('>', open);
    if (close < 0) break;
    if (close - open > MAX_TAG_CHARS) continue; // a lone "<" is text
    out.push(html.slice(text, open));
    const name = /^<\/?([a-z][a-z0-9]{0,9})/i.exec(html.slice(open, Math.min(close + 1, open + 12)))?.[1]?.toLowerCase() ?? '';
    if (html[open + 1] !== '/' && (name === 'style' || name === 'script' || name === 'head')) {
      const end = lower.indexOf(`</${name}`, close);
      const after = end < 0 ? -1 : html.indexOf('>', end);
      open = after < 0 ? html.length : after;
      text = open + 1;
      continue;
    }
    if (BLOCK_ENDS.has(html[open + 1] === '/' ? `/${name}` : name)) out.push('\n');
    text = close + 1;
    open = close;
  }
  out.push(html.slice(text));
  return out.join('').replace(/&(#\d{1,7}|#x[\da-f]{1,6}|[a-z]{2,6});/gi, (m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? m;
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  });
}

const BLOCK_ENDS = new Set(['br', '/p', '/div', '/li', '/tr', '/h1', '/h2', '/h3', '/h4', '/h5', '/h6', '/blockquote']);

/**
 * The lines the person wrote. Walking down the reply:
 * - an attribution ("On …, X wrote:") followed by a ">" block introduces a quote the person
 *   answers below or between (bottom posting, inline answers): the header and the block go,
 *   the text after them stays;
 * - an attribution followed by text without ">" (Outlook, many phones), a header block
 *   (From/Sent/To, any language, bold or not), an "Original Message"/"Forwarded message"
 *   separator or a phone's signature line: the quoted email starts here, everything after goes;
 * - ">" lines without a header are quotes answered inline and go; so does an unquoted line
 *   glued to a long ">" line (a client's rewrapped quote line).
 */
function newLines(lines: string[], flowed: boolean): string[] {
  const out: string[] = [];
  const attributionAt = attributionFinder(lines);
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const shared = textBeforeSharedHeader(line);
    if (shared !== null) {
      out.push(shared);
      break;
    }
    const header = attributionAt(i);
    if (header > 0) {
      let next = i + header;
      while (next < lines.length && !lines[next]!.trim()) next++;
      if (next < lines.length && isQuoted(lines[next]!)) {
        i = skipQuote(lines, next, flowed);
        continue;
      }
      break;
    }
    if (i > 0 || out.length > 0) {
      if (isSeparator(line) || headerBlockAt(lines, i) || isMobileSignature(line)) break;
    } else if (isSeparator(line) || headerBlockAt(lines, i)) break;
    if (isQuoted(line) && !isLoneMarkerLine(lines, i, attributionAt)) {
      i = skipQuote(lines, i, flowed);
      continue;
    }
    out.push(line);
    i++;
  }
  return dropTrailingRules(cutSignature(dropLeadingBlank(out)));
}

/** One ">" line wedged between two lines of text (">>> link <<<") is decoration, not a quote. */
function isLoneMarkerLine(lines: string[], i: number, attributionAt: (i: number) => number): boolean {
  const before = lines[i - 1];
  const after = lines[i + 1];
  return !!before?.trim() && !isQuoted(before) && !!after?.trim() && !isQuoted(after) && attributionAt(i + 1) === 0;
}

function isQuoted(line: string): boolean {
  return /^\s{0,3}>/.test(line);
}

/** Index of the first line after the ">" block that starts at `i` (blank lines inside it included). */
function skipQuote(lines: string[], i: number, flowed: boolean): number {
  let j = i;
  while (j < lines.length) {
    const line = lines[j]!;
    if (isQuoted(line)) {
      j++;
      continue;
    }
    if (!line.trim()) {
      // A blank line inside the block when more quote follows; else the block ends here.
      let k = j;
      while (k < lines.length && !lines[k]!.trim()) k++;
      if (k < lines.length && isQuoted(lines[k]!)) {
        j = k;
        continue;
      }
      return j;
    }
    // Glued to a long ">" line (or ending in ">"): the rest of a quoted line its client
    // rewrapped without a ">". Glued to a short one, it is the person's answer below it;
    // flowed text is never rewrapped, so there it always is.
    const previous = lines[j - 1]!;
    if (j > i && !flowed && isQuoted(previous) && (previous.length >= 60 || /^\s|>\s*$/.test(line))) {
      j++;
      continue;
    }
    return j;
  }
  return j;
}

function dropLeadingBlank(lines: string[]): string[] {
  let start = 0;
  while (start < lines.length && !lines[start]!.trim()) start++;
  return lines.slice(start);
}

/** Inline PGP (RFC 4880 section 7): the armour lines around a clear-signed text are not text. */
function stripPgpArmour(text: string): string {
  if (!text.includes('-----BEGIN PGP')) return text;
  return text
    .replace(/^-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash: [^\n]{0,100}\n)*\n?/m, '')
    .replace(/^-----BEGIN PGP SIGNATURE-----\n[\s\S]{0,20000}?^-----END PGP SIGNATURE-----$/m, '')
    .replace(/^- (?=-)/gm, ''); // dash-escaped lines
}

function tidy(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
