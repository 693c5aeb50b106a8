import { refusals, type SmtpReply } from './refusals.ts';

/** Largest header block we read. Real replies carry a few KB; Postfix allows 100 KB. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** Most physical header lines (a DKIM signature or a long References folds into a few dozen). */
export const MAX_HEADER_LINES = 1000;

const CR = 0x0d;
const LF = 0x0a;

/**
 * The first look at an untrusted email, before any parser sees it; a linear scan of bytes.
 *
 * Why: the MIME parser (mailparser) and the authentication checker (mailauth) each parse the
 * header themselves, and they disagree on malformed input. A leading mbox `From ` line is
 * skipped by one and read as a From field by the other, so the checker can vouch for a
 * different From than the one that names the member. And both have regexes that take
 * seconds per KB on a header full of bare CRs. So only mail whose header both read the same
 * way gets through:
 * - no CR that is not followed by LF, anywhere (RFC 5322 allows CR only in CRLF);
 * - a header block of at most MAX_HEADER_BYTES and MAX_HEADER_LINES lines;
 * - no mbox `From ` line in front;
 * - every header line is a field (`name:` with a printable name, no space before the colon)
 *   or a continuation (starts with a space or tab), without control characters;
 * - exactly one From field.
 * Returns the refusal, or null when the mail may be parsed.
 */
export function screenRawMessage(raw: Buffer): SmtpReply | null {
  for (let i = raw.indexOf(CR); i >= 0; i = raw.indexOf(CR, i + 1)) {
    if (raw[i + 1] !== LF) return refusals.bareCarriageReturn();
  }
  const end = headerEnd(raw);
  if (end > MAX_HEADER_BYTES) return refusals.headerTooLarge(MAX_HEADER_BYTES);
  const header = raw
    .subarray(0, end)
    .toString('latin1')
    .replace(/\r?\n$/, '');
  if (/^From /i.test(header)) return refusals.mboxFromLine();
  const lines = header.split(/\r?\n/);
  if (lines.length > MAX_HEADER_LINES) return refusals.headerTooLarge(MAX_HEADER_BYTES);
  let from = 0;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    // Tab is the only control character a header may hold; 8-bit bytes are UTF-8 (SMTPUTF8).
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return refusals.malformedHeader(n + 1);
    if (n > 0 && (line.startsWith(' ') || line.startsWith('\t'))) continue;
    const field = /^([\x21-\x39\x3b-\x7e]+):/.exec(line);
    if (!field) return refusals.malformedHeader(n + 1);
    if (field[1]!.toLowerCase() === 'from') from++;
  }
  if (from !== 1) return refusals.fromCount();
  return null;
}

/** Length of the header block without the empty line that ends it (the whole mail if there is none). */
function headerEnd(raw: Buffer): number {
  // Only the first MAX_HEADER_BYTES (+ the blank line) matter: beyond that it is too large anyway.
  const limit = Math.min(raw.length, MAX_HEADER_BYTES + 4);
  for (let i = raw.indexOf(LF); i >= 0 && i < limit; i = raw.indexOf(LF, i + 1)) {
    if (raw[i + 1] === LF) return i + (raw[i - 1] === CR ? -1 : 0);
    if (raw[i + 1] === CR && raw[i + 2] === LF) return i + (raw[i - 1] === CR ? -1 : 0);
  }
  return raw.length;
}
