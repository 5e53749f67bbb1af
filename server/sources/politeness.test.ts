import { describe, expect, it } from 'vitest';
import { Backoff, parseRetryAfter } from './politeness.ts';

const NOW = Date.parse('2026-07-02T10:00:00Z');

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates (RFC 9110)', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
    expect(parseRetryAfter('Thu, 02 Jul 2026 10:05:00 GMT', NOW)).toBe(300_000);
    // A date in the past means "now".
    expect(parseRetryAfter('Thu, 02 Jul 2026 09:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const v of [null, undefined, '', 'soon', '1.5', '-3', 'Fooday, 99 Nob 2026']) expect(parseRetryAfter(v, NOW), String(v)).toBeUndefined();
  });
});

describe('Backoff', () => {
  const make = () => {
    let now = NOW;
    const backoff = new Backoff({ now: () => now, defaultMs: 60_000, maxMs: 3_600_000 });
    return { backoff, advance: (ms: number) => (now += ms) };
  };

  it('keeps an upstream blocked until Retry-After has passed', () => {
    const { backoff, advance } = make();
    expect(backoff.note('hn', 429, '30')).toEqual({ until: NOW + 30_000, reason: 'HTTP 429' });
    expect(backoff.active(['hn'])).toMatchObject({ upstream: 'hn', until: NOW + 30_000 });
    expect(backoff.active(['arxiv'])).toBeUndefined();
    advance(29_999);
    expect(backoff.active(['hn'])).toBeDefined();
    advance(1);
    expect(backoff.active(['hn'])).toBeUndefined();
  });

  it('honours a 503 only with Retry-After; a 429 without one waits the default', () => {
    const { backoff } = make();
    expect(backoff.note('wikipedia', 503, null)).toBeUndefined();
    expect(backoff.note('wikipedia', 503, 'Thu, 02 Jul 2026 10:02:00 GMT')?.until).toBe(NOW + 120_000);
    expect(backoff.note('gdelt', 429, null)?.until).toBe(NOW + 60_000);
    expect(backoff.note('arxiv', 500, '30')).toBeUndefined();
    expect(backoff.note('arxiv', 200, '30')).toBeUndefined();
  });

  it('caps a huge Retry-After and never shortens a running backoff', () => {
    const { backoff } = make();
    expect(backoff.note('hn', 429, String(30 * 86_400))?.until).toBe(NOW + 3_600_000);
    expect(backoff.note('hn', 429, '5')?.until).toBe(NOW + 3_600_000);
  });

  it('reports the latest of several upstreams (weather calls two)', () => {
    const { backoff } = make();
    backoff.note('open-meteo-geocoding', 429, '10');
    backoff.note('open-meteo-forecast', 503, '20');
    expect(backoff.active(['open-meteo-geocoding', 'open-meteo-forecast'])).toMatchObject({ upstream: 'open-meteo-forecast', until: NOW + 20_000 });
  });
});
