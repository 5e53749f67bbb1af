import { describe, expect, it } from 'vitest';
import { KeyCache, type VerifiedKey } from './cache.ts';

const key = (over: Partial<VerifiedKey> = {}): VerifiedKey => ({
  keyId: 'k1',
  lookupId: 'AbCd1234',
  name: 'prod',
  userId: 'u1',
  userStatus: 'active',
  tierId: 't1',
  tierName: 'Free',
  quota: 1000,
  expiresAt: null,
  ...over,
});

describe('KeyCache', () => {
  it('remembers verified and rejected digests separately', () => {
    const cache = new KeyCache({ max: 10, ttlMs: 60_000, negativeTtlMs: 60_000 });
    cache.remember('good', key());
    cache.reject('bad');
    expect(cache.get('good')).toMatchObject({ keyId: 'k1' });
    expect(cache.get('bad')).toBe('rejected');
    expect(cache.get('unknown')).toBeUndefined();
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 2, misses: 1 });
  });

  it("remembers whose genuine key a rejection was, and no owner for a made-up one", () => {
    const cache = new KeyCache({ max: 10, ttlMs: 60_000, negativeTtlMs: 60_000 });
    cache.remember('revoked', key());
    cache.reject('revoked', 'u1');
    cache.reject('made-up');
    expect(cache.get('revoked')).toBe('rejected');
    expect(cache.rejectedOwner('revoked')).toBe('u1');
    expect(cache.rejectedOwner('made-up')).toBeUndefined();
    expect(cache.rejectedOwner('unknown')).toBeUndefined();
    // Verified again (say, after an undo), it is nobody's rejection any more.
    cache.remember('revoked', key());
    expect(cache.rejectedOwner('revoked')).toBeUndefined();
  });

  it('evicts by key, by user and by tier', () => {
    const cache = new KeyCache({ max: 10, ttlMs: 60_000, negativeTtlMs: 60_000 });
    cache.remember('a', key({ keyId: 'k1', userId: 'u1', tierId: 't1' }));
    cache.remember('b', key({ keyId: 'k2', userId: 'u1', tierId: 't1' }));
    cache.remember('c', key({ keyId: 'k3', userId: 'u2', tierId: 't2' }));
    cache.evictKey('k1');
    expect(cache.get('a')).toBeUndefined();
    cache.evictUser('u1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBeDefined();
    cache.evictTier('t2');
    expect(cache.get('c')).toBeUndefined();
  });

  it('is bounded in size', () => {
    const cache = new KeyCache({ max: 3, ttlMs: 60_000, negativeTtlMs: 60_000 });
    for (let i = 0; i < 10; i++) cache.remember(`d${i}`, key({ keyId: `k${i}` }));
    expect(cache.size).toBe(3);
  });

  it('forgets verified keys and rejections after their TTLs, and not before', () => {
    let now = 1_000;
    const cache = new KeyCache({ max: 10, ttlMs: 60_000, negativeTtlMs: 20_000, now: () => now });
    cache.remember('good', key());
    cache.reject('bad');
    now += 20_000;
    expect(cache.get('bad')).toBe('rejected');
    now += 1;
    expect(cache.get('bad')).toBeUndefined();
    expect(cache.get('good')).toMatchObject({ keyId: 'k1' });
    now += 40_000;
    expect(cache.get('good')).toBeUndefined();
  });
});
