import { describe, expect, it } from 'vitest';
import { addressKey, VerifyThrottle, type VerifyRefusal, type VerifyTicket } from './throttle.ts';

const opts = { windowMs: 60_000, maxFailuresPerLookupId: 3, maxFailuresPerAddress: 5, maxInFlightPerAddress: 2, maxEntries: 100 };

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const refused = (r: VerifyTicket | VerifyRefusal): r is VerifyRefusal => 'retryAfterSeconds' in r;

/** Starts a verification and ends it at once with `outcome`; returns whether it was allowed. */
function attempt(t: VerifyThrottle, id: string, digest: string, ip: string | undefined, outcome: 'verified' | 'failed' | 'error' = 'failed'): boolean {
  const r = t.begin(id, digest, ip);
  if (refused(r)) return false;
  r.done(outcome);
  return true;
}

describe('VerifyThrottle', () => {
  it('stops an address after its failures, until the window passes', () => {
    const c = clock();
    const t = new VerifyThrottle({ ...opts, now: c.now });
    for (let i = 0; i < 5; i++) expect(attempt(t, `id${i}`, `d${i}`, '203.0.113.9')).toBe(true);
    const r = t.begin('other', 'dx', '203.0.113.9');
    expect(refused(r) && r.retryAfterSeconds).toBe(60);
    c.advance(30_000);
    const later = t.begin('other', 'dx', '203.0.113.9');
    expect(refused(later) && later.retryAfterSeconds, 'the window runs from the first failure').toBe(30);
    expect(attempt(t, 'other', 'dx', '198.51.100.1'), 'another address is not affected').toBe(true);
    c.advance(30_001);
    expect(attempt(t, 'other', 'dx', '203.0.113.9')).toBe(true);
  });

  it('lets only clean addresses try a lookup id that has failed too often', () => {
    const t = new VerifyThrottle(opts);
    for (let i = 0; i < 3; i++) expect(attempt(t, 'victim', `bad${i}`, `10.0.0.${i}`)).toBe(true);
    // Each of those addresses has failed once: they may not try the victim again...
    expect(refused(t.begin('victim', 'bad9', '10.0.0.1'))).toBe(true);
    // ...but they may still try other ids (under their own budget),
    expect(attempt(t, 'elsewhere', 'e1', '10.0.0.1', 'verified')).toBe(true);
    // and the holder, from an address with no failure, still gets a verification.
    expect(attempt(t, 'victim', 'real', '192.0.2.7', 'verified')).toBe(true);
  });

  it('never refuses a key it has verified before, whatever the flood', () => {
    const t = new VerifyThrottle(opts);
    expect(attempt(t, 'victim', 'real', '192.0.2.7', 'verified')).toBe(true);
    for (let i = 0; i < 10; i++) attempt(t, 'victim', `bad${i}`, '192.0.2.7');
    expect(refused(t.begin('victim', 'bad99', '192.0.2.7'))).toBe(true);
    const inFlight = t.begin('victim', 'bad100', '198.51.100.2');
    expect(refused(inFlight)).toBe(false);
    expect(attempt(t, 'victim', 'real', '192.0.2.7', 'verified'), 'exempt even from the same, failing address while another is in flight').toBe(true);
    t.trust('fresh', 'issued');
    for (let i = 0; i < 10; i++) attempt(t, 'fresh', `bad${i}`, `10.9.0.${i}`);
    expect(attempt(t, 'fresh', 'issued', '10.9.0.1', 'verified'), 'a key issued here is trusted from the start').toBe(true);
  });

  it('allows one verification in flight per lookup id and a few per address', () => {
    const t = new VerifyThrottle(opts);
    const first = t.begin('a', 'd1', '192.0.2.1') as VerifyTicket;
    expect(refused(first)).toBe(false);
    expect(refused(t.begin('a', 'd2', '192.0.2.2')), 'a second secret for the same id waits').toBe(true);
    expect(refused(t.begin('b', 'd3', '192.0.2.1'))).toBe(false);
    expect(refused(t.begin('c', 'd4', '192.0.2.1')), 'a third from one address waits').toBe(true);
    first.done('error');
    expect(refused(t.begin('a', 'd2', '192.0.2.2')), 'the slot is free again; an error counts as no failure').toBe(false);
  });

  it('without an address, only the lookup id limits apply', () => {
    const t = new VerifyThrottle(opts);
    for (let i = 0; i < 3; i++) expect(attempt(t, 'x', `d${i}`, undefined)).toBe(true);
    expect(refused(t.begin('x', 'd9', undefined))).toBe(true);
    expect(attempt(t, 'y', 'dy', undefined)).toBe(true);
  });

  it('counts an IPv6 /64 as one address, and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    const t = new VerifyThrottle(opts);
    for (let i = 0; i < 5; i++) attempt(t, `id${i}`, `d${i}`, `2001:db8:1:2::${i + 1}`);
    expect(refused(t.begin('z', 'dz', '2001:db8:1:2:dead:beef:0:1'))).toBe(true);
  });
});
