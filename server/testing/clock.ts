import type { Clock } from '../sources/politeness.ts';

/**
 * A clock that moves only when the test says so. Code under test sleeps on it
 * (politeness spacing), so a test asserts exact intervals, and a busy machine
 * can make the test slower but never wrong.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly sleepers: { at: number; resolve: () => void }[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const sleeper = {
        at: this.current + ms,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.splice(this.sleepers.indexOf(sleeper), 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  /** How many sleeps are still waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Moves the clock on and wakes, in time order, every sleeper that is due. */
  advance(ms: number): void {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.at <= this.current).sort((a, b) => a.at - b.at);
    for (const s of due) {
      this.sleepers.splice(this.sleepers.indexOf(s), 1);
      s.resolve();
    }
  }
}
