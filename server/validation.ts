import type { ZodError, ZodType, z } from 'zod';
import { MAX_INPUT_DEPTH, tooDeepAt } from '../shared/json.ts';
import { validationError, type FieldIssue } from './errors.ts';

export function zodIssues(error: ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.'),
    // A bad record key ("Invalid key in record") is reported with the key's own reason.
    message: issue.code === 'invalid_key' && issue.issues[0] ? issue.issues[0].message : issue.message,
  }));
}

/**
 * Any input nested deeper than MAX_INPUT_DEPTH, as an issue on its top-level
 * field. Checked iteratively before a schema sees the input, so no value can
 * overflow the stack in validation, in an error message or in a log line.
 */
export function inputDepthIssue(input: unknown): FieldIssue | undefined {
  const path = tooDeepAt(input, MAX_INPUT_DEPTH);
  if (!path) return undefined;
  return { field: path.length ? String(path[0]) : '', message: `is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)` };
}

/** Parses input with a shared schema, throwing a 400 AppError that names each failing field. */
export function parseInput<S extends ZodType>(schema: S, input: unknown): z.output<S> {
  const deep = inputDepthIssue(input);
  if (deep) throw validationError([deep]);
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(zodIssues(result.error));
  return result.data;
}
