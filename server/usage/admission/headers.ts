import { AppError, retryAfterHeaders } from '../../errors.ts';
import type { Admission } from './outcome.ts';

/**
 * The one builder of rate-limit headers, for every keyed and demo response,
 * success or 429 (whose `Retry-After` comes from retryAfterHeaders in server/errors.ts). They are built
 * from the admission itself, i.e. from the same counter the dashboards'
 * ledger totals: never from a separate in-memory number.
 *
 * Besides the conventional X-RateLimit-* fields we send the IETF
 * `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers):
 * one policy named "monthly" with quota `q` over window `w` seconds, and
 * `r` remaining until reset in `t` seconds. Unlimited plans have no policy to state.
 * The window is the caller's own period (a calendar month, or renewal to
 * renewal for a subscriber), as the admission statement decided it.
 */
export function quotaHeaders(a: Admission, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': a.limit === null ? 'unlimited' : String(a.limit),
    'X-RateLimit-Used': String(a.used),
    'X-RateLimit-Remaining': a.remaining === null ? 'unlimited' : String(a.remaining),
    'X-RateLimit-Reset': a.resetAt.toISOString(),
    'X-User-Id': a.userId ?? 'demo',
  };
  if (a.demo) headers['X-Demo-Mode'] = 'true';
  if (a.limit !== null) {
    headers['RateLimit-Policy'] = `"monthly";q=${a.limit};w=${Math.round((a.resetAt.getTime() - a.periodStart.getTime()) / 1000)}`;
    headers['RateLimit'] = `"monthly";r=${a.remaining ?? 0};t=${secondsUntil(a.resetAt, now, 0)}`;
  }
  return headers;
}

/** The 429 of a call over its quota: the same headers as a success, plus when to come back. */
export function quotaExceeded(a: Admission, now = Date.now()): AppError {
  const retryAfter = secondsUntil(a.resetAt, now, 1);
  return new AppError('QUOTA_EXCEEDED', `Monthly quota of ${a.limit} requests exceeded; it resets at ${a.resetAt.toISOString()}`, {
    details: { limit: a.limit, used: a.used, remaining: 0, resetAt: a.resetAt.toISOString(), retryAfterSeconds: retryAfter },
    headers: { ...quotaHeaders(a, now), ...retryAfterHeaders(retryAfter) },
  });
}

function secondsUntil(at: Date, now: number, min: number): number {
  return Math.max(min, Math.ceil((at.getTime() - now) / 1000));
}
