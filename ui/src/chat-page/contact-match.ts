/**
 * How the start-a-chat picker names a contact and whether a typed filter finds them (pure): by
 * the start of any word of their display name or address, every typed word in any order, as
 * the messenger search finds people (backend/src/chats/search.ts). A contact's name is theirs
 * to show me: we accepted a chat together, where it was shown anyway.
 */
import type { ContactView } from '../../../protocol/index.ts';

type Named = Pick<ContactView, 'address' | 'displayName'>;

const WORD = /[\p{L}\p{N}]+/gu;
const words = (s: string) => (s.toLowerCase().match(WORD) ?? []) as string[];

/** "Name (address)" where a name is set, else the address. */
export function contactLabel(c: Named): string {
  return c.displayName ? `${c.displayName} (${c.address})` : c.address;
}

/** Every word of the query starts a word of the contact's name or address; an empty query matches all. */
export function contactMatches(c: Named, query: string): boolean {
  const wanted = words(query);
  const own = words(`${c.displayName ?? ''} ${c.address}`);
  return wanted.every((w) => own.some((o) => o.startsWith(w)));
}
