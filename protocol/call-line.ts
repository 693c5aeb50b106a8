/**
 * The history line a call leaves in its chat (a CALL message). Its body is stored as one English
 * sentence, which is what older clients and the chat's record show; readers that speak another
 * language (emails to members, in their language) read the facts back with readCallLine and say
 * them in their own words. Writing and reading live together so the two cannot drift apart.
 */
export type CallLine = { kind: 'missed'; caller: string } | { kind: 'ended'; seconds: number; people: string[] };

/** "3 min 2 s", "45 s": how the stored line says a call's length. */
function lengthText(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m} min ${seconds % 60} s` : `${seconds} s`;
}

/** The stored body of a call line. */
export function callLineText(line: CallLine): string {
  return line.kind === 'missed'
    ? `Missed call from ${line.caller}`
    : `Call ended after ${lengthText(line.seconds)}; in the call: ${line.people.join(', ')}`;
}

/** A call's length in whole seconds, never 0 (a call that connected lasted at least a moment). */
export function callSeconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

const MISSED = /^Missed call from (.+)$/;
const ENDED = /^Call ended after (?:(\d+) min )?(\d+) s; in the call: (.*)$/;

/** The facts of a stored call line; null for a body this module did not write. */
export function readCallLine(body: string): CallLine | null {
  const missed = MISSED.exec(body);
  if (missed) return { kind: 'missed', caller: missed[1]! };
  const ended = ENDED.exec(body);
  if (!ended) return null;
  const people = ended[3] ? ended[3].split(', ') : [];
  return { kind: 'ended', seconds: Number(ended[1] ?? 0) * 60 + Number(ended[2]), people };
}
