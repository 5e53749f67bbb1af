import { describe, expect, it } from 'vitest';
import { nextPeriodStart, periodKey, periodSeconds, periodStart, subscriptionAnchor } from './period.ts';

describe('usage periods (calendar months, UTC)', () => {
  it('start on the first of the month at 00:00 UTC whatever the local time', () => {
    const at = new Date('2026-11-30T23:59:59.999Z');
    expect(periodStart(at).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(nextPeriodStart(at).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(periodKey(at)).toBe('2026-11-01');
  });

  it('roll over the year', () => {
    expect(nextPeriodStart(new Date('2026-12-15T12:00:00Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('know how long each month is', () => {
    expect(periodSeconds(new Date('2026-02-10T00:00:00Z'))).toBe(28 * 86400);
    expect(periodSeconds(new Date('2028-02-10T00:00:00Z'))).toBe(29 * 86400);
    expect(periodSeconds(new Date('2026-11-10T00:00:00Z'))).toBe(30 * 86400);
  });
});

describe('subscriptionAnchor', () => {
  it('keeps a renewal on its billing day', () => {
    expect(subscriptionAnchor(new Date('2027-03-15T10:20:30Z'), 15).toISOString()).toBe('2027-03-15T10:20:30.000Z');
  });
  it('moves a renewal a short month clamped back to the billing day', () => {
    expect(subscriptionAnchor(new Date('2027-02-28T10:20:30Z'), 31).toISOString()).toBe('2027-01-31T10:20:30.000Z');
    expect(subscriptionAnchor(new Date('2028-02-29T00:00:00Z'), 30).toISOString()).toBe('2028-01-30T00:00:00.000Z');
    expect(subscriptionAnchor(new Date('2027-04-30T08:00:00Z'), 31).toISOString()).toBe('2027-03-31T08:00:00.000Z');
  });
  it('takes the renewal as it is without a billing day', () => {
    expect(subscriptionAnchor(new Date('2027-02-28T10:20:30Z'), null).toISOString()).toBe('2027-02-28T10:20:30.000Z');
  });
});
