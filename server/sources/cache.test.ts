import { describe, expect, it } from 'vitest';
import { AnswerCache, normaliseQuery, type CachedAnswer } from './cache.ts';

const answer = (n = 1): CachedAnswer => ({ status: 'ok', items: [], message: 'x'.repeat(n) });

describe('AnswerCache', () => {
  it('normalises queries: case, Unicode form and whitespace', () => {
    expect(normaliseQuery('  Weather   in\tLONDON ')).toBe('weather in london');
    expect(normaliseQuery('Ｃａｆé')).toBe(normaliseQuery('cafe\u0301'));
  });

  it('keys by source, variant, options and normalised query', () => {
    const k = (q: string, limit = 5) => AnswerCache.key('wiki', 'en', q, { limit });
    expect(k('Rate Limiting')).toBe(k('rate  limiting'));
    expect(k('rate limiting')).not.toBe(k('rate limiting', 6));
    expect(AnswerCache.key('wiki', 'en', 'q', { limit: 5 })).not.toBe(AnswerCache.key('wiki', 'de', 'q', { limit: 5 }));
    expect(AnswerCache.key('wiki', 'en', 'q', { limit: 5 })).not.toBe(AnswerCache.key('kb', 'en', 'q', { limit: 5 }));
  });

  it('expires entries after their own TTL', () => {
    let now = 1_000;
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1e6, now: () => now });
    cache.set('weather|a', answer(), 600_000);
    cache.set('wiki|a', answer(), 3_600_000);
    now += 600_001;
    expect(cache.get('weather|a')).toBeUndefined();
    expect(cache.get('wiki|a')).toBeDefined();
    now += 3_000_000;
    expect(cache.get('wiki|a')).toBeUndefined();
  });

  it('is bounded by entries and by size, evicting the least recently used', () => {
    const cache = new AnswerCache({ maxEntries: 2, maxBytes: 1e6 });
    cache.set('a', answer(), 60_000);
    cache.set('b', answer(), 60_000);
    cache.get('a');
    cache.set('c', answer(), 60_000);
    expect([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined]).toEqual([true, false, true]);

    const small = new AnswerCache({ maxEntries: 100, maxBytes: 300 });
    for (let i = 0; i < 10; i++) small.set(`k${i}`, answer(50), 60_000);
    expect(small.size).toBeLessThan(10);
    expect(small.get('k9')).toBeDefined();
  });

  it('stores nothing with a TTL of 0 or with no room at all, and clears one source', () => {
    const off = new AnswerCache({ maxEntries: 0, maxBytes: 1e6 });
    off.set('a', answer(), 60_000);
    expect(off.get('a')).toBeUndefined();
    const cache = new AnswerCache({ maxEntries: 10, maxBytes: 1e6 });
    cache.set('kb|x', answer(), 0);
    expect(cache.get('kb|x')).toBeUndefined();
    cache.set('kb|x', answer(), 60_000);
    cache.set('wiki|x', answer(), 60_000);
    cache.clear('kb');
    expect(cache.get('kb|x')).toBeUndefined();
    expect(cache.get('wiki|x')).toBeDefined();
  });
});
