import type { CallMedia, CallView, Retention } from '../../../protocol/index.ts';

export interface Participant {
  identityId: string;
  /** The connection this member joined from: their signals go there. */
  device: string;
  handle: string;
  address: string;
}

/**
 * One call in one chat, as this node holds it (in memory: media never passes through the
 * server, and a call does not outlive the connections carrying its signalling).
 */
export class Call {
  readonly participants = new Map<string, Participant>();
  /** Everyone who took part at some point, for the history line at the end. */
  readonly tookPart = new Set<string>();
  readonly rung = new Set<string>();
  readonly declined = new Set<string>();
  answered = false;
  ended = false;
  ringTimer: ReturnType<typeof setTimeout> | undefined;
  /** Pending end while the last one left waits for a dropped participant to come back. */
  aloneTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly id: string,
    readonly chat: { id: string; retention: Retention; subject: string },
    readonly media: CallMedia,
    readonly caller: { identityId: string; handle: string; address: string },
    readonly startedAt: Date,
    readonly ringUntil: Date,
  ) {}

  add(p: Participant): void {
    this.participants.set(p.identityId, p);
    this.tookPart.add(p.address);
    if (p.identityId !== this.caller.identityId) this.answered = true;
  }

  byHandle(handle: string): Participant | undefined {
    for (const p of this.participants.values()) if (p.handle === handle) return p;
    return undefined;
  }

  view(): CallView {
    return {
      id: this.id,
      chatId: this.chat.id,
      media: this.media,
      callerId: this.caller.handle,
      participants: [...this.participants.values()].map((p) => p.handle),
      state: this.ended ? 'ended' : this.answered ? 'active' : 'ringing',
      startedAt: this.startedAt.toISOString(),
      ringUntil: this.ringUntil.toISOString(),
    };
  }

  /** Who hears of changes besides the chat's room: the members being rung (their other panels). */
  audience(): string[] {
    return [...new Set([...this.rung, ...this.participants.keys()])];
  }
}
