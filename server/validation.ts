import type { ZodError, ZodType, z } from 'zod';
import { validationError, type FieldIssue } from './errors.ts';

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ field: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses input with a shared schema, throwing a 400 AppError that names each failing field. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error));
  return result.data;
}
