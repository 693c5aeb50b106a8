/// <reference types="office-js" />
/**
 * Promise wrappers over Office.js's callback APIs. Every Outlook call the add-in makes goes
 * through `officeCall`, so failures surface as OfficeError with Outlook's own message.
 */

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
          reject(new OfficeError(String(e?.code ?? 'FAILED'), e?.message ?? 'Outlook could not do that'));
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

/** Resolves or rejects like `p`, but gives up with TIMEOUT after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what = 'the server'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OfficeError('TIMEOUT', `${what} did not answer in time`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
