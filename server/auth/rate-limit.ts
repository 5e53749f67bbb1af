import type { EntityManager } from '@mikro-orm/postgresql';
import { AuthThrottle } from '../admin/auth/entity.ts';
import { AppError, retryAfterHeaders } from '../errors.ts';
import { latest, waitPhrase } from './sign-in-throttle.ts';

/** At most `max` actions per `windowMs`; once reached, the next waits `windowMs` from the last one counted. */
export interface RateLimit {
  /** Names the limit's rows in auth_throttle (`name|subject`, scope `rate`). */
  name: string;
  max: number;
  windowMs: number;
}

/** The longest window of any limit, for housekeeping: older rows that hold no wait are forgotten. */
export const LONGEST_RATE_WINDOW_MS = 86_400_000;

/**
 * Rate limits on actions that cost someone else something (an email sent, an account made),
 * counted in PostgreSQL beside the sign-in throttle (auth_throttle, scope `rate`), so they hold
 * across instances. Times come from the caller's clock, so tests move time without waiting.
 *
 * Counts one action against every limit, or refuses it with RATE_LIMITED (Retry-After, and
 * `message` saying how long to wait) without counting when any limit is used up.
 */
export async function takeRate(em: EntityManager, limits: readonly RateLimit[], subject: string, now: Date, message: (wait: string) => string): Promise<void> {
  const until = await count(em, limits, subject, now);
  if (until) {
    const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
    throw new AppError('RATE_LIMITED', message(waitPhrase(seconds)), { details: { retryAfterSeconds: seconds }, headers: retryAfterHeaders(seconds) });
  }
}

/** Like takeRate, but answers whether the action may go ahead instead of refusing, for answers that must not differ (forgot password). */
export async function tryTakeRate(em: EntityManager, limits: readonly RateLimit[], subject: string, now: Date): Promise<boolean> {
  return (await count(em, limits, subject, now)) === null;
}

/** When the wait ends if a limit is used up (nothing counted), else null after counting the action. */
async function count(em: EntityManager, limits: readonly RateLimit[], subject: string, now: Date): Promise<Date | null> {
  const throttle = em.getRepository(AuthThrottle);
  const waits: (Date | null)[] = [];
  for (const l of limits) waits.push(await throttle.lockedUntil('rate', `${l.name}|${subject}`, now));
  const until = latest(waits);
  if (until) return until;
  for (const l of limits) await throttle.recordFailure('rate', `${l.name}|${subject}`, { maxFailures: l.max, windowMs: l.windowMs, lockoutMs: l.windowMs }, now);
  return null;
}
