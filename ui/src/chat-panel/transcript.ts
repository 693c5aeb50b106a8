/**
 * The panel's model of a chat's history: messages keyed by seq, so catch-ups, live events,
 * send acknowledgements and history pages can arrive in any order and any number of times
 * without a message ever showing twice or out of order. Pure logic, no DOM.
 */
import type { MessageReactions, MessageView, ReactionNotice, ReactionView, TranslationView } from '../../../protocol/index.ts';
import { isSaid } from '../../../protocol/kinds.ts';

export interface MergeResult {
  /** Visible messages that were not known before, in seq order. */
  added: MessageView[];
  /** Seqs of known visible messages that changed (became tombstones, were edited, or got their translation). */
  changed: number[];
}

export class Transcript {
  private readonly bySeq = new Map<number, MessageView>();
  /** Tombstones announced before their message was loaded (a deletion seen before older history). */
  private readonly deletedEarly = new Set<number>();
  /** The seq of the EDIT event each message's shown text came from, so an older edit never undoes a newer one. */
  private readonly editedBy = new Map<number, number>();
  /** Translations that came before their message was loaded (a live event racing the join's answer). */
  private readonly translatedEarly = new Map<number, TranslationView>();
  private highest = 0;

  /** DELETION and EDIT events take a seq (so resync sees them) but are not shown themselves. */
  static isVisible(m: MessageView): boolean {
    return m.kind !== 'DELETION' && m.kind !== 'EDIT';
  }

  merge(messages: readonly MessageView[]): MergeResult {
    const added: MessageView[] = [];
    const changed = new Set<number>();
    for (const incoming of [...messages].sort((a, b) => a.seq - b.seq)) {
      if (this.bySeq.has(incoming.seq)) {
        const known = this.bySeq.get(incoming.seq)!;
        if (incoming.deleted && !known.deleted) {
          this.bySeq.set(incoming.seq, tombstone(known));
          changed.add(incoming.seq);
        } else if (!known.deleted && newer(incoming.editedAt, known.editedAt)) {
          // Fetched again after an edit this transcript never saw as an event: its text and translation are the new ones.
          this.bySeq.set(incoming.seq, { ...withoutTranslation(known), ...incoming, reactions: known.reactions });
          changed.add(incoming.seq);
        } else if (incoming.translation && !known.deleted && !sameTranslation(incoming.translation, known.translation)) {
          this.bySeq.set(incoming.seq, { ...known, translation: incoming.translation });
          changed.add(incoming.seq);
        }
        continue;
      }
      let m = incoming;
      const early = this.translatedEarly.get(m.seq);
      if (early && !m.translation) m = { ...m, translation: early };
      this.translatedEarly.delete(m.seq);
      if (this.deletedEarly.has(m.seq) && !m.deleted) m = tombstone(m);
      this.bySeq.set(m.seq, m);
      this.highest = Math.max(this.highest, m.seq);
      if (m.kind === 'DELETION' && m.targetSeq !== null) {
        const target = this.bySeq.get(m.targetSeq);
        if (!target) this.deletedEarly.add(m.targetSeq);
        else if (!target.deleted) {
          this.bySeq.set(m.targetSeq, tombstone(target));
          changed.add(m.targetSeq);
        }
      }
      // An edit of a message not loaded yet needs no keeping: it comes later with its current text.
      if (m.kind === 'EDIT' && m.targetSeq !== null) {
        const target = this.bySeq.get(m.targetSeq);
        if (target && !target.deleted && (this.editedBy.get(m.targetSeq) ?? 0) < m.seq) {
          this.editedBy.set(m.targetSeq, m.seq);
          // A translation of the old text would show words the author took back.
          this.bySeq.set(m.targetSeq, { ...withoutTranslation(target), body: m.body, editedAt: m.createdAt });
          changed.add(m.targetSeq);
        }
      }
      if (Transcript.isVisible(m)) added.push(m);
    }
    for (const a of added) changed.delete(a.seq);
    return { added, changed: [...changed].sort((a, b) => a - b) };
  }

  /** A live reaction change; true when a loaded message changed (an unloaded one comes later with its reactions). */
  applyReaction(r: ReactionNotice): boolean {
    const m = this.bySeq.get(r.seq);
    if (!m || m.deleted) return false;
    const group = m.reactions.find((g) => g.emoji === r.emoji);
    const has = group?.members.includes(r.identityId) ?? false;
    if (has === r.on) return false;
    let reactions: ReactionView[];
    if (r.on) {
      reactions = group
        ? m.reactions.map((g) => (g === group ? { ...g, members: [...g.members, r.identityId] } : g))
        : [...m.reactions, { emoji: r.emoji, members: [r.identityId] }];
    } else {
      reactions = m.reactions
        .map((g) => (g === group ? { ...g, members: g.members.filter((id) => id !== r.identityId) } : g))
        .filter((g) => g.members.length > 0);
    }
    this.bySeq.set(r.seq, { ...m, reactions });
    return true;
  }

