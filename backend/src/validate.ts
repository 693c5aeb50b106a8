import type { z } from 'zod';
import { AppError } from './errors.ts';

type Issue = z.core.$ZodIssue;

/** What people call the fields they typed into; anything else is named by its path. */
const FIELD_NAMES: Record<string, string> = {
  body: 'The message',
  subject: 'The subject',
  address: 'The address',
  from: 'The sender',
  to: 'A To address',
  cc: 'A Cc address',
  bcc: 'A Bcc address',
  displayName: 'The name',
};

function fieldName(path: readonly PropertyKey[]): string {
  // The last named key: audience.to.2 is "a To address", not "audience.to.2".
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  return (key && FIELD_NAMES[key]) ?? (path.length ? path.map(String).join('.') : 'The request');
}

/**
 * One sentence a person can act on: "not-an-address is not an email address", "The message is
 * 5,210 characters long; the limit is 4,000". Inputs are quoted only when short, so an error never
 * echoes a whole pasted document back.
 */
export function describeIssue(issue: Issue): string {
  const input = issue.input;
  const shown = typeof input === 'string' && input.length <= 120 ? input : null;
  if (issue.message === 'not an email address' && shown !== null) return `${shown} is not an email address`;
  if (issue.code === 'too_big' && issue.origin === 'string' && typeof input === 'string') {
    return `${fieldName(issue.path)} is ${input.length.toLocaleString('en')} characters long; the limit is ${Number(issue.maximum).toLocaleString('en')}`;
  }
  if (issue.code === 'too_big' && issue.origin === 'array') {
    return `Too many entries in ${issue.path.map(String).join('.') || 'the request'}; the limit is ${Number(issue.maximum).toLocaleString('en')}`;
  }
  if (issue.code === 'unrecognized_keys') return `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return `${fieldName(issue.path)}: ${issue.message}`;
}

/** Boundary validation for every adapter: a zod failure becomes a BAD_INPUT that says what to fix. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5);
  throw new AppError('BAD_INPUT', issues.map(describeIssue).join('; '), {
    fields: issues.map((i) => ({ path: i.path.map(String).join('.'), problem: i.message })),
  });
}
