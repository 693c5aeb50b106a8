/**
 * Addresses as Thunderbird hands them over ("Ann Lee <ann@example.com>", quoted names with
 * commas, bare addresses) reduced to plain addresses for an audience.
 */

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\]+$/;

/** Splits a header-style list on commas that are outside quotes and angle brackets. */
function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') angle++;
    else if (!quoted && ch === '>') angle = Math.max(0, angle - 1);
    if ((ch === ',' || ch === ';') && !quoted && angle === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** The address of one mailbox string, or null when there is none. */
export function mailboxAddress(mailbox: string): string | null {
  const angle = /<([^<>]+)>\s*$/.exec(mailbox);
  const candidate = (angle ? angle[1]! : mailbox).trim().replace(/^mailto:/i, '');
  return ADDRESS.test(candidate) ? candidate : null;
}

/** The display name of a mailbox string ("Ann Lee" of "Ann Lee <ann@x.org>"), else the address. */
export function mailboxName(mailbox: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<[^<>]+>\s*$/.exec(mailbox);
  return m && m[1] ? m[1] : (mailboxAddress(mailbox) ?? mailbox.trim());
}

/** Every address in a list of mailbox strings or header values, lower-cased and de-duplicated. */
export function addressesOf(values: readonly string[] | string | undefined): string[] {
  const list = values === undefined ? [] : typeof values === 'string' ? [values] : values;
  const seen = new Set<string>();
  for (const value of list) {
    for (const part of splitList(value)) {
      const a = mailboxAddress(part)?.toLowerCase();
      if (a) seen.add(a);
    }
  }
  return [...seen];
}
