/**
 * Senders' receipts: what became of my message with the others in the chat. Kept as each
 * member's positions (delivered, emailed, read), loaded from the delivery route and moved by
 * live `delivery` and `read` events; a message's state follows from them (docs/email-bridge.md).
 */
import type { DeliveryNotice, DeliveryStatus, DeliveryView, ReadNotice } from '../../../protocol/index.ts';

interface Positions {
  address: string;
  deliveredSeq: number;
  emailedSeq: number;
  readSeq: number;
}

const RANK: Record<DeliveryStatus, number> = { sent: 0, delivered: 1, emailed: 2, read: 3 };

/** One recipient's state for a message. */
export function statusFor(p: Omit<Positions, 'address'>, seq: number): DeliveryStatus {
  if (p.readSeq >= seq) return 'read';
  if (p.emailedSeq >= seq) return 'emailed';
  if (p.deliveredSeq >= seq) return 'delivered';
  return 'sent';
}

export class Receipts {
  private readonly members = new Map<string, Positions>();

  /** Replaces everything with a fresh load; keeps positions that live events already moved further. */
  load(view: DeliveryView): void {
    for (const m of view.members) {
      const old = this.members.get(m.identityId);
      this.members.set(m.identityId, {
        address: m.address,
        deliveredSeq: Math.max(m.deliveredSeq, old?.deliveredSeq ?? 0),
        emailedSeq: Math.max(m.emailedSeq, old?.emailedSeq ?? 0),
        readSeq: Math.max(m.readSeq, old?.readSeq ?? 0),
      });
    }
  }

  /** Returns true when something moved. */
  delivery(d: DeliveryNotice): boolean {
    const p = this.entry(d.identityId);
    const moved = d.deliveredSeq > p.deliveredSeq || d.emailedSeq > p.emailedSeq;
    p.deliveredSeq = Math.max(p.deliveredSeq, d.deliveredSeq);
    p.emailedSeq = Math.max(p.emailedSeq, d.emailedSeq);
    return moved;
  }

  read(r: ReadNotice): boolean {
    const p = this.entry(r.identityId);
    if (r.seq <= p.readSeq) return false;
    p.readSeq = r.seq;
    // Reading implies the message reached a device.
    p.deliveredSeq = Math.max(p.deliveredSeq, r.seq);
    return true;
  }

  /** Names members by address once the chat view is known (events carry ids only). */
  name(identityId: string, address: string): void {
    const p = this.members.get(identityId);
    if (p && !p.address) p.address = address;
  }

  /**
   * The state my message `seq` shows: the furthest any other member got (read by someone
   * beats emailed to someone), plus a per-person line for the tooltip.
   */
  stateOf(seq: number, me: string): { status: DeliveryStatus; detail: string } {
    let best: DeliveryStatus = 'sent';
    const parts: string[] = [];
    for (const [id, p] of this.members) {
      if (id === me) continue;
      const s = statusFor(p, seq);
      if (RANK[s] > RANK[best]) best = s;
      parts.push(`${p.address || 'someone'}: ${s}`);
    }
    return { status: best, detail: parts.join('; ') };
  }

  private entry(identityId: string): Positions {
    let p = this.members.get(identityId);
    if (!p) this.members.set(identityId, (p = { address: '', deliveredSeq: 0, emailedSeq: 0, readSeq: 0 }));
    return p;
  }
}
