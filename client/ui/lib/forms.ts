import { useState } from 'react';
import { useForm, type DefaultValues, type FieldErrors, type FieldPath, type FieldValues, type Resolver, type UseFormSetError } from 'react-hook-form';
import type { z } from 'zod';
import { readError } from './errors.ts';

/**
 * A react-hook-form resolver that validates with a shared schema from `shared/`
 * (the very schema the server parses the input with). `toInput` turns what the
 * form holds (strings from inputs) into the procedure's input; the parsed
 * output is what `handleSubmit` receives. Issues are put on the form field
 * named by their path (`fieldFor` maps input paths that differ from field names).
 */
export function sharedSchemaResolver<TForm extends FieldValues, S extends z.ZodType>(
  schema: S,
  toInput: (values: TForm) => unknown = (v) => v,
  fieldFor: (path: string) => string = (p) => p,
): Resolver<TForm, unknown, z.output<S>> {
  return (values) => {
    const result = schema.safeParse(toInput(values));
    if (result.success) return { values: result.data, errors: {} };
    return { values: {}, errors: issuesToErrors<TForm>(result.error.issues.map((i) => ({ field: fieldFor(i.path.map(String).join('.')), message: i.message }))) };
  };
}

/** Nested react-hook-form errors from flat `{ field: 'a.b', message }` issues; the first message per field wins. */
export function issuesToErrors<TForm extends FieldValues>(issues: { field: string; message: string }[]): FieldErrors<TForm> {
  const errors: Record<string, unknown> = {};
  for (const issue of issues) {
    const parts = (issue.field || 'root').split('.');
    let node = errors;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      node = (typeof next === 'object' && next !== null ? next : (node[part] = {})) as Record<string, unknown>;
    }
    const last = parts.at(-1) ?? 'root';
    if (!node[last]) node[last] = { type: 'validate', message: sentence(issue.message) };
  }
  return errors as FieldErrors<TForm>;
}

/** The server's terse "must not be empty" reads better as "Must not be empty." under a labelled field. */
export function sentence(message: string): string {
  const m = message.trim();
  if (!m) return m;
  return m[0]?.toUpperCase() + m.slice(1) + (/[.!?]$/.test(m) ? '' : '.');
}

/**
 * Shows a failed mutation where it belongs: each server issue under the field it
 * names (when the form has that field), the rest as one message for the form.
 * Returns that form-level message, or null when every issue found its field.
 */
export function applyServerError<TForm extends FieldValues>(
  err: unknown,
  setError: UseFormSetError<TForm>,
  fields: readonly string[],
  fieldFor: (path: string) => string = (p) => p,
): string | null {
  const e = readError(err);
  const leftover: string[] = [];
  for (const issue of e.issues) {
    const field = fieldFor(issue.field);
    if (fields.includes(field)) setError(field as FieldPath<TForm>, { type: 'server', message: sentence(issue.message) }, { shouldFocus: true });
    else leftover.push(issue.field ? `${issue.field}: ${issue.message}` : issue.message);
  }
  if (e.issues.length === 0) return e.message;
  return leftover.length ? sentence(leftover.join('; ')) : null;
}

/**
 * useForm validated by a shared schema: the form holds `TForm` (what inputs
 * hold), and the submit handler receives the schema's parsed output.
 */
export function useSharedForm<TForm extends FieldValues, S extends z.ZodType>(
  schema: S,
  opts: { defaultValues?: DefaultValues<TForm>; values?: TForm; toInput?: (values: TForm) => unknown; fieldFor?: (path: string) => string },
) {
  return useForm<TForm, unknown, z.output<S>>({
    resolver: sharedSchemaResolver<TForm, S>(schema, opts.toInput, opts.fieldFor),
    ...(opts.defaultValues ? { defaultValues: opts.defaultValues } : {}),
    ...(opts.values ? { values: opts.values } : {}),
  });
}

/**
 * A form that submits to the server: a shared-schema form, its form-level error,
 * and `submitting(fn)`, a submit handler that runs `fn` with the parsed input and
 * shows a failure under the fields it names (`fields`), or above the form.
 */
export function useServerForm<TForm extends FieldValues, S extends z.ZodType>(
  schema: S,
  opts: Parameters<typeof useSharedForm<TForm, S>>[1] & { fields: readonly string[] },
) {
  const [formError, setFormError] = useState<string | null>(null);
  const form = useSharedForm<TForm, S>(schema, opts);
  const submitting = (fn: (input: z.output<S>) => Promise<void>) =>
    form.handleSubmit(async (input) => {
      setFormError(null);
      try {
        await fn(input);
      } catch (err) {
        setFormError(applyServerError(err, form.setError, opts.fields, opts.fieldFor));
      }
    });
  return { form, formError, setFormError, submitting };
}

/**
 * A dialog's form: a server form (useServerForm) with a `close` that resets the
 * form and its error when the dialog closes.
 */
export function useDialogForm<TForm extends FieldValues, S extends z.ZodType>(
  schema: S,
  opts: Parameters<typeof useSharedForm<TForm, S>>[1] & { fields: readonly string[]; onOpenChange: (open: boolean) => void },
) {
  const { form, formError, setFormError, submitting } = useServerForm<TForm, S>(schema, opts);
  const close = (next: boolean) => {
    if (!next) {
      form.reset();
      setFormError(null);
    }
    opts.onOpenChange(next);
  };
  return { form, formError, close, submitting };
}
