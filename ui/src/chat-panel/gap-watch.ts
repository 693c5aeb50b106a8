/**
 * Decides when a hole in the live seqs means a lost event. Messages committed through
 * different server nodes reach a client through different paths (its own node directly,
 * the others through Redis), so seq 6 can arrive a few milliseconds before seq 5. A hole is
 * only treated as a loss (the panel re-joins from its last unbroken seq) if it is still open
 * after a short window (long enough for a loaded node's Redis round trip; a really lost event
 * is rare, and waits this long for its repair); one timer covers any number of holes opening meanwhile.
 */
export const REORDER_WINDOW_MS = 1_500;

export class GapWatch {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly hasGap: () => boolean,
    private readonly onGap: () => void,
    private readonly windowMs = REORDER_WINDOW_MS,
  ) {}

  /** Call after every live message. */
  check(): void {
    if (this.timer || !this.hasGap()) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.hasGap()) this.onGap();
    }, this.windowMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
