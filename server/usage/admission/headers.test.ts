import { describe, expect, it } from 'vitest';
import { quotaHeaders } from './headers.ts';
import type { Admission } from './outcome.ts';

const base: Admission = {
  demo: false,
  userId: '8d1c6f0e-0000-4000-8000-000000000001',
  keyId: 'k',
  clientIp: null,
  limit: 1000,
  used: 250,
  remaining: 750,
  period: '2026-11-01',
  periodStart: new Date('2026-11-01T00:00:00Z'),
  resetAt: new Date('2026-12-01T00:00:00Z'),
  at: new Date('2026-11-24T00:00:00Z'),
};

describe('quotaHeaders', () => {
  it('states limit, used, remaining, reset and the user', () => {
    const h = quotaHeaders(base, Date.parse('2026-11-30T00:00:00Z'));
    expect(h).toMatchObject({
      'X-RateLimit-Limit': '1000',
      'X-RateLimit-Used': '250',
      'X-RateLimit-Remaining': '750',
      'X-RateLimit-Reset': '2026-12-01T00:00:00.000Z',
      'X-User-Id': base.userId,
    });
    expect(h['X-Demo-Mode']).toBeUndefined();
  });

  it('adds the IETF RateLimit-Policy and RateLimit fields', () => {
    const h = quotaHeaders(base, Date.parse('2026-11-30T00:00:00Z'));
    expect(h['RateLimit-Policy']).toBe('"monthly";q=1000;w=2592000');
    expect(h['RateLimit']).toBe('"monthly";r=750;t=86400');
  });

  it('says unlimited for Enterprise, and states no IETF policy', () => {
    const h = quotaHeaders({ ...base, limit: null, remaining: null });
    expect(h['X-RateLimit-Limit']).toBe('unlimited');
    expect(h['X-RateLimit-Remaining']).toBe('unlimited');
    expect(h['RateLimit-Policy']).toBeUndefined();
  });

  it('marks demo calls', () => {
    const h = quotaHeaders({ ...base, demo: true, userId: null });
    expect(h['X-Demo-Mode']).toBe('true');
    expect(h['X-User-Id']).toBe('demo');
  });
});

describe('quotaHeaders of an anchored (subscriber) period', () => {
  it("states the subscriber's own reset and window", () => {
    // A renewal on the 31st: 31 January 10:00 to 28 February 10:00, 28 days.
    const anchored: Admission = {
      ...base,
      period: '2027-01-31',
      periodStart: new Date('2027-01-31T10:00:00Z'),
      resetAt: new Date('2027-02-28T10:00:00Z'),
    };
    const h = quotaHeaders(anchored, Date.parse('2027-02-28T09:00:00Z'));
    expect(h['X-RateLimit-Reset']).toBe('2027-02-28T10:00:00.000Z');
    expect(h['RateLimit-Policy']).toBe(`"monthly";q=1000;w=${28 * 86400}`);
    expect(h['RateLimit']).toBe('"monthly";r=750;t=3600');
  });
});
