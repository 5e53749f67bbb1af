import type { SubscriptionStatus } from '../../shared/billing.ts';

/** What the tier rules need of a subscription. */
export interface SubscriptionFacts {
  status: SubscriptionStatus;
  endsAt?: Date | null | undefined;
  /** When it was first seen past_due; null when it is not (or the moment is unknown: then it counts from now). */
  pastDueSince?: Date | null | undefined;
}

/**
 * paid: the subscription holds its variant's tier now; `until` is when that ends
 * by itself (ends_at of a cancelled one, the end of a past_due one's grace),
 * for the drop job scheduled at that instant; null while nothing is due.
 */
export type TierGrant = { paid: true; until: Date | null } | { paid: false };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The end of a past_due subscription's grace: BILLING_GRACE_DAYS after it went past_due. */
export function graceEndsAt(pastDueSince: Date, graceDays: number): Date {
  return new Date(pastDueSince.getTime() + graceDays * DAY_MS);
}

/**
 * The tier rules of issue 14, one row per status:
 *
 * | status                        | tier                                               |
 * | on_trial, active              | the variant's tier                                 |
 * | cancelled                     | the paid tier until ends_at, then the default tier |
 * | past_due                      | the paid tier for the grace days, then the default |
 * | unpaid, expired, paused       | the default tier                                   |
 *
 * `subscription_resumed` and `subscription_unpaused` carry status active, so
 * they fall under the first row. A cancelled subscription without ends_at
 * (Lemon Squeezy always sends one) keeps its tier until an event or the
 * reconciler says otherwise, rather than dropping a paying customer on a guess.
 */
export function tierGrant(s: SubscriptionFacts, now: Date, graceDays: number): TierGrant {
  switch (s.status) {
    case 'on_trial':
    case 'active':
      return { paid: true, until: null };
    case 'cancelled':
      if (!s.endsAt) return { paid: true, until: null };
      return now < s.endsAt ? { paid: true, until: s.endsAt } : { paid: false };
    case 'past_due': {
      const ends = graceEndsAt(s.pastDueSince ?? now, graceDays);
      return now < ends ? { paid: true, until: ends } : { paid: false };
    }
    case 'unpaid':
    case 'expired':
    case 'paused':
      return { paid: false };
  }
}

/**
 * When a subscription counts as past_due since, given what was stored and the
 * new status: the stored moment while it stays past_due, `now` when it becomes
 * past_due, and null once it is anything else.
 */
export function pastDueSince(previous: { status: SubscriptionStatus; pastDueSince?: Date | null | undefined } | null, status: SubscriptionStatus, now: Date): Date | null {
  if (status !== 'past_due') return null;
  if (previous?.status === 'past_due' && previous.pastDueSince) return previous.pastDueSince;
  return now;
}
