/**
 * A soft two-tone ring while a call is ringing, made with Web Audio (no sound file to ship).
 * Browsers may keep audio off until the page has had a click; then the ring is silent and
 * the prompt alone says someone is calling.
 */
export class RingTone {
  private ctx: AudioContext | null = null;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    if (this.timer || typeof AudioContext === 'undefined') return;
    try {
      this.ctx = new AudioContext();
    } catch {
      return;
    }
    const ring = () => this.burst();
    ring();
    this.timer = setInterval(ring, 3_000);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    void this.ctx?.close().catch(() => {});
    this.ctx = null;
  }

  private burst(): void {
    const ctx = this.ctx;
    if (!ctx || ctx.state === 'closed') return;
    const gain = ctx.createGain();
    gain.gain.value = 0.05;
    gain.connect(ctx.destination);
    [440, 480].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = hz;
      osc.connect(gain);
      osc.start(ctx.currentTime + i * 0.4);
      osc.stop(ctx.currentTime + i * 0.4 + 0.35);
    });
  }
}
