import { describe, expect, it } from 'vitest';
import { MinuteLimiter } from './client.ts';

/** The client's own limit (300 requests a minute), on a clock the test moves. */
describe('MinuteLimiter', () => {
  it('lets the limit through at once, then holds the next until the oldest is a minute old', async () => {
    let now = 0;
    const sleeps: number[] = [];
    let wake: (() => void) | undefined;
    const limiter = new MinuteLimiter(3, {
      now: () => now,
      sleep: (ms) => {
        sleeps.push(ms);
        return new Promise<void>((r) => (wake = r));
      },
    });
    await limiter.take();
    now = 10_000;
    await limiter.take();
    await limiter.take();
    expect(sleeps).toEqual([]);
    let fourth = false;
    const pending = limiter.take().then(() => (fourth = true));
    await new Promise((r) => setImmediate(r));
    // The first went out at 0: the fourth may go at 60 000.
    expect(sleeps).toEqual([50_000]);
    expect(fourth).toBe(false);
    now = 60_000;
    wake?.();
    await pending;
    expect(fourth).toBe(true);
  });
});
