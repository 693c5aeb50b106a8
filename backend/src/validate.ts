import type { z } from 'zod';
import { AppError } from './errors.ts';

/** Boundary validation for every adapter: a zod failure becomes a BAD_INPUT that names the fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
  throw new AppError('BAD_INPUT', `Invalid input: ${fields.join('; ')}`);
}
