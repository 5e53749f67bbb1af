import { describe, expect, it } from 'vitest';
import { nextPeriodStart, periodKey, periodSeconds, periodStart } from './period.ts';

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
