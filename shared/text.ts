import { z } from 'zod';

/**
 * Every string the API accepts is built here, so every one of them refuses what
 * PostgreSQL cannot store: NUL (text and jsonb reject it) and unpaired UTF-16
 * surrogates (jsonb rejects them; text columns would silently turn them into
 * U+FFFD). Refusing them at the edge, with a 400 naming the field, keeps such a
 * value from ever reaching a statement, where it would fail as a 500, a bogus
 * 503 or a dropped ledger row. shared/text.test.ts walks every exported schema
 * so that a raw z.string() cannot slip in.
 */

// With the u flag, the surrogate range matches only surrogates that are not part of a pair.
const UNSTORABLE = /[\0\uD800-\uDFFF]/u;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates';

/** True when PostgreSQL can store `s` exactly as given (in text and in jsonb). */
export function isStorableText(s: string): boolean {
  return !UNSTORABLE.test(s);
}

/**
 * The one check every accepted string carries. It aborts, so a field that fails
 * it reports this reason alone. The guard test recognises it by identity.
 */
export const storableText = z.refine<string>(isStorableText, { error: UNSTORABLE_TEXT_MESSAGE, abort: true });

/** A string field: use this instead of z.string() everywhere in shared/. */
export function text(error = 'must be a string'): z.ZodString {
  return z.string({ error }).check(storableText);
}

/** `s` with every NUL and unpaired surrogate replaced by U+FFFD, for data that must be kept even when it cannot be refused. */
export function toStorableText(s: string): string {
  return s.replace(/[\0\uD800-\uDFFF]/gu, '\uFFFD');
}