  /**
   * A rejoin's refresh: every loaded message from `from` to `to` takes the reactions in `fresh`,
   * or none when it is not listed. Returns the seqs that changed.
   */
  refreshReactions(from: number, to: number, fresh: readonly MessageReactions[]): number[] {
    const bySeq = new Map(fresh.map((f) => [f.seq, f.reactions]));
    const changed: number[] = [];
    for (const [seq, m] of this.bySeq) {
      if (seq < from || seq > to || !Transcript.isVisible(m)) continue;
      const next = bySeq.get(seq) ?? [];
      if (JSON.stringify(next) === JSON.stringify(m.reactions)) continue;
      this.bySeq.set(seq, { ...m, reactions: next });
      changed.push(seq);
    }
    return changed.sort((a, b) => a - b);
  }

  /** A translation event: true when it changed a loaded message (then render it again). */
  translate(seq: number, translation: TranslationView): boolean {
    const known = this.bySeq.get(seq);
    if (!known) {
      this.translatedEarly.set(seq, translation);
      return false;
    }
    if (known.deleted || sameTranslation(known.translation, translation)) return false;
    this.bySeq.set(seq, { ...known, translation });
    return true;
  }

  /** Forgets every translation (my reading language changed); returns the seqs to render again. */
  clearTranslations(): number[] {
    this.translatedEarly.clear();
    const cleared: number[] = [];
    for (const [seq, m] of this.bySeq) {
      if (!m.translation) continue;
      const { translation: _old, ...rest } = m;
      this.bySeq.set(seq, rest);
      if (Transcript.isVisible(m)) cleared.push(seq);
    }
    return cleared.sort((a, b) => a - b);
  }

  get(seq: number): MessageView | undefined {
    return this.bySeq.get(seq);
  }

  /** Highest seq seen anywhere: the unread and read-marker reference. */
  get lastSeq(): number {
    return this.highest;
  }

  /**
   * The seq to resume from after a disconnect: the end of the unbroken run that starts at the
   * oldest loaded message. Resuming from here can never skip a message that went missing.
   */
  get resumeSeq(): number {
    const first = this.firstSeq;
    if (first === 0) return 0;
    let s = first;
    while (this.bySeq.has(s + 1)) s++;
    return s;
  }

  /** Oldest loaded seq, 0 when empty. */
  get firstSeq(): number {
    let min = 0;
    for (const s of this.bySeq.keys()) if (min === 0 || s < min) min = s;
    return min;
  }

  get size(): number {
    return this.bySeq.size;
  }

  /** Visible messages in seq order. */
  visible(): MessageView[] {
    return [...this.bySeq.values()].filter(Transcript.isVisible).sort((a, b) => a.seq - b.seq);
  }

  /** The loaded visible message with the smallest seq greater than `seq`, for inserting before it. */
  nextVisibleAfter(seq: number): MessageView | undefined {
    let best: MessageView | undefined;
    for (const m of this.bySeq.values()) {
      if (m.seq > seq && Transcript.isVisible(m) && (!best || m.seq < best.seq)) best = m;
    }
    return best;
  }

  /** Messages from others after `readSeq`: what counts as unread. */
  unreadAfter(readSeq: number, myIdentityId: string): number {
    let n = 0;
    for (const m of this.bySeq.values()) {
      if (m.seq > readSeq && isSaid(m.kind) && !m.deleted && m.authorId !== myIdentityId) n++;
    }
    return n;
  }
}

function newer(a: string | null, b: string | null): boolean {
  return a !== null && (b === null || Date.parse(a) > Date.parse(b));
}

function withoutTranslation(m: MessageView): MessageView {
  const { translation: _dropped, ...rest } = m;
  return rest;
}

function tombstone(m: MessageView): MessageView {
  // A deleted message keeps no words, in any language, and no reactions.
  return { ...withoutTranslation(m), body: '', deleted: true, reactions: [] };
}

function sameTranslation(a: TranslationView | undefined, b: TranslationView | undefined): boolean {
  return a?.language === b?.language && a?.body === b?.body && a?.from === b?.from;
}
