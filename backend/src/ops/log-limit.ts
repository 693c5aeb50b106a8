import type { LogFn, Logger } from 'pino';

export interface ErrorLogLimit {
  /** Error lines with one message let through per window; the rest are counted, not written. */
  perWindow: number;
  windowMs: number;
  now?: () => number;
}

/** 20 of one kind a minute tell an operator as much as 20,000 do, and cannot fill a disk or drown other lines. */
export const DEFAULT_ERROR_LOG_LIMIT: ErrorLogLimit = { perWindow: 20, windowMs: 60_000 };

const ERROR = 50;
const FATAL = 60;
/** Distinct messages tracked at once; messages are code constants ('request failed'), so few exist. */
const MAX_KINDS = 1000;

interface Window {
  start: number;
  written: number;
  suppressed: number;
}

/**
 * A pino logMethod hook that rate-limits error lines per message: when one failure repeats (the
 * database is down and every request fails), the first `perWindow` lines of each window are
 * written and the rest only counted; the first line of the next window carries
 * `suppressed: <count>`. Fatal lines and lower levels always pass.
 */
export function errorLogLimiter(limit: ErrorLogLimit = DEFAULT_ERROR_LOG_LIMIT) {
  const now = limit.now ?? Date.now;
  const windows = new Map<string, Window>();
  return function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn, level: number): void {
    if (level < ERROR || level >= FATAL) {
      method.apply(this, args);
      return;
    }
    const key = String(args.find((a) => typeof a === 'string') ?? '');
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= limit.windowMs) {
      if (!w && windows.size >= MAX_KINDS) {
        for (const [k, old] of windows) if (t - old.start >= limit.windowMs) windows.delete(k);
        if (windows.size >= MAX_KINDS) windows.clear();
      }
      const suppressed = w?.suppressed ?? 0;
      w = { start: t, written: 0, suppressed: 0 };
      windows.set(key, w);
      if (suppressed > 0) args = withField(args, suppressed);
    }
    if (w.written >= limit.perWindow) {
      w.suppressed++;
      return;
    }
    w.written++;
    method.apply(this, args);
  };
}

/** Adds `suppressed` to a log call's merge object (or gives it one). */
function withField(args: Parameters<LogFn>, suppressed: number): Parameters<LogFn> {
  const [first, ...rest] = args;
  if (first !== null && typeof first === 'object' && !(first instanceof Error)) {
    return [{ ...(first as object), suppressed }, ...rest] as Parameters<LogFn>;
  }
  if (first instanceof Error) return [{ err: first, suppressed }, ...rest] as Parameters<LogFn>;
  return [{ suppressed }, ...args] as Parameters<LogFn>;
}
