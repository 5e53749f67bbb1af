import { describe, expect, it } from 'vitest';
import { anchoredPeriod, subscriptionAnchor } from './period.ts';

const iso = (d: Date) => d.toISOString();
/** [start, end) of the period containing `at` for `anchor` (null: calendar), as ISO strings. */
const period = (at: string, anchor: string | null) => {
  const p = anchoredPeriod(new Date(at), anchor === null ? null : new Date(anchor));
  return [iso(p.start), iso(p.end)];
};

describe('usage periods without an anchor (calendar months, UTC)', () => {
  it('start on the first of the month at 00:00 UTC whatever the local time', () => {
    const p = anchoredPeriod(new Date('2026-11-30T23:59:59.999Z'), null);
    expect(iso(p.start)).toBe('2026-11-01T00:00:00.000Z');
    expect(iso(p.end)).toBe('2026-12-01T00:00:00.000Z');
    expect(p.key).toBe('2026-11-01');
  });

  it('begin exactly at midnight on the first', () => {
    expect(period('2026-12-01T00:00:00.000Z', null)).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('roll over the year', () => {
    expect(anchoredPeriod(new Date('2026-12-15T12:00:00Z'), null).end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('know how long each month is', () => {
    expect(anchoredPeriod(new Date('2026-02-10T00:00:00Z'), null).seconds).toBe(28 * 86400);
    expect(anchoredPeriod(new Date('2028-02-10T00:00:00Z'), null).seconds).toBe(29 * 86400);
    expect(anchoredPeriod(new Date('2026-11-10T00:00:00Z'), null).seconds).toBe(30 * 86400);
  });
});

describe('usage periods anchored to a subscription', () => {
  const on31st = '2027-01-31T10:00:00Z';

  it('fall on 28 February in a common year, then back on 31 March', () => {
    expect(period('2027-02-15T00:00:00Z', on31st)).toEqual(['2027-01-31T10:00:00.000Z', '2027-02-28T10:00:00.000Z']);
    expect(period('2027-03-15T00:00:00Z', on31st)).toEqual(['2027-02-28T10:00:00.000Z', '2027-03-31T10:00:00.000Z']);
    expect(period('2027-04-01T00:00:00Z', on31st)).toEqual(['2027-03-31T10:00:00.000Z', '2027-04-30T10:00:00.000Z']);
  });

  it('fall on 29 February in a leap year, then back on 31 March', () => {
    expect(period('2028-02-10T00:00:00Z', on31st)).toEqual(['2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z']);
    expect(period('2028-03-01T00:00:00Z', on31st)).toEqual(['2028-02-29T10:00:00.000Z', '2028-03-31T10:00:00.000Z']);
  });

  it('keep an anchor on the 30th on 30 April and every 30th after a short month (no drift)', () => {
    const on30th = '2027-01-30T08:00:00Z';
    expect(period('2027-04-15T00:00:00Z', on30th)).toEqual(['2027-03-30T08:00:00.000Z', '2027-04-30T08:00:00.000Z']);
    expect(period('2027-03-10T00:00:00Z', on30th)).toEqual(['2027-02-28T08:00:00.000Z', '2027-03-30T08:00:00.000Z']);
    expect(period('2027-05-30T08:00:00Z', on30th)).toEqual(['2027-05-30T08:00:00.000Z', '2027-06-30T08:00:00.000Z']);
  });

  it('clamp a 29th only in a common February', () => {
    const on29th = '2026-12-29T00:00:00Z';
    expect(period('2027-03-01T00:00:00Z', on29th)).toEqual(['2027-02-28T00:00:00.000Z', '2027-03-29T00:00:00.000Z']);
    expect(period('2028-03-01T00:00:00Z', on29th)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-29T00:00:00.000Z']);
  });

  it("turn over at the anchor's time of day, not at midnight", () => {
    const on15th = '2026-11-15T18:30:00Z';
    expect(period('2026-12-15T18:29:59.999Z', on15th)).toEqual(['2026-11-15T18:30:00.000Z', '2026-12-15T18:30:00.000Z']);
    expect(period('2026-12-15T18:30:00.000Z', on15th)).toEqual(['2026-12-15T18:30:00.000Z', '2027-01-15T18:30:00.000Z']);
    expect(period('2026-12-15T00:00:00.000Z', on15th)).toEqual(['2026-11-15T18:30:00.000Z', '2026-12-15T18:30:00.000Z']);
  });

  it('put an instant exactly at a renewal in the new period', () => {
    expect(period('2027-02-28T10:00:00.000Z', on31st)).toEqual(['2027-02-28T10:00:00.000Z', '2027-03-31T10:00:00.000Z']);
    expect(period('2027-02-28T09:59:59.999Z', on31st)).toEqual(['2027-01-31T10:00:00.000Z', '2027-02-28T10:00:00.000Z']);
  });

  it('work from an anchor in the future as well as in the past, and over year ends', () => {
    expect(period('2026-12-20T00:00:00Z', '2027-06-10T12:00:00Z')).toEqual(['2026-12-10T12:00:00.000Z', '2027-01-10T12:00:00.000Z']);
    expect(period('2027-01-05T00:00:00Z', '2026-03-10T12:00:00Z')).toEqual(['2026-12-10T12:00:00.000Z', '2027-01-10T12:00:00.000Z']);
  });

  it('are named by the UTC date of their start, and an anchor on the 1st at 00:00 is the calendar month', () => {
    expect(anchoredPeriod(new Date('2027-03-15T00:00:00Z'), new Date(on31st)).key).toBe('2027-02-28');
    const first = anchoredPeriod(new Date('2027-03-15T00:00:00Z'), new Date('2026-07-01T00:00:00Z'));
    expect(first).toEqual(anchoredPeriod(new Date('2027-03-15T00:00:00Z'), null));
  });

  it('are as long as their renewals are apart', () => {
    expect(anchoredPeriod(new Date('2027-02-15T00:00:00Z'), new Date(on31st)).seconds).toBe(28 * 86400);
    expect(anchoredPeriod(new Date('2027-03-15T00:00:00Z'), new Date(on31st)).seconds).toBe(31 * 86400);
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
