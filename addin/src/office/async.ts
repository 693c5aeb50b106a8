/// <reference types="office-js" />
/**
 * Promise wrappers over Office.js's callback APIs. Every Outlook call the add-in makes goes
 * through `officeCall`, so failures surface as OfficeError with Outlook's own message.
 */

/**
 * What a failure says when Outlook gives no message of its own, or the server does not answer.
 * The panes say it from the interface catalogue (bootPane hooks it up); the event runtime shows
 * no text to anyone (its handlers let the send go and keep the change for later) and its ES2016
 * bundle carries no catalogue, so there an error keeps only its code.
 */
export type OfficeFailure = 'failed' | 'noAnswer';
let failureWords: (failure: OfficeFailure) => string = () => '';

export function sayOfficeFailuresWith(words: (failure: OfficeFailure) => string): void {
  failureWords = words;
}

export class OfficeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'OfficeError';
  }
}

type Callback<T> = (result: Office.AsyncResult<T>) => void;

/** Calls an Office async method that takes its callback last and resolves with its value. */
export function officeCall<T>(invoke: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      invoke((result) => {
        // Office.js reports "failed" at run time (the typings call it an enum); either counts.
        const status = result.status as unknown;
        if (status === 'failed' || status === 1) {
          const e = result.error;
          reject(new OfficeError(String(e?.code ?? 'FAILED'), e?.message ?? failureWords('failed')));
        } else {
          resolve(result.value);
        }
      });
    } catch (err) {
      reject(err instanceof Error ? err : new OfficeError('FAILED', String(err)));
    }
  });
}

/** True when the host claims a Mailbox requirement set (older clients lack newer APIs). */
export function supportsMailbox(version: string): boolean {
  try {
    return Office.context.requirements.isSetSupported('Mailbox', version);
  } catch {
    return false;
  }
}

/** Resolves or rejects like `p` (a call to the server), but gives up with TIMEOUT after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OfficeError('TIMEOUT', failureWords('noAnswer'))), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
