import { describe, expect, it } from 'vitest';
import type { InvoiceView, SubscriptionView } from '../../../shared/billing.ts';
import { daysLeft, invoiceReason, invoiceStatus, periodSentence, safeLink, subscriptionStatus } from './billing.ts';

const NOW = Date.parse('2026-12-02T09:00:00Z');

const sub = (over: Partial<SubscriptionView>): SubscriptionView => ({
  id: '421953',
  status: 'active',
  statusFormatted: 'Active',
  variantId: '1100',
  tierId: '00000000-0000-4000-8000-000000000001',
  tierName: 'Pro',
  productName: 'Harmonic',
  variantName: 'Pro',
  renewsAt: '2027-01-02T08:00:00.000Z',
  endsAt: null,
  trialEndsAt: null,
  graceEndsAt: null,
  cancelled: false,
  grantsTier: true,
  cardBrand: 'visa',
  cardLastFour: '4242',
  testMode: true,
  updatedAt: '2026-12-02T08:00:00.000Z',
  ...over,
});

describe('daysLeft', () => {
  it('rounds a part day up and is 0 once the moment has passed', () => {
    expect(daysLeft('2026-12-02T10:00:00Z', NOW)).toBe(1);
    expect(daysLeft('2026-12-05T09:00:00Z', NOW)).toBe(3);
    expect(daysLeft('2026-12-05T09:00:01Z', NOW)).toBe(4);
    expect(daysLeft('2026-12-02T09:00:00Z', NOW)).toBe(0);
    expect(daysLeft('2026-11-30T00:00:00Z', NOW)).toBe(0);
    expect(daysLeft('not a date', NOW)).toBe(0);
  });
});

describe('subscriptionStatus', () => {
  it('a trial says until when', () => {
    const s = subscriptionStatus(sub({ status: 'on_trial', trialEndsAt: '2026-12-16T08:00:00.000Z' }), NOW);
    expect(s).toMatchObject({ label: 'Trial', sentence: 'Trial until 16 Dec 2026', live: true, resumable: false });
  });

  it('an active one says when it renews', () => {
    expect(subscriptionStatus(sub({}), NOW)).toMatchObject({ label: 'Active', tone: 'green', sentence: 'Renews on 2 Jan 2027', live: true });
  });

  it('a cancelled one still paid up says when it ends, and can be resumed', () => {
    const s = subscriptionStatus(sub({ status: 'cancelled', cancelled: true, renewsAt: '2027-01-02T08:00:00.000Z', endsAt: '2027-01-02T08:00:00.000Z' }), NOW);
    expect(s).toMatchObject({ label: 'Cancelling', sentence: 'Cancels on 2 Jan 2027', resumable: true, live: false });
  });

  it('a cancelled one past its end is over and cannot be resumed', () => {
    const s = subscriptionStatus(sub({ status: 'cancelled', cancelled: true, endsAt: '2026-11-30T08:00:00.000Z', grantsTier: false }), NOW);
    expect(s).toMatchObject({ label: 'Cancelled', sentence: 'Ended on 30 Nov 2026', resumable: false, live: false });
  });

  it('past due counts the grace days left from graceEndsAt', () => {
    expect(subscriptionStatus(sub({ status: 'past_due', graceEndsAt: '2026-12-04T10:00:00.000Z' }), NOW).sentence).toBe('Payment overdue: 3 days left to pay before the plan ends (4 Dec 2026)');
    expect(subscriptionStatus(sub({ status: 'past_due', graceEndsAt: '2026-12-02T12:00:00.000Z' }), NOW).sentence).toBe('Payment overdue: 1 day left to pay before the plan ends (2 Dec 2026)');
    const over = subscriptionStatus(sub({ status: 'past_due', graceEndsAt: '2026-12-01T12:00:00.000Z', grantsTier: false }), NOW);
    expect(over.sentence).toMatch(/^Payment overdue since the grace period ended on 1 Dec 2026/);
    expect(over).toMatchObject({ label: 'Payment overdue', tone: 'red', live: true });
  });

  it('unpaid, paused and expired are not paid up', () => {
    expect(subscriptionStatus(sub({ status: 'unpaid', grantsTier: false }), NOW)).toMatchObject({ label: 'Unpaid', tone: 'red' });
    expect(subscriptionStatus(sub({ status: 'paused', grantsTier: false }), NOW)).toMatchObject({ label: 'Paused', live: false });
    expect(subscriptionStatus(sub({ status: 'expired', endsAt: '2026-11-02T08:00:00.000Z', grantsTier: false }), NOW)).toMatchObject({ label: 'Ended', sentence: 'Ended on 2 Nov 2026', live: false, resumable: false });
    // Lemon Squeezy leaves `cancelled` set on a cancelled subscription that then expired.
    expect(subscriptionStatus(sub({ status: 'expired', cancelled: true, endsAt: '2026-11-02T08:00:00.000Z', grantsTier: false }), NOW)).toMatchObject({ label: 'Ended', resumable: false });
  });
});

describe('periodSentence', () => {
  it('names the renewal-to-renewal period, or the calendar month', () => {
    expect(periodSentence({ start: '2026-11-15T08:00:00.000Z', end: '2026-12-15T08:00:00.000Z', anchored: true })).toBe(
      "Your count runs from 15 Nov 2026 to 15 Dec 2026, following your subscription's renewals, and starts again on 15 Dec 2026.",
    );
    expect(periodSentence({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z', anchored: false })).toBe('Your count runs for the calendar month (UTC) and starts again on 1 Jan 2027.');
    expect(periodSentence({ start: '2026-11-15T08:00:00.000Z', end: '2026-12-15T08:00:00.000Z', anchored: true }, 'their')).toMatch(/^Their count runs from 15 Nov 2026 to 15 Dec 2026, following their subscription's renewals/);
  });
});

describe('invoices', () => {
  const invoice = (over: Partial<InvoiceView>): InvoiceView => ({
    id: '1134198',
    subscriptionId: '421953',
    billingReason: 'initial',
    status: 'paid',
    lastEvent: 'subscription_payment_success',
    currency: 'USD',
    totalCents: 2900,
    totalFormatted: '$29.00',
    refunded: false,
    invoiceUrl: 'https://app.lemonsqueezy.com/my-orders/abc/subscription-invoice/1134198',
    createdAt: '2026-12-02T08:00:00.000Z',
    ...over,
  });

  it('reads the reason and the status as words', () => {
    expect(invoiceReason('initial')).toBe('First payment');
    expect(invoiceReason('renewal')).toBe('Renewal');
    expect(invoiceReason('something_new')).toBe('something_new');
    expect(invoiceStatus(invoice({}))).toEqual({ label: 'Paid', tone: 'green' });
    expect(invoiceStatus(invoice({ status: 'pending', lastEvent: 'subscription_payment_failed' }))).toEqual({ label: 'Failed', tone: 'red' });
    expect(invoiceStatus(invoice({ status: 'refunded', lastEvent: 'subscription_payment_refunded' }))).toEqual({ label: 'Refunded', tone: 'neutral' });
  });

  it('links only to http(s) URLs', () => {
    expect(safeLink('https://app.lemonsqueezy.com/x')).toBe('https://app.lemonsqueezy.com/x');
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('not a url')).toBeNull();
    expect(safeLink(null)).toBeNull();
  });
});
