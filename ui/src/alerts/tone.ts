/**
 * The alert sound: two short notes made with WebAudio, so there is no audio file to ship. Browsers start audio only after the person has used the page, so the
 * context is made, or woken, on their first click or key press and reused after that.
 */
export class Tone {
  private ctx: AudioContext | null = null;
  private readonly wake = () => {
    this.context()
      ?.resume()
      .catch(() => {});
  };
  constructor() {
    // A host without window events (a test runner) simply never wakes the sound.
    globalThis.addEventListener?.('pointerdown', this.wake, { capture: true });
    globalThis.addEventListener?.('keydown', this.wake, { capture: true });
  }
  private context(): AudioContext | null {
    if (!this.ctx && typeof AudioContext !== 'undefined') this.ctx = new AudioContext();
    return this.ctx;
  }
  play(): void {
    const c = this.context();
    if (!c) return;
    if (c.state === 'suspended') c.resume().catch(() => {});
    const t = c.currentTime;
    const osc = c.createOscillator();
    const gain = c.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(660, t + 0.1);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.25);
    osc.connect(gain).connect(c.destination);
    osc.start(t);
    osc.stop(t + 0.26);
  }
  destroy(): void {
    globalThis.removeEventListener?.('pointerdown', this.wake, { capture: true });
    globalThis.removeEventListener?.('keydown', this.wake, { capture: true });
    void this.ctx?.close().catch(() => {});
  }
}
