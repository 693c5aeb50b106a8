/**
 * Repairs for the MIME shapes real clients send that the MIME parser reads wrongly, applied to
 * the raw reply before (or instead of) the parser's own handling. Each works on the header
 * fields only (Content-Type lines and their folded continuations), in linear time.
 */

/** A Content-Type field with its folded continuation lines. */
const CONTENT_TYPE = /^Content-Type:[^\r\n]{0,2000}(?:\r?\n[ \t][^\r\n]{0,2000}){0,50}/gim;

export interface FlowedText {
  /** RFC 3676 delsp=yes: the space before a soft break belongs to the break, not the text. */
  delsp: boolean;
}

/**
 * Turns `format=flowed` off in the header so the parser hands over the lines as sent, and says
 * how to decode them (decodeFlowed). Why: the parser joins a soft-broken quoted line with the
 * unquoted line below it, which RFC 3676 section 4.5 forbids; a Thunderbird reply whose last
 * quoted line ends in a space then loses its new text into the quote.
 */
export function takeFlowed(raw: Buffer): { raw: Buffer; flowed: FlowedText | null } {
  const text = raw.toString('latin1');
  if (!/format\s*=\s*"?flowed/i.test(text)) return { raw, flowed: null };
  let flowed: FlowedText | null = null;
  const out = text.replace(CONTENT_TYPE, (field) => {
    if (!/^Content-Type:\s*text\/plain/i.test(field) || !/format\s*=\s*"?flowed"?/i.test(field)) return field;
    flowed = { delsp: /delsp\s*=\s*"?yes"?/i.test(field) };
    return field.replace(/format\s*=\s*"?flowed"?/i, 'format=fixed');
  });
  return flowed ? { raw: Buffer.from(out, 'latin1'), flowed } : { raw, flowed: null };
}

/**
 * RFC 3676 decoding: a line ending in a space continues on the next line of the same quote
 * depth; lines of different depths are never joined; "-- " stays a signature line.
 */
export function decodeFlowed(text: string, { delsp }: FlowedText): string {
  const out: string[] = [];
  let open: { depth: number; text: string } | null = null;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const depth = /^>*/.exec(raw)![0].length;
    let line = raw.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1); // space-stuffing (section 4.4)
    const soft = line.endsWith(' ') && line !== '-- ';
    const piece = soft && delsp ? line.slice(0, -1) : line;
    if (open && open.depth === depth) open.text += piece;
    else {
      if (open) out.push(render(open));
      open = { depth, text: piece };
    }
    if (!soft) {
      out.push(render(open));
      open = null;
    }
  }
  if (open) out.push(render(open));
  return out.join('\n');
}

function render({ depth, text }: { depth: number; text: string }): string {
  return depth > 0 ? `${'>'.repeat(depth)} ${text}` : text;
}

/**
 * The same mail with every text part's charset label replaced by UTF-8, or null when there is
 * nothing to relabel. Used when a declared charset does not decode cleanly: a client that says
 * Big5 or ISO-8859-1 but writes UTF-8 (readReply keeps the UTF-8 reading only if it is clean).
 */
export function relabelAsUtf8(raw: Buffer): Buffer | null {
  let changed = false;
  const out = raw.toString('latin1').replace(CONTENT_TYPE, (field) => {
    if (!/^Content-Type:\s*text\//i.test(field)) return field;
    const m = /charset\s*=\s*"?([\w.:-]{1,40})"?/i.exec(field);
    if (!m || /^(?:utf-?8|us-ascii|ascii)$/i.test(m[1]!)) return field;
    changed = true;
    return field.replace(m[0], 'charset=utf-8');
  });
  return changed ? Buffer.from(out, 'latin1') : null;
}

/** True when bytes hold non-ASCII text that is valid UTF-8 (strong evidence that UTF-8 is meant). */
export function decodesAsUtf8(text: string): boolean {
  return !text.includes('\uFFFD') && /\P{ASCII}/u.test(text);
}

/**
 * A mail that declares a multipart type but has no boundary line in its body (some iPhone mail):
 * the same mail as one text/plain part, or null when the body does hold parts.
 */
export function multipartWithoutParts(raw: Buffer): Buffer | null {
  const text = raw.toString('latin1');
  const headerEnd = /\r?\n\r?\n/.exec(text);
  if (!headerEnd) return null;
  const header = text.slice(0, headerEnd.index);
  const field = /^Content-Type:\s*multipart\/[^\r\n]{0,2000}(?:\r?\n[ \t][^\r\n]{0,2000}){0,50}/im.exec(header);
  if (!field) return null;
  const boundary = /boundary\s*=\s*(?:"([^"]{1,200})"|([^\s;]{1,200}))/i.exec(field[0]);
  const marker = boundary ? `--${boundary[1] ?? boundary[2]}` : null;
  const body = text.slice(headerEnd.index);
  if (marker && body.includes(marker)) return null;
  const plain = header
    .replace(field[0], 'Content-Type: text/plain; charset=utf-8')
    .replace(/^Content-Transfer-Encoding:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n?/gim, '');
  return Buffer.from(plain + body, 'latin1');
}
