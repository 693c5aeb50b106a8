/**
 * What a SYSTEM or CALL line says, in the reader's language. The server stores these as English
 * sentences (protocol/system-line.ts, protocol/call-line.ts); the panel reads the facts back and
 * says them through the catalogues. A body neither module wrote (an older server's wording) is
 * shown as stored.
 */
import type { MessageView } from '../../../protocol/index.ts';
import { readCallLine } from '../../../protocol/call-line.ts';
import { readSystemLine } from '../../../protocol/system-line.ts';
import { uiLanguage, type MessageKey, type Values } from '../i18n/index.ts';

/** The message to show for an event line, or null to show its stored text. */
export function eventLineMessage(m: Pick<MessageView, 'kind' | 'body'>): [MessageKey, Values?] | null {
  if (m.kind === 'CALL') {
    const call = readCallLine(m.body);
    if (call?.kind === 'missed') return ['line.missedCall', { caller: call.caller }];
    if (call?.kind === 'ended') return ['line.callEnded', { duration: callLength(call.seconds), people: peopleList(call.people) }];
    return null;
  }
  if (m.kind !== 'SYSTEM') return null;
  const line = readSystemLine(m.body);
  if (line?.kind === 'joined') return ['line.joined', { address: line.address }];
  if (line?.kind === 'added') return ['line.added', { address: line.address }];
  if (line?.kind === 'ended') return ['line.chatEnded'];
  return null;
}

// Formatted when the line is drawn: the panel draws its lines again when the language changes.
function callLength(total: number): string {
  const unit = (u: 'minute' | 'second', n: number) =>
    new Intl.NumberFormat(uiLanguage(), { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  const m = Math.floor(total / 60);
  return m > 0 ? `${unit('minute', m)} ${unit('second', total % 60)}` : unit('second', total);
}

function peopleList(people: string[]): string {
  return new Intl.ListFormat(uiLanguage(), { type: 'conjunction' }).format(people);
}
