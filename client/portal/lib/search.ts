/**
 * The portal's search params. A hand-edited or stale link never breaks a
 * screen: a bad value is dropped. Plain functions rather than zod schemas, so
 * the portal's first load (which these belong to) carries no schema library.
 */

/** Where to go after signing in: a path inside the portal's signed-in part, never another origin or the admin app. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 2000) return undefined;
  if (next !== '/app' && !/^\/app[/?#]/.test(next)) return undefined;
  return next;
}

export function validateSignInSearch(search: Record<string, unknown>): { next?: string | undefined } {
  return { next: safeNext(search['next']) };
}

/** The token of an emailed link (`/verify-email?token=…`); the server says what is wrong with it, if anything. */
export function validateTokenSearch(search: Record<string, unknown>): { token?: string | undefined } {
  // The router reads `?token=123` as a number; a token is text whatever it looks like.
  const token = typeof search['token'] === 'number' ? String(search['token']) : search['token'];
  return { token: typeof token === 'string' && token.length <= 500 ? token : undefined };
}

/** The Plan screen: `?checkout=done` is where Lemon Squeezy's checkout sends the customer back to. */
export function validatePlanSearch(search: Record<string, unknown>): { checkout?: 'done' | undefined } {
  return { checkout: search['checkout'] === 'done' ? 'done' : undefined };
}
