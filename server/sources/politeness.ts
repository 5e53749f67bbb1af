import { setTimeout as sleep } from 'node:timers/promises';
import type { UpstreamName } from './config.ts';

/**
 * Retry-After (RFC 9110 §10.2.3): a number of seconds, or an HTTP date. Returns
 * the delay in ms from `now`, or undefined when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only date-looking values go to Date.parse, which would otherwise accept odd strings like "1.5".
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface BackoffState {
  until: number;
  /** e.g. "HTTP 429" */
  reason: string;
}

/**
 * Which upstreams asked us to stay away, and until when. Per process: each
 * instance learns it from its own calls, which is what the upstream saw too.
 */
export class Backoff {
  private readonly state = new Map<UpstreamName, BackoffState>();
  private readonly now: () => number;
  private readonly defaultMs: number;
  private readonly maxMs: number;

  constructor(opts: { now: () => number; defaultMs: number; maxMs: number }) {
    this.now = opts.now;
    this.defaultMs = opts.defaultMs;
    this.maxMs = opts.maxMs;
  }

  /**
   * Records what a 429 or 503 means for the upstream; returns the state, or
   * undefined when there is nothing to wait for. A 503 without Retry-After is
   * an outage, not a request to slow down, so it sets no backoff.
   */
  note(upstream: UpstreamName, status: number, retryAfter: string | null): BackoffState | undefined {
    if (status !== 429 && status !== 503) return undefined;
    const now = this.now();
    const delay = parseRetryAfter(retryAfter, now) ?? (status === 429 ? this.defaultMs : undefined);
    if (delay === undefined || delay <= 0) return undefined;
    const state = { until: now + Math.min(delay, this.maxMs), reason: `HTTP ${status}` };
    const previous = this.state.get(upstream);
    if (!previous || previous.until < state.until) this.state.set(upstream, state);
    return this.state.get(upstream);
  }

  /** The latest backoff among these upstreams that is still running. */
  active(upstreams: readonly UpstreamName[]): (BackoffState & { upstream: UpstreamName }) | undefined {
    const now = this.now();
    let found: (BackoffState & { upstream: UpstreamName }) | undefined;
    for (const upstream of upstreams) {
      const s = this.state.get(upstream);
      if (!s) continue;
      if (s.until <= now) {
        this.state.delete(upstream);
        continue;
      }
      if (!found || s.until > found.until) found = { ...s, upstream };
    }
    return found;
  }

  clear(): void {
    this.state.clear();
  }
}

/** A monotonic clock and a way to wait on it. Tests pass a manual one (server/testing/clock.ts), so spacing is checked without measuring real time. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }),
};

/**
 * Keeps calls to an upstream that asks for it (arXiv, GDELT) at least a
 * minimum interval apart, per process.
 */
export class Spacer {
  private readonly clock: Clock;
  /** Per upstream: the earliest time (on the clock) the next call may start. */
  private readonly nextStart = new Map<UpstreamName, number>();

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  /**
   * Waits until `minIntervalMs` since the previous call's start has passed.
   * The start time is reserved before waiting, so calls go out in the order they asked.
   */
  async wait(upstream: UpstreamName, minIntervalMs: number, signal: AbortSignal): Promise<void> {
    if (minIntervalMs <= 0) return;
    const now = this.clock.now();
    const at = Math.max(now, this.nextStart.get(upstream) ?? 0);
    this.nextStart.set(upstream, at + minIntervalMs);
    if (at > now) await this.clock.sleep(at - now, signal);
  }
}
