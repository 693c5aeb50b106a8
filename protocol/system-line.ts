/**
 * The lines the server writes into a chat's history itself (a SYSTEM message): someone joined,
 * someone was added, the owner ended the chat. Like call lines (call-line.ts) they are stored as
 * one English sentence, which older clients and the chat's record show; panels read the facts back
 * with readSystemLine and say them in the reader's language. Writing and reading live together so
 * the two cannot drift apart.
 */
export type SystemLine = { kind: 'joined'; address: string } | { kind: 'added'; address: string } | { kind: 'ended' };

const ENDED = 'The chat was ended by its owner';

/** The stored body of a system line. */
export function systemLineText(line: SystemLine): string {
  if (line.kind === 'joined') return `${line.address} joined`;
  if (line.kind === 'added') return `${line.address} was added`;
  return ENDED;
}

// An address has no spaces, so the sentence's own words cannot be mistaken for part of it.
const JOINED = /^(\S+) joined$/;
const ADDED = /^(\S+) was added$/;

/** The facts of a stored system line; null for a body this module did not write. */
export function readSystemLine(body: string): SystemLine | null {
  if (body === ENDED) return { kind: 'ended' };
  const joined = JOINED.exec(body);
  if (joined) return { kind: 'joined', address: joined[1]! };
  const added = ADDED.exec(body);
  if (added) return { kind: 'added', address: added[1]! };
  return null;
}
