import { randomUUID } from 'node:crypto';
import { LIMITS, type CallJoined, type CallMedia, type CallSignal, type CallView } from '../../../protocol/index.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../identity/sessions.ts';
import type { ChatContext } from '../chats/context.ts';
import { requireMember } from '../chats/membership.ts';
import { postCallLine } from '../chats/messages.ts';
import { Call, type Participant } from './call.ts';
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
 */
export class CallService {
  private readonly calls = new Map<string, Call>();
  private readonly byChat = new Map<string, Call>();

  constructor(
    private readonly ctx: ChatContext,
    private readonly events: CallEvents,
    private readonly settings: CallSettings,
  ) {}

  async start(caller: Caller, device: string, chatId: string, media: CallMedia): Promise<CallJoined> {
    const member = await requireMember(this.ctx, caller, chatId);
    if (member.chat.endedAt) throw new AppError('CHAT_ENDED', 'This chat has ended');
    const running = this.byChat.get(chatId);
    if (running) return this.accept(caller, device, chatId, running.id);
    await this.settings.startLimit.consume(caller.identityId, 'calls started');
    // Started by someone else while the limit was checked: join theirs.
    const raced = this.byChat.get(chatId);
    if (raced) return this.accept(caller, device, chatId, raced.id);
    const now = new Date();
    const call = new Call(
      randomUUID(),
      { id: chatId, retention: member.chat.retention, subject: member.chat.subject },
      media,
      { identityId: caller.identityId, handle: this.ctx.handles.of(chatId, caller.identityId), address: member.address },
      now,
      new Date(now.getTime() + this.settings.ringMs),
    );
    call.add(this.participant(call, caller.identityId, device, member.address));
    // Registered before anything else is awaited, so a second start in this chat joins this call.
    this.calls.set(call.id, call);
    this.byChat.set(chatId, call);
    // Members only: an address that never opened the chat (a Bcc recipient included) has no
    // client to ring; it learns of a missed call from the history line.
    const others = await this.ctx.db.member.findMany({
      where: { chatId, identityId: { not: caller.identityId } },
      select: { identityId: true },
    });
    for (const m of others) if (!call.participants.has(m.identityId)) call.rung.add(m.identityId);
    call.ringTimer = setTimeout(() => this.ringingOver(call), this.settings.ringMs);
    call.ringTimer.unref?.();
    this.ctx.log.info({ chatId, callId: call.id, media, rung: call.rung.size }, 'call started');
    await postCallLine(this.ctx, call.chat, call.caller, `${member.address} started ${media === 'video' ? 'a video' : 'an audio'} call`);
    this.events.ring([...call.rung], { call: call.view(), subject: call.chat.subject, callerAddress: member.address });
    this.events.updated(call.view(), call.audience());
    return this.joined(call, caller.identityId);
  }

  /** Joins a ringing or active call from this device; the same member on a new device takes the place of the old one. */
  async accept(caller: Caller, device: string, chatId: string, callId: string): Promise<CallJoined> {
    const member = await requireMember(this.ctx, caller, chatId);
    const call = this.callIn(chatId, callId);
    if (!call.participants.has(caller.identityId) && call.participants.size >= LIMITS.callParticipants) {
      throw new AppError('TOO_LARGE', `A call has at most ${LIMITS.callParticipants} participants`);
    }
    call.add(this.participant(call, caller.identityId, device, member.address));
    call.declined.delete(caller.identityId);
    clearTimeout(call.aloneTimer);
    this.events.updated(call.view(), call.audience());
    return this.joined(call, caller.identityId);
  }

