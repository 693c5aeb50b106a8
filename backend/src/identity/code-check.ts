import { AppError } from '../errors.ts';
import { sameHash, type CodeHasher } from './tokens.ts';

/** One emailed code (sign-in or address link) as read back right after counting this attempt. */
export interface CodeAttempt {
  id: string;
  codeHash: string;
  /** Attempts including this one: counted atomically before comparing, so parallel guesses share one budget. */
  attempts: number;
  expired: boolean;
  consumed: boolean;
}

/**
 * The one rule for checking a 6-digit code: an unknown, used or expired code is CODE_EXPIRED;
 * past `maxAttempts` it is TOO_MANY_ATTEMPTS even when right (no guessing the millionth try);
 * a wrong code is CODE_WRONG with the tries left, and the last wrong one locks it. Returns
 * normally (with the attempt) only for the right code; the caller then consumes it.
 */
export function checkCode<A extends CodeAttempt>(
  attempt: A | undefined,
  code: string,
  opts: { maxAttempts: number; hashCode: CodeHasher },
): A {
  if (!attempt) throw new AppError('CODE_EXPIRED', 'That code is no longer valid; ask for a new one');
  if (attempt.consumed) throw new AppError('CODE_EXPIRED', 'That code was already used; ask for a new one');
  if (attempt.expired) throw new AppError('CODE_EXPIRED', 'That code has expired; ask for a new one');
  if (attempt.attempts > opts.maxAttempts) throw new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one');
  if (sameHash(attempt.codeHash, opts.hashCode(attempt.id, code))) return attempt;
  const left = opts.maxAttempts - attempt.attempts;
  if (left <= 0) throw new AppError('TOO_MANY_ATTEMPTS', 'Too many wrong codes; ask for a new one', { attemptsLeft: 0 });
  throw new AppError('CODE_WRONG', `That code is not right; ${left} ${left === 1 ? 'try' : 'tries'} left`, { attemptsLeft: left });
}
