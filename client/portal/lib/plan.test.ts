import { describe, expect, it } from 'vitest';
import type { SubscriptionView } from '../../../shared/billing.ts';
import type { PortalPlan, PublicTier } from '../../../shared/portal.ts';
import { checkoutSettled } from './plan.ts';

const FREE: PublicTier = { id: '00000000-0000-4000-8000-00000000000f', name: 'Free', monthlyQuota: 1000, priceCents: 0, description: '', isDefault: true };
const PRO: PublicTier = { id: '00000000-0000-4000-8000-00000000000b', name: 'Pro', monthlyQuota: 10000, priceCents: 2900, description: '', isDefault: false };

const subscription = (over: Partial<SubscriptionView>): SubscriptionView => ({
  id: '1', status: 'active', statusFormatted: 'Active', variantId: '896458', tierId: PRO.id, tierName: 'Pro', productName: null, variantName: null,
  renewsAt: null, endsAt: null, trialEndsAt: null, graceEndsAt: null, cancelled: false, grantsTier: true, cardBrand: null, cardLastFour: null, testMode: true,
  updatedAt: '2026-12-02T08:00:00.000Z', ...over,
});

const plan = (current: PublicTier, sub: SubscriptionView | null): PortalPlan => ({
  current,
  tiers: [FREE, PRO],
  billingEnabled: true,
  purchasable: [PRO.id],
  billing: { subscription: sub, period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z', anchored: false } },
});

describe('checkoutSettled', () => {
  it('waits while the customer is still on the tier they had and nothing holds a paid one', () => {
    expect(checkoutSettled(undefined, null)).toBe(false);
    expect(checkoutSettled(plan(FREE, null), FREE.id)).toBe(false);
    // An old, expired subscription does not count.
    expect(checkoutSettled(plan(FREE, subscription({ status: 'expired', grantsTier: false })), FREE.id)).toBe(false);
  });

  it('stops once the tier moved, or the subscription holds the tier the customer is on', () => {
    expect(checkoutSettled(plan(PRO, subscription({})), FREE.id)).toBe(true);
    // The webhook landed before the screen first loaded.
    expect(checkoutSettled(plan(PRO, subscription({})), PRO.id)).toBe(true);
    expect(checkoutSettled(plan(PRO, subscription({})), null)).toBe(true);
  });
});
