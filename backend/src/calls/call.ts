import type { CallMedia, CallView, Retention } from '../../../protocol/index.ts';

export interface Participant {
  identityId: string;
  /** The connection this member joined from: their signals go there. */
  device: string;
  handle: string;
  address: string;
}

/**
 * One call in one chat, as plain data: with several nodes it is shared through Redis
 * (call-store.ts), so any node can ring, join, signal and hang up for the members connected
 * to it. Media never passes through the server.
 */
export interface CallRecord {
  id: string;
  chat: { id: string; retention: Retention; subject: string };
  media: CallMedia;
  caller: { identityId: string; handle: string; address: string };
  startedAt: string;
  ringUntil: string;
  /** In the order they joined. */
  participants: Participant[];
  /** Everyone who took part at some point, for the history line at the end. */
  tookPart: string[];
  rung: string[];
  declined: string[];
  answered: boolean;
  ended: boolean;
}

/** Joins a member; the same member on a new device takes the place of the old one. */
export function addParticipant(call: CallRecord, p: Participant): void {
  const at = call.participants.findIndex((q) => q.identityId === p.identityId);
  if (at >= 0) call.participants[at] = p;
  else call.participants.push(p);
  if (!call.tookPart.includes(p.address)) call.tookPart.push(p.address);
  call.declined = call.declined.filter((id) => id !== p.identityId);
  if (p.identityId !== call.caller.identityId) call.answered = true;
}

/** False when they were not in the call. */
export function removeParticipant(call: CallRecord, identityId: string): boolean {
  const before = call.participants.length;
  call.participants = call.participants.filter((p) => p.identityId !== identityId);
  return call.participants.length < before;
}

export function participant(call: CallRecord, identityId: string): Participant | undefined {
  return call.participants.find((p) => p.identityId === identityId);
}

export function byHandle(call: CallRecord, handle: string): Participant | undefined {
  return call.participants.find((p) => p.handle === handle);
}

/**
 * What is left after someone left: the call ends when nobody is left, when the caller of a
 * call nobody answered is gone, or when the last but one hung up; the last one left after a
 * drop waits for the other side to come back (a network change, a reload).
 */
export function afterLeaving(call: CallRecord, how: 'hung up' | 'dropped'): 'ended' | 'alone' | 'going on' {
  const left = call.participants.length;
  const callerGone = !participant(call, call.caller.identityId);
  if (left === 0 || (!call.answered && callerGone) || (left === 1 && call.answered && how === 'hung up')) {
    call.ended = true;
    return 'ended';
  }
  return left === 1 && call.answered ? 'alone' : 'going on';
}

export function callView(call: CallRecord): CallView {
  return {
    id: call.id,
    chatId: call.chat.id,
    media: call.media,
    callerId: call.caller.handle,
    participants: call.ended ? [] : call.participants.map((p) => p.handle),
    state: call.ended ? 'ended' : call.answered ? 'active' : 'ringing',
    startedAt: call.startedAt,
    ringUntil: call.ringUntil,
  };
}

/** Who hears of changes besides the chat's room: the members being rung (their other panels) and the participants. */
export function callAudience(call: CallRecord): string[] {
  return [...new Set([...call.rung, ...call.participants.map((p) => p.identityId)])];
}
