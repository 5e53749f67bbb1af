import { describe, expect, it } from 'vitest';
import { ManualClock } from '../testing/clock.ts';
import { Backoff, parseRetryAfter, Spacer } from './politeness.ts';

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

describe('Spacer', () => {
  const never = new AbortController().signal;
  /** Starts a wait and records the clock's time when it ends. */
  const track = (clock: ManualClock, wait: Promise<void>) => {
    const ended: { at?: number } = {};
    void wait.then(() => (ended.at = clock.now()));
    return ended;
  };
  // Lets resolved waits run their continuations.
  const settle = () => new Promise((r) => setImmediate(r));

  it('starts calls to an upstream at least the interval apart, in the order they asked', async () => {
    const clock = new ManualClock();
    const spacer = new Spacer(clock);
    const calls = [0, 1, 2].map(() => track(clock, spacer.wait('arxiv', 100, never)));
    await settle();
    expect(calls.map((c) => c.at)).toEqual([0, undefined, undefined]);

    clock.advance(99);
    await settle();
    expect(calls.map((c) => c.at)).toEqual([0, undefined, undefined]);
    clock.advance(1);
    await settle();
    expect(calls.map((c) => c.at)).toEqual([0, 100, undefined]);
    clock.advance(100);
    await settle();
    expect(calls.map((c) => c.at)).toEqual([0, 100, 200]);
    expect(clock.pending).toBe(0);
  });

  it('does not wait after a quiet spell, nor for another upstream, nor without an interval', async () => {
    const clock = new ManualClock();
    const spacer = new Spacer(clock);
    await spacer.wait('arxiv', 100, never);
    clock.advance(150);
    const afterQuiet = track(clock, spacer.wait('arxiv', 100, never));
    const other = track(clock, spacer.wait('gdelt', 100, never));
    const unspaced = track(clock, spacer.wait('arxiv', 0, never));
    await settle();
    expect([afterQuiet.at, other.at, unspaced.at]).toEqual([150, 150, 150]);
    // The call just made still holds the next slot.
    const next = track(clock, spacer.wait('arxiv', 100, never));
    clock.advance(99);
    await settle();
    expect(next.at).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(next.at).toBe(250);
  });

  it('stops waiting when the call is given up, with the reason', async () => {
    const clock = new ManualClock();
    const spacer = new Spacer(clock);
    await spacer.wait('arxiv', 2000, never);
    const controller = new AbortController();
    const waiting = spacer.wait('arxiv', 2000, controller.signal);
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(clock.pending).toBe(0);
  });
});
