import { z } from 'zod';
import { isStorableText, text, UNSTORABLE_TEXT_MESSAGE } from './text.ts';

/**
 * Free-form JSON (key metadata) and the depth of any input, checked with an
 * explicit stack: recursive validation or JSON.stringify of a value nested
 * thousands of levels deep overflows the call stack, which surfaced as a 500
 * (REST) or a 400 that leaked "Maximum call stack size exceeded" (tRPC).
 */

export type JsonPath = (string | number)[];

export interface JsonProblem {
  path: JsonPath;
  message: string;
}

/** Deeper than any input shape we accept; checked before any schema looks at the input. */
export const MAX_INPUT_DEPTH = 32;

const isContainer = (v: unknown): v is object => typeof v === 'object' && v !== null;

/**
 * Where `value` is nested more than `maxDepth` containers deep (the path to the
 * first container past the limit), or undefined. Never recurses, and stops at
 * the first such place.
 */
export function tooDeepAt(value: unknown, maxDepth: number): JsonPath | undefined {
  const stack: { value: unknown; path: JsonPath }[] = [{ value, path: [] }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (!isContainer(item.value)) continue;
    if (item.path.length >= maxDepth) return item.path;
    for (const [k, v] of Object.entries(item.value)) {
      if (isContainer(v)) stack.push({ value: v, path: [...item.path, Array.isArray(item.value) ? Number(k) : k] });
    }
  }
  return undefined;
}

export interface FreeFormLimits {
  /** Containers below the field itself: 1 allows `{ "a": { "b": 1 } }`'s inner object. */
  maxDepth: number;
  /** Serialised size (JSON.stringify length). */
  maxBytes: number;
  maxBytesLabel: string;
}

/**
 * The first problem with a free-form JSON value, or undefined: something that
 * is not JSON (functions, dates, NaN, class instances), a string or key that
 * PostgreSQL cannot store, nesting beyond `maxDepth`, or more than `maxBytes`
 * as JSON. One pass with an explicit stack that stops at the first problem, so
 * its cost is bounded by `maxBytes`, whatever the input.
 */
export function freeFormProblem(value: unknown, limits: FreeFormLimits): JsonProblem | undefined {
  let bytes = 0;
  const tooBig = (): JsonProblem => ({ path: [], message: `must be at most ${limits.maxBytesLabel} as JSON` });
  const stack: { value: unknown; path: JsonPath; depth: number }[] = [{ value, path: [], depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const v = item.value;
    if (v === null || typeof v === 'boolean') bytes += v === null ? 4 : String(v).length;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path: item.path, message: 'must be a JSON value (numbers must be finite)' };
      bytes += JSON.stringify(v).length;
    } else if (typeof v === 'string') {
      if (!isStorableText(v)) return { path: item.path, message: UNSTORABLE_TEXT_MESSAGE };
      bytes += JSON.stringify(v).length;
    } else if (Array.isArray(v) || (isContainer(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v)))) {
      if (item.depth > limits.maxDepth) return { path: item.path, message: `must be nested at most ${limits.maxDepth} levels deep` };
      // Brackets and separators; then, before looking at any entry, the least the entries could take
      // (1 character per element, 4 per `"":0` pair), so a huge value is refused without walking it.
      const n = Array.isArray(v) ? v.length : Object.keys(v).length;
      bytes += 2 + Math.max(0, n - 1);
      if (bytes + n * (Array.isArray(v) ? 1 : 4) > limits.maxBytes) return tooBig();
      const entries = Object.entries(v);
      for (const [k, child] of entries) {
        const path = [...item.path, Array.isArray(v) ? Number(k) : k];
        if (!Array.isArray(v)) {
          if (!isStorableText(k)) return { path, message: `keys ${UNSTORABLE_TEXT_MESSAGE}` };
          bytes += JSON.stringify(k).length + 1;
        }
        stack.push({ value: child, path, depth: item.depth + 1 });
      }
    } else {
      return { path: item.path, message: 'must be a JSON value' };
    }
    if (bytes > limits.maxBytes) return tooBig();
  }
  return undefined;
}

/**
 * A free-form JSON object field such as key metadata: at most `maxEntries`
 * top-level keys of at most `maxKeyLength` characters, values any JSON within
 * `limits`. The record itself never looks inside the values, so nothing here
 * recurses.
 */
export function freeFormObject(opts: FreeFormLimits & { maxEntries: number; maxKeyLength: number }) {
  return z
    .record(text().max(opts.maxKeyLength, `keys must be at most ${opts.maxKeyLength} characters`), z.unknown())
    .check((ctx) => {
      if (Object.keys(ctx.value).length > opts.maxEntries) {
        ctx.issues.push({ code: 'custom', message: `must have at most ${opts.maxEntries} entries`, input: ctx.value });
        return;
      }
      const problem = freeFormProblem(ctx.value, opts);
      if (problem) ctx.issues.push({ code: 'custom', message: problem.message, path: problem.path, input: ctx.value });
    }) as z.ZodType<Record<string, JsonValue>>;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
