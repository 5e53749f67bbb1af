import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatTable, parseExpiry, positiveInt } from './options.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('parseExpiry (--expires)', () => {
  it('takes a date as the end of that day in UTC', () => {
    expect(parseExpiry('2027-01-31', NOW).toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(parseExpiry('2026-12-31', NOW).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseExpiry('2028-02-29', NOW).toISOString()).toBe('2028-03-01T00:00:00.000Z');
    // Today still counts: the key works until tonight's midnight UTC.
    expect(parseExpiry('2026-12-01', NOW).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });

  it('takes a date-time with Z or an offset as that instant', () => {
    expect(parseExpiry('2027-01-31T18:00:00Z', NOW).toISOString()).toBe('2027-01-31T18:00:00.000Z');
    expect(parseExpiry('2027-01-31T18:00:00+01:00', NOW).toISOString()).toBe('2027-01-31T17:00:00.000Z');
    expect(parseExpiry('2027-01-31T18:00:00.250-05:00', NOW).toISOString()).toBe('2027-01-31T23:00:00.250Z');
  });

  it('refuses words, impossible dates, date-times without a zone and the past', () => {
    for (const value of ['tomorrow', '', '2027-02-30', '2027-13-01', '2027-1-31', '31/01/2027', '2027-01-31T18:00:00', '2027-01-31 18:00Z']) {
      expect(() => parseExpiry(value, NOW), value).toThrow(InvalidArgumentError);
      expect(() => parseExpiry(value, NOW), value).toThrow(/Expected a date such as 2027-01-31 or a date-time with a zone/);
    }
    expect(() => parseExpiry('2026-11-30', NOW)).toThrow('It must be in the future; it would expire at 2026-12-01T00:00:00.000Z.');
    expect(() => parseExpiry('2026-12-01T12:00:00Z', NOW)).toThrow(/must be in the future/);
  });
});

describe('positiveInt', () => {
  it('takes whole numbers in range and refuses the rest', () => {
    const limit = positiveInt(100);
    expect(limit('1')).toBe(1);
    expect(limit('100')).toBe(100);
    for (const value of ['0', '101', '-1', '1.5', 'ten', '', '1e2']) expect(() => limit(value), value).toThrow('Expected a whole number from 1 to 100.');
  });
});

describe('formatTable', () => {
  it('aligns columns to the widest cell without trailing spaces', () => {
    expect(formatTable(['A', 'BB', 'C'], [['xxx', 'y', 'z'], ['1', '22', '333']])).toBe(['A    BB  C', 'xxx  y   z', '1    22  333'].join('\n'));
  });
});
