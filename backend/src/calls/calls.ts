import { randomUUID } from 'node:crypto';
import { LIMITS, type CallJoined, type CallMedia, type CallSignal, type CallView } from '../../../protocol/index.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import type { ChatContext } from '../chats/context.ts';
import { requireMember } from '../chats/membership.ts';
import { postCallLine } from '../chats/messages.ts';
import { addParticipant, afterLeaving, byHandle, callAudience, callView, participant, removeParticipant, type CallRecord } from './call.ts';
import type { CallStore } from './call-store.ts';
import { callLineText, callSeconds } from '../../../protocol/call-line.ts';
import type { CallEvents } from './events.ts';
import { iceServersFor, type IceSettings } from './turn.ts';
import type { RateLimit } from '../ops/rate-limits.ts';

export interface CallSettings extends IceSettings {
  /** New calls per member (joining one does not count): each rings everyone and leaves history lines and emails. */
  startLimit: RateLimit;
  /** How long members are rung before an unanswered call counts as missed. */
  ringMs: number;
  /** How long the last one left in a call waits for a dropped participant to come back. */
  rejoinGraceMs?: number;
}

/**
 * Live calls in chats: who may start, join and signal (current members only, checked on every
 * event), who is rung, and the history lines (started, ended with who took part, missed).
 * One call per chat at a time: starting a call where one is going on joins it.
 *
 * The calls themselves are in the store, shared by all nodes; what stays on this node is what
 * belongs to its own connections: which of them joined which call (for when one closes) and
 * the timers of the calls it started or was left alone in.
 */
