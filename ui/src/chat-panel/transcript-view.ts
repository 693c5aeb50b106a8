/**
 * Keeps the rendered message list in seq order: each message is one node, inserted where its
 * seq belongs (older pages, late catch-ups) or replaced in place (tombstones).
 */
import type { MessageView } from '../../../protocol/index.ts';
import { renderUnreadDivider } from './message-view.ts';

export class TranscriptView {
  private readonly nodes = new Map<number, HTMLLIElement>();
  private divider: HTMLLIElement | null = null;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly render: (m: MessageView) => HTMLLIElement,
  ) {}

  show(m: MessageView): void {
    const node = this.render(m);
    const old = this.nodes.get(m.seq);
    if (old) {
      old.replaceWith(node);
    } else {
      let next: HTMLLIElement | undefined;
      let nextSeq = Infinity;
      for (const [seq, n] of this.nodes) if (seq > m.seq && seq < nextSeq) [next, nextSeq] = [n, seq];
      // An older message goes above the "New messages" divider, not between it and its message.
      const before = next && this.divider?.nextSibling === next ? this.divider : (next ?? null);
      this.list.insertBefore(node, before);
    }
    this.nodes.set(m.seq, node);
  }

  get hasDivider(): boolean {
    return this.divider !== null;
  }

  /** Puts the "New messages" divider above the message with this seq (once per unread stretch). */
  placeDivider(seq: number): void {
    const node = this.nodes.get(seq);
    if (this.divider || !node) return;
    this.divider = renderUnreadDivider();
    this.list.insertBefore(this.divider, node);
  }

  removeDivider(): void {
    this.divider?.remove();
    this.divider = null;
  }

  scrollToDivider(): boolean {
    this.divider?.scrollIntoView({ block: 'center' });
    return this.divider !== null;
  }
}
