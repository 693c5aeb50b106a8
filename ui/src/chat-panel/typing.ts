/**
 * Typing hints both ways: outgoing ones are throttled (one "typing" per few seconds, one
 * "stopped" after a pause), incoming ones expire on their own if the "stopped" is lost.
 */
import { t } from '../i18n/index.ts';

const SEND_EVERY_MS = 3_000;
const IDLE_AFTER_MS = 4_000;
const EXPIRE_AFTER_MS = 6_000;

export class TypingSender {
  private lastSent = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly send: (typing: boolean) => void) {}

  /** Call on every keystroke that changes the draft. */
  touched(): void {
    const now = Date.now();
    if (now - this.lastSent > SEND_EVERY_MS) {
      this.lastSent = now;
      this.send(true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stopped(), IDLE_AFTER_MS);
  }

  stopped(): void {
    clearTimeout(this.idleTimer);
    if (this.lastSent === 0) return;
    this.lastSent = 0;
    this.send(false);
  }
}

export class Typists {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly onChange: (identityIds: string[]) => void) {}

  update(identityId: string, typing: boolean): void {
    clearTimeout(this.timers.get(identityId));
    if (typing)
      this.timers.set(
        identityId,
        setTimeout(() => this.update(identityId, false), EXPIRE_AFTER_MS),
      );
    else this.timers.delete(identityId);
    this.onChange([...this.timers.keys()]);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}

export function typingLabel(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return t('typing.one', { name: names[0]! });
  if (names.length === 2) return t('typing.two', { first: names[0]!, second: names[1]! });
  return t('typing.many', { count: names.length });
}