export class CallService {
  /** This node's connections that joined calls: device -> call ids. */
  private readonly devices = new Map<string, Set<string>>();
  private readonly ringTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly aloneTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Drops under way, awaited on shutdown so their history lines are written. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ChatContext,
    private readonly events: CallEvents,
    private readonly store: CallStore,
    private readonly settings: CallSettings,
  ) {}

  async start(caller: Caller, device: string, chatId: string, media: CallMedia): Promise<CallJoined> {
    const member = await requireMember(this.ctx, caller, chatId);
    if (member.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended');
    const running = await this.store.inChat(chatId);
    if (running) return this.accept(caller, device, chatId, running.id);
    await this.settings.startLimit.consume(caller.identityId, 'calls started');
    // Members only: an address that never opened the chat (a Bcc recipient included) has no
    // client to ring; it learns of a missed call from the history line.
    const others = await this.ctx.db.member.findMany({
      where: { chatId, identityId: { not: caller.identityId } },
      select: { identityId: true },
    });
    const now = new Date();
    const handle = this.ctx.handles.of(chatId, caller.identityId);
    const call: CallRecord = {
      id: randomUUID(),
      chat: { id: chatId, retention: member.chat.retention, subject: member.chat.subject },
      media,
      caller: { identityId: caller.identityId, handle, address: member.address },
      startedAt: now.toISOString(),
      ringUntil: new Date(now.getTime() + this.settings.ringMs).toISOString(),
      participants: [],
      tookPart: [],
      rung: others.map((m) => m.identityId),
      declined: [],
      answered: false,
      ended: false,
    };
    addParticipant(call, { identityId: caller.identityId, device, handle, address: member.address });
    // Started by someone else meanwhile (on any node): join theirs.
    const stored = await this.store.create(call);
    if (stored.id !== call.id) return this.accept(caller, device, chatId, stored.id);
    this.track(device, call.id);
    this.timer(this.ringTimers, call.id, this.settings.ringMs, () => this.ringingOver(call.id));
    this.ctx.log.info({ chatId, callId: call.id, media, rung: call.rung.length }, 'call started');
    await postCallLine(this.ctx, call.chat, call.caller, `${member.address} started ${media === 'video' ? 'a video' : 'an audio'} call`);
    this.events.ring(call.rung, { call: callView(call), subject: call.chat.subject, callerAddress: member.address });
    this.events.updated(callView(call), callAudience(call));
    return this.joined(call, caller.identityId);
  }

  /** Joins a ringing or active call from this device; the same member on a new device takes the place of the old one. */
  async accept(caller: Caller, device: string, chatId: string, callId: string): Promise<CallJoined> {
    const member = await requireMember(this.ctx, caller, chatId);
    const me = { identityId: caller.identityId, device, handle: this.ctx.handles.of(chatId, caller.identityId), address: member.address };
    const { call } = await this.change(chatId, callId, (c) => {
      if (!participant(c, me.identityId) && c.participants.length >= LIMITS.callParticipants) {
        throw new AppError('TOO_LARGE', `A call has at most ${LIMITS.callParticipants} participants`);
      }
      addParticipant(c, me);
      return true;
    });
    this.track(device, call.id);
    this.clearTimer(this.aloneTimers, call.id);
    this.events.updated(callView(call), callAudience(call));
    return this.joined(call, caller.identityId);
  }

  async decline(caller: Caller, chatId: string, callId: string): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    const { call, changed } = await this.change(chatId, callId, (c) => {
      if (!c.rung.includes(caller.identityId) || c.declined.includes(caller.identityId)) return false;
      c.declined.push(caller.identityId);
      // Everyone rung said no before anyone answered: the caller need not wait out the ringing.
      if (!c.answered && c.rung.every((id) => c.declined.includes(id))) c.ended = true;
      return true;
    });
    if (!changed) return;
    if (call.ended) await this.ended(call);
    else this.events.updated(callView(call), [caller.identityId]);
  }

  /** Hang up. A call ends when nobody is left to talk to. */
  async leave(caller: Caller, chatId: string, callId: string): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    let outcome: ReturnType<typeof afterLeaving> | undefined;
    const { call, changed } = await this.change(chatId, callId, (c) => {
      if (!removeParticipant(c, caller.identityId)) return false;
      outcome = afterLeaving(c, 'hung up');
      return true;
    });
    if (changed && outcome) await this.left(call, outcome);
  }

  async signal(caller: Caller, device: string, chatId: string, callId: string, to: string, signal: CallSignal): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    const call = this.found(chatId, await this.store.get(callId));
    const me = participant(call, caller.identityId);
    if (!me || me.device !== device) throw new AppError('FORBIDDEN', 'Join the call from this device first');
    const peer = byHandle(call, to);
    if (!peer || peer === me) throw new AppError('NOT_FOUND', 'That participant is not in the call');
    // The peer's device may be a connection on another node: the adapter carries it there.
    this.events.signal(peer.device, { chatId, callId, from: me.handle, signal });
  }

  /** A connection of this node closed: its member dropped out of any call it was in (and may rejoin). */
  deviceGone(device: string): void {
    const callIds = this.devices.get(device);
    if (!callIds) return;
    this.devices.delete(device);
    for (const callId of callIds) {
      const drop = this.dropped(callId, device)
        .catch((err: unknown) => this.ctx.log.warn({ err, callId }, 'call not updated after a drop'))
        .finally(() => this.pending.delete(drop));
      this.pending.add(drop);
    }
  }

  /** A member left the chat (removed from its audience): their place in its call goes with it. */
  memberRemoved(chatId: string, identityId: string): void {
    this.removed(chatId, identityId).catch((err: unknown) => this.ctx.log.warn({ err, chatId }, 'call not updated after a removal'));
  }

  /** The owner ended the chat: its call ends for everyone in it, with its history line. */
  chatEnded(chatId: string): void {
    this.endCallIn(chatId).catch((err: unknown) => this.ctx.log.warn({ err, chatId }, 'call not ended with its chat'));
  }

  /** The call going on in a chat, for a member who just joined it (the caller checked membership). */
  async current(chatId: string): Promise<CallView | null> {
    const call = await this.store.inChat(chatId);
    return call ? callView(call) : null;
  }

  /**
   * The server is stopping: its connections are gone, so their members leave their calls
   * (a call with members on other nodes goes on; one left empty ends and its history lines
   * are written).
   */
  async stop(): Promise<void> {
    for (const device of [...this.devices.keys()]) this.deviceGone(device);
    while (this.pending.size) await Promise.all([...this.pending]);
    for (const t of [...this.ringTimers.values(), ...this.aloneTimers.values()]) clearTimeout(t);
    this.ringTimers.clear();
    this.aloneTimers.clear();
  }

  private async dropped(callId: string, device: string): Promise<void> {
    let outcome: ReturnType<typeof afterLeaving> | undefined;
    const result = await this.store.update(callId, (c) => {
      // Only if this connection is still the one the member joined from (not replaced by a new device).
      const p = c.participants.find((q) => q.device === device);
      if (!p) return false;
      removeParticipant(c, p.identityId);
      outcome = afterLeaving(c, 'dropped');
      return true;
    });
    if (result?.changed && outcome) await this.left(result.call, outcome);
  }

  private async removed(chatId: string, identityId: string): Promise<void> {
    const running = await this.store.inChat(chatId);
    if (!running) return;
    let outcome: ReturnType<typeof afterLeaving> | undefined;
    const result = await this.store.update(running.id, (c) => {
      const wasRung = c.rung.includes(identityId);
      c.rung = c.rung.filter((id) => id !== identityId);
      if (!removeParticipant(c, identityId)) return wasRung;
      outcome = afterLeaving(c, 'hung up');
      return true;
    });
    if (result?.changed && outcome) await this.left(result.call, outcome);
  }

  private async endCallIn(chatId: string): Promise<void> {
    const running = await this.store.inChat(chatId);
    if (!running) return;
    const result = await this.store.update(running.id, (c) => {
      if (c.ended) return false;
      c.ended = true;
      return true;
    });
    if (result?.changed) await this.ended(result.call);
  }

  private async left(call: CallRecord, outcome: ReturnType<typeof afterLeaving>): Promise<void> {
    if (outcome === 'ended') return this.ended(call);
    if (outcome === 'alone') {
      this.timer(this.aloneTimers, call.id, this.settings.rejoinGraceMs ?? 20_000, () => this.aloneTooLong(call.id));
    }
    this.events.updated(callView(call), callAudience(call));
  }

  private joined(call: CallRecord, identityId: string): CallJoined {
    const { iceServers, expiresAt } = iceServersFor(this.settings, `${this.ctx.handles.of(call.chat.id, identityId)}.${call.id}`);
    return { call: callView(call), iceServers, iceExpiresAt: expiresAt };
  }

  /** Changes a call of this chat that is going on, or says NOT_FOUND. */
  private async change(chatId: string, callId: string, change: (call: CallRecord) => boolean) {
    const result = await this.store.update(callId, (c) => {
      this.found(chatId, c);
      return change(c);
    });
    if (!result) throw notFound();
    return result;
  }

  private found(chatId: string, call: CallRecord | undefined): CallRecord {
    // The same answer for a call of another chat as for none: ids of other chats' calls say nothing.
    if (!call || call.chat.id !== chatId || call.ended) throw notFound();
    return call;
  }

  private async ringingOver(callId: string): Promise<void> {
    const result = await this.store.update(callId, (c) => {
      if (c.ended) return false;
      // Answered: those who never picked up stop ringing (the call stays joinable from the panel).
      if (c.answered) c.rung = [];
      else c.ended = true;
      return true;
    });
    if (result?.changed && result.call.ended) await this.ended(result.call);
  }

  private async aloneTooLong(callId: string): Promise<void> {
    const result = await this.store.update(callId, (c) => {
      if (c.ended || c.participants.length > 1) return false;
      c.ended = true;
      return true;
    });
    if (result?.changed) await this.ended(result.call);
  }

  /** The call was ended by this node's change (exactly one node gets here per call): tell everyone, write the line. */
  private async ended(call: CallRecord): Promise<void> {
    this.clearTimer(this.ringTimers, call.id);
    this.clearTimer(this.aloneTimers, call.id);
    for (const [device, ids] of this.devices) if (ids.delete(call.id) && !ids.size) this.devices.delete(device);
    this.events.updated(callView(call), callAudience(call));
    const line = callLineText(
      call.answered
        ? { kind: 'ended', seconds: callSeconds(Date.now() - Date.parse(call.startedAt)), people: [...call.tookPart] }
        : { kind: 'missed', caller: call.caller.address },
    );
    this.ctx.log.info({ chatId: call.chat.id, callId: call.id, answered: call.answered }, 'call ended');
    await postCallLine(this.ctx, call.chat, call.caller, line);
  }

  private track(device: string, callId: string): void {
    const ids = this.devices.get(device) ?? new Set<string>();
    ids.add(callId);
    this.devices.set(device, ids);
  }

  private timer(timers: Map<string, ReturnType<typeof setTimeout>>, callId: string, ms: number, run: () => Promise<void>): void {
    this.clearTimer(timers, callId);
    const t = setTimeout(() => {
      timers.delete(callId);
      run().catch((err: unknown) => this.ctx.log.warn({ err, callId }, 'call not updated when its timer ran out'));
    }, ms);
    t.unref?.();
    timers.set(callId, t);
  }

  private clearTimer(timers: Map<string, ReturnType<typeof setTimeout>>, callId: string): void {
    clearTimeout(timers.get(callId));
    timers.delete(callId);
  }
}

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'This call has ended');
}
