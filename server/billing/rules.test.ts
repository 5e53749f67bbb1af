import { describe, expect, it } from 'vitest';
import { SUBSCRIPTION_STATUSES } from '../../shared/billing.ts';
import { graceEndsAt, pastDueSince, tierGrant } from './rules.ts';

const now = new Date('2027-03-10T12:00:00Z');
const hour = 60 * 60 * 1000;
const at = (ms: number) => new Date(now.getTime() + ms);

describe('tier rules', () => {
  it('covers every status Lemon Squeezy has', () => {
    for (const status of SUBSCRIPTION_STATUSES) expect(tierGrant({ status, endsAt: null, pastDueSince: now }, now, 3)).toHaveProperty('paid');
  });

  it.each(['on_trial', 'active'] as const)('%s holds the paid tier with nothing due', (status) => {
    expect(tierGrant({ status, endsAt: null, pastDueSince: null }, now, 3)).toEqual({ paid: true, until: null });
  });

  it('cancelled holds the paid tier until ends_at, then the default', () => {
    const endsAt = at(hour);
    expect(tierGrant({ status: 'cancelled', endsAt, pastDueSince: null }, now, 3)).toEqual({ paid: true, until: endsAt });
    expect(tierGrant({ status: 'cancelled', endsAt, pastDueSince: null }, at(hour - 1), 3)).toEqual({ paid: true, until: endsAt });
    expect(tierGrant({ status: 'cancelled', endsAt, pastDueSince: null }, endsAt, 3)).toEqual({ paid: false });
    expect(tierGrant({ status: 'cancelled', endsAt, pastDueSince: null }, at(2 * hour), 3)).toEqual({ paid: false });
  });

  it('cancelled without ends_at keeps the tier', () => {
    expect(tierGrant({ status: 'cancelled', endsAt: null, pastDueSince: null }, now, 3)).toEqual({ paid: true, until: null });
  });

  it('past_due holds the paid tier for the grace days from when it went past_due, then the default', () => {
    const since = at(-2 * 24 * hour);
    const end = graceEndsAt(since, 3);
    expect(end.toISOString()).toBe('2027-03-11T12:00:00.000Z');
    expect(tierGrant({ status: 'past_due', endsAt: null, pastDueSince: since }, now, 3)).toEqual({ paid: true, until: end });
    expect(tierGrant({ status: 'past_due', endsAt: null, pastDueSince: since }, end, 3)).toEqual({ paid: false });
    // Zero grace days: the tier drops as soon as the payment fails.
    expect(tierGrant({ status: 'past_due', endsAt: null, pastDueSince: now }, now, 0)).toEqual({ paid: false });
    // Unknown since: counts from now.
    expect(tierGrant({ status: 'past_due', endsAt: null, pastDueSince: null }, now, 1)).toEqual({ paid: true, until: at(24 * hour) });
  });

  it.each(['unpaid', 'expired', 'paused'] as const)('%s is the default tier', (status) => {
    expect(tierGrant({ status, endsAt: at(hour), pastDueSince: now }, now, 3)).toEqual({ paid: false });
  });
});

describe('past_due since', () => {
  it('starts when the subscription becomes past_due and is kept while it stays so', () => {
    expect(pastDueSince(null, 'past_due', now)).toEqual(now);
    expect(pastDueSince({ status: 'active', pastDueSince: null }, 'past_due', now)).toEqual(now);
    const earlier = at(-hour);
    expect(pastDueSince({ status: 'past_due', pastDueSince: earlier }, 'past_due', now)).toEqual(earlier);
  });
  it('is cleared by any other status', () => {
    expect(pastDueSince({ status: 'past_due', pastDueSince: now }, 'active', now)).toBeNull();
    expect(pastDueSince({ status: 'past_due', pastDueSince: now }, 'unpaid', now)).toBeNull();
  });
});
