import { describe, expect, it } from 'vitest';
import {
  centsToDollars,
  formatDate,
  formatDuration,
  formatGrace,
  formatMs,
  formatNumber,
  formatPercent,
  formatPrice,
  formatQuota,
  formatRelative,
  parseDollarsToCents,
  parseTags,
  quotaRatio,
  quotaTone,
} from './format.ts';

describe('numbers', () => {
  it('formats counts, quotas and prices', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(null)).toBe('—');
    expect(formatQuota(null)).toBe('Unlimited');
    expect(formatQuota(10000)).toBe('10,000');
    expect(formatPrice(null)).toBe('Custom');
    expect(formatPrice(0)).toBe('Free');
    expect(formatPrice(2900)).toBe('$29');
    expect(formatPrice(950)).toBe('$9.50');
  });
  it('never shows a tiny error rate as 0 %', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.0123)).toBe('1.2%');
    expect(formatPercent(0.5)).toBe('50%');
  });
  it('formats latency', () => {
    expect(formatMs(null)).toBe('—');
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(1530)).toBe('1.53 s');
  });
});

describe('dates', () => {
  it('formats in UTC, like the quota periods', () => {
    expect(formatDate('2026-12-01T00:00:00.000Z')).toBe('1 Dec 2026');
    expect(formatDate(null)).toBe('—');
  });
  it('says how long ago', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative('2026-11-24T11:59:50Z', now)).toBe('just now');
    expect(formatRelative('2026-11-24T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatRelative('2026-11-21T12:00:00Z', now)).toBe('3 days ago');
    expect(formatRelative('2026-11-25T12:00:00Z', now)).toBe('tomorrow');
  });
  it('counts down a lockout and names grace periods', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(845)).toBe('14 min 5 s');
    expect(formatDuration(900)).toBe('15 min');
    expect(formatDuration(-3)).toBe('0 s');
    expect(formatGrace(0)).toBe('Immediately');
    expect(formatGrace(3600)).toBe('1 hour');
    expect(formatGrace(86400)).toBe('24 hours');
    expect(formatGrace(300)).toBe('5 minutes');
  });
});

describe('quota bar', () => {
  it('computes a capped ratio and a tone', () => {
    expect(quotaRatio(50, 100)).toBe(0.5);
    expect(quotaRatio(150, 100)).toBe(1);
    expect(quotaRatio(5, null)).toBeNull();
    expect(quotaRatio(0, 0)).toBe(0);
    expect(quotaTone(79, 100)).toBe('ok');
    expect(quotaTone(80, 100)).toBe('warn');
    expect(quotaTone(100, 100)).toBe('over');
    expect(quotaTone(1e9, null)).toBe('ok');
  });
});

describe('form parsing', () => {
  it('reads dollars as cents exactly', () => {
    expect(parseDollarsToCents('')).toBeNull();
    expect(parseDollarsToCents('29')).toBe(2900);
    expect(parseDollarsToCents('$1,200.5')).toBe(120050);
    expect(parseDollarsToCents('0.07')).toBe(7);
    expect(parseDollarsToCents('1.234')).toBeNaN();
    expect(parseDollarsToCents('-1')).toBeNaN();
    expect(centsToDollars(2900)).toBe('29');
    expect(centsToDollars(950)).toBe('9.50');
    expect(centsToDollars(null)).toBe('');
  });
  it('splits tags', () => {
    expect(parseTags(' api, rate limiting ,,api ')).toEqual(['api', 'rate limiting']);
    expect(parseTags('')).toEqual([]);
  });
});
