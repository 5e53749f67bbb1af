import { periodSeconds } from './period.ts';
import type { Admission } from './service.ts';

/**
 * The rate-limit headers of every keyed and demo response, success or 429.
 * They are built from the admission itself, i.e. from the same counter the
 * dashboards' ledger totals: never from a separate in-memory number.
 *
 * Besides the conventional X-RateLimit-* fields we send the IETF
 * `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers):
 * one policy named "monthly" with quota `q` over window `w` seconds, and
 * `r` remaining until reset in `t` seconds. Unlimited plans have no policy to state.
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
    const window = periodSeconds(a.periodStart);
    const untilReset = Math.max(0, Math.ceil((a.resetAt.getTime() - now) / 1000));
    headers['RateLimit-Policy'] = `"monthly";q=${a.limit};w=${window}`;
    headers['RateLimit'] = `"monthly";r=${a.remaining ?? 0};t=${untilReset}`;
  }
  return headers;
}