  async decline(caller: Caller, chatId: string, callId: string): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    const call = this.callIn(chatId, callId);
    if (!call.rung.has(caller.identityId)) return;
    call.declined.add(caller.identityId);
    // Everyone rung said no before anyone answered: the caller need not wait out the ringing.
    if (!call.answered && [...call.rung].every((id) => call.declined.has(id))) await this.end(call);
    else this.events.updated(call.view(), [caller.identityId]);
  }

  /** Hang up. A call ends when nobody is left to talk to. */
  async leave(caller: Caller, chatId: string, callId: string): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    const call = this.callIn(chatId, callId);
    if (!call.participants.delete(caller.identityId)) return;
    await this.afterLeaving(call, 'hung up');
  }

  async signal(caller: Caller, device: string, chatId: string, callId: string, to: string, signal: CallSignal): Promise<void> {
    await requireMember(this.ctx, caller, chatId);
    const call = this.callIn(chatId, callId);
    const me = call.participants.get(caller.identityId);
    if (!me || me.device !== device) throw new AppError('FORBIDDEN', 'Join the call from this device first');
    const peer = call.byHandle(to);
    if (!peer || peer === me) throw new AppError('NOT_FOUND', 'That participant is not in the call');
    this.events.signal(peer.device, { chatId, callId, from: me.handle, signal });
  }

  /** A connection closed: its member dropped out of any call it was in (and may rejoin). */
  deviceGone(device: string): void {
    for (const call of [...this.calls.values()]) {
      for (const p of [...call.participants.values()]) {
        if (p.device !== device) continue;
        call.participants.delete(p.identityId);
        this.afterLeaving(call, 'dropped').catch((err: unknown) =>
          this.ctx.log.warn({ err, callId: call.id }, 'call not updated after a drop'),
        );
      }
    }
  }

  /** A member left the chat (removed from its audience): their place in its call goes with it. */
  memberRemoved(chatId: string, identityId: string): void {
    const call = this.byChat.get(chatId);
    if (!call) return;
    call.rung.delete(identityId);
    if (!call.participants.delete(identityId)) return;
    this.afterLeaving(call, 'hung up').catch((err: unknown) =>
      this.ctx.log.warn({ err, callId: call.id }, 'call not updated after a removal'),
    );
  }

  /** The call going on in a chat, for a member who just joined it (the caller checked membership). */
  current(chatId: string): CallView | null {
    return this.byChat.get(chatId)?.view() ?? null;
  }

  /** Calls this node holds, for shutdown and tests. */
  active(): number {
    return this.calls.size;
  }

  /** Ends every call (the server is stopping): their history lines are written. */
  async stop(): Promise<void> {
    await Promise.all([...this.calls.values()].map((c) => this.end(c)));
  }

  private participant(call: Call, identityId: string, device: string, address: string): Participant {
    return { identityId, device, address, handle: this.ctx.handles.of(call.chat.id, identityId) };
  }

  private joined(call: Call, identityId: string): CallJoined {
    const { iceServers, expiresAt } = iceServersFor(this.settings, `${this.ctx.handles.of(call.chat.id, identityId)}.${call.id}`);
    return { call: call.view(), iceServers, iceExpiresAt: expiresAt };
  }

  private callIn(chatId: string, callId: string): Call {
    const call = this.calls.get(callId);
    // The same answer for a call of another chat as for none: ids of other chats' calls say nothing.
    if (!call || call.chat.id !== chatId || call.ended) throw new AppError('NOT_FOUND', 'This call has ended');
    return call;
  }

  private async afterLeaving(call: Call, how: 'hung up' | 'dropped'): Promise<void> {
    const left = call.participants.size;
    if (left === 0 || (!call.answered && !call.participants.has(call.caller.identityId))) return this.end(call);
    if (left === 1 && call.answered) {
      if (how === 'hung up') return this.end(call);
      // Alone after a drop: the other side may come back (a network change, a reload).
      clearTimeout(call.aloneTimer);
      call.aloneTimer = setTimeout(() => {
        if (call.participants.size <= 1) void this.end(call);
      }, this.settings.rejoinGraceMs ?? 20_000);
      call.aloneTimer.unref?.();
    }
    this.events.updated(call.view(), call.audience());
  }

  private ringingOver(call: Call): void {
    if (call.ended) return;
    if (!call.answered) {
      this.end(call).catch((err: unknown) => this.ctx.log.warn({ err, callId: call.id }, 'missed call not recorded'));
      return;
    }
    // Answered: those who never picked up stop ringing (the call stays joinable from the panel).
    call.rung.clear();
  }

  private async end(call: Call): Promise<void> {
    if (call.ended) return;
    call.ended = true;
    clearTimeout(call.ringTimer);
    clearTimeout(call.aloneTimer);
    this.calls.delete(call.id);
    if (this.byChat.get(call.chat.id) === call) this.byChat.delete(call.chat.id);
    const audience = call.audience();
    call.participants.clear();
    this.events.updated(call.view(), audience);
    const line = callLineText(
      call.answered
        ? { kind: 'ended', seconds: callSeconds(Date.now() - call.startedAt.getTime()), people: [...call.tookPart] }
        : { kind: 'missed', caller: call.caller.address },
    );
    this.ctx.log.info({ chatId: call.chat.id, callId: call.id, answered: call.answered }, 'call ended');
    await postCallLine(this.ctx, call.chat, call.caller, line);
  }
}
