import type { InvoiceView, SubscriptionView, UsagePeriod } from '../../../shared/billing.ts';
import { formatDate } from './format.ts';

/**
 * Billing as people read it, for the portal's Plan screen and the admin app's
 * billing panels. Pure and unit-tested (billing.test.ts); `now` is passed in so
 * the sentences can be checked against any clock. Type-only imports: the
 * portal's first load carries no schema library.
 */

const DAY_MS = 86_400_000;

/** Whole days left until `iso`, rounded up (a deadline later today is "1 day"); 0 once it has passed. */
export function daysLeft(iso: string, now: number): number {
  const ms = new Date(iso).getTime() - now;
  return Number.isNaN(ms) || ms <= 0 ? 0 : Math.ceil(ms / DAY_MS);
}

export type StatusTone = 'green' | 'brand' | 'amber' | 'red' | 'neutral';

export interface SubscriptionStatusLine {
  /** A word or two for a badge: "Trial", "Active", "Cancelling", "Payment overdue". */
  label: string;
  tone: StatusTone;
  /** The sentence: "Trial until 3 Dec 2026", "Renews on 3 Jan 2027", "Payment overdue: 2 days left to pay". */
  sentence: string;
  /** A cancelled subscription still within its paid period: it can be resumed. */
  resumable: boolean;
  /** Still paid up and not cancelled: it can be cancelled, changed, and its card updated. */
  live: boolean;
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * What a subscription means now, in Lemon Squeezy's statuses and Harmonic's
 * tier rules: a trial (until trial_ends_at), active (renews on renews_at),
 * cancelled but paid up (cancels on ends_at, resumable), past due (the grace
 * period's days left, from graceEndsAt), or over.
 */
export function subscriptionStatus(sub: SubscriptionView, now: number): SubscriptionStatusLine {
  const endsInFuture = sub.endsAt !== null && new Date(sub.endsAt).getTime() > now;
  // Lemon Squeezy keeps `cancelled` set on a subscription that then expired: expiry comes first.
  if (sub.status === 'expired') return { label: 'Ended', tone: 'neutral', sentence: sub.endsAt ? `Ended on ${formatDate(sub.endsAt)}` : 'Ended', resumable: false, live: false };
  if (sub.cancelled || sub.status === 'cancelled') {
    if (endsInFuture && sub.endsAt) return { label: 'Cancelling', tone: 'amber', sentence: `Cancels on ${formatDate(sub.endsAt)}`, resumable: true, live: false };
    return { label: 'Cancelled', tone: 'neutral', sentence: sub.endsAt ? `Ended on ${formatDate(sub.endsAt)}` : 'Cancelled', resumable: false, live: false };
  }
  switch (sub.status) {
    case 'on_trial':
      return { label: 'Trial', tone: 'brand', sentence: sub.trialEndsAt ? `Trial until ${formatDate(sub.trialEndsAt)}` : 'On trial', resumable: false, live: true };
    case 'active':
      return { label: 'Active', tone: 'green', sentence: sub.renewsAt ? `Renews on ${formatDate(sub.renewsAt)}` : 'Active', resumable: false, live: true };
    case 'past_due': {
      if (!sub.graceEndsAt) return { label: 'Payment overdue', tone: 'red', sentence: 'Payment overdue: update your payment method', resumable: false, live: true };
      const left = daysLeft(sub.graceEndsAt, now);
      return left > 0
        ? { label: 'Payment overdue', tone: 'red', sentence: `Payment overdue: ${plural(left, 'day')} left to pay before the plan ends (${formatDate(sub.graceEndsAt)})`, resumable: false, live: true }
        : { label: 'Payment overdue', tone: 'red', sentence: `Payment overdue since the grace period ended on ${formatDate(sub.graceEndsAt)}: back on the starter plan until it is paid`, resumable: false, live: true };
    }
    case 'unpaid':
      return { label: 'Unpaid', tone: 'red', sentence: 'Payment failed: back on the starter plan until it is paid', resumable: false, live: true };
    case 'paused':
      return { label: 'Paused', tone: 'neutral', sentence: 'Paused: on the starter plan until it is unpaused', resumable: false, live: false };
  }
  return { label: sub.statusFormatted, tone: 'neutral', sentence: sub.statusFormatted, resumable: false, live: false };
}

/** When the quota resets, and why then: the renewal date of the subscription, or the first of the month. "their" for the admin app. */
export function periodSentence(period: UsagePeriod, whose: 'your' | 'their' = 'your'): string {
  const Whose = whose === 'your' ? 'Your' : 'Their';
  return period.anchored
    ? `${Whose} count runs from ${formatDate(period.start)} to ${formatDate(period.end)}, following ${whose} subscription's renewals, and starts again on ${formatDate(period.end)}.`
    : `${Whose} count runs for the calendar month (UTC) and starts again on ${formatDate(period.end)}.`;
}

const REASONS: Record<string, string> = { initial: 'First payment', renewal: 'Renewal', updated: 'Plan change' };

/** Lemon Squeezy's billing_reason as a word: initial → "First payment". */
export function invoiceReason(reason: string): string {
  return REASONS[reason] ?? reason;
}

const STATUSES: Record<string, { label: string; tone: StatusTone }> = {
  paid: { label: 'Paid', tone: 'green' },
  pending: { label: 'Pending', tone: 'amber' },
  void: { label: 'Void', tone: 'neutral' },
  refunded: { label: 'Refunded', tone: 'neutral' },
  partial_refund: { label: 'Partly refunded', tone: 'neutral' },
};

/** An invoice's status for a badge; a failed payment (the last event) reads "Failed" whatever the status says. */
export function invoiceStatus(invoice: InvoiceView): { label: string; tone: StatusTone } {
  if (invoice.lastEvent === 'subscription_payment_failed' && invoice.status !== 'paid') return { label: 'Failed', tone: 'red' };
  return STATUSES[invoice.status] ?? { label: invoice.status, tone: 'neutral' };
}

/** Only http(s) links from the payload are shown as links: anything else (javascript:, data:) is not followed. */
export function safeLink(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}
