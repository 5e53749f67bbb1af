import type { Logger } from 'pino';
import type { Orm } from '../../db/orm.ts';
import { RefusalCounter, type RefusalReason } from './entity.ts';
import type { RefusalIncrement } from './repository.ts';

export interface RefusalWriterOptions {
  orm: Orm;
  logger: Logger;
  /** Flush at least this often. */
  flushIntervalMs: number;
  /** Flush as soon as this many distinct (user, day, reason) counts are waiting. */
  maxBatch: number;
  /** When a refusal without a database time of its own happened (epoch ms); the wall clock by default. */
  now?: () => number;
}

/**
 * Refused keyed calls are counted off the request's path: the request only
 * adds one to an in-memory sum per (user, UTC day, reason), and the sums are
 * added to refusal_counters in one upsert per flush, like the ledger's rows
 * (../admission/ledger.ts). A flood of refusals from one user is one
 * pending sum, so it costs the database one row update per flush whatever
 * its size. A failed flush keeps its sums (merged with newer ones) and is
 * retried with backoff; stop() writes what is left.
 */
export class RefusalWriter {
  /** Pending sums by `${userId} ${day} ${reason}`: a write buffer, emptied by every flush. */
  private pendingSums = new Map<string, RefusalIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly opts: RefusalWriterOptions;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Refusals written so far (the sum of the counts flushed). */
  written = 0;

  constructor(opts: RefusalWriterOptions) {
    this.opts = opts;
    this.log = opts.logger.child({ component: 'refusals' });
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.opts.flushIntervalMs);
  }

  /** One refused call of `userId`; `at` is its database time when the refusal has one (an admission's). */
  count(userId: string, reason: RefusalReason, at?: Date): void {
    const day = new Date(at?.getTime() ?? this.now()).toISOString().slice(0, 10);
    this.add({ userId, day, reason, count: 1 });
    if (this.pendingSums.size >= this.opts.maxBatch && !this.flushing && this.failures === 0) void this.flush().catch(() => undefined);
  }

  /** Distinct (user, day, reason) sums waiting. */
  get pending(): number {
    return this.pendingSums.size;
  }

  /** Writes everything pending now; resolves when it is in the database (or throws after a failed attempt). */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.pendingSums.size === 0) return;
    }
    this.flushing = this.writePending().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Flushes until nothing is pending or `deadlineMs` passes; used on SIGTERM. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const deadline = Date.now() + deadlineMs;
    while (this.pendingSums.size > 0 || this.flushing) {
      try {
        await this.flush();
      } catch (err) {
        if (Date.now() > deadline) {
          this.log.error({ err, pending: this.pendingSums.size }, 'could not write the refused-call counts before shutdown');
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private add(inc: RefusalIncrement): void {
    const id = `${inc.userId} ${inc.day} ${inc.reason}`;
    const sum = this.pendingSums.get(id);
    if (sum) sum.count += inc.count;
    else this.pendingSums.set(id, { ...inc });
  }

  private async writePending(): Promise<void> {
    if (this.pendingSums.size === 0) return;
    const batch = [...this.pendingSums.values()];
    this.pendingSums = new Map();
    try {
      await this.opts.orm.em.fork().getRepository(RefusalCounter).addAll(batch);
      this.written += batch.reduce((n, b) => n + b.count, 0);
      this.failures = 0;
    } catch (err) {
      // Refusals counted while this batch was in flight are merged with it, so nothing is counted twice or lost.
      for (const inc of batch) this.add(inc);
      this.failures++;
      this.log.warn({ err, pending: this.pendingSums.size, failures: this.failures }, 'refused-call counts write failed; will retry');
      throw err;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.flush().then(
        () => this.schedule(this.opts.flushIntervalMs),
        // Back off while the database is unavailable, up to 5 s between attempts.
        () => this.schedule(Math.min(5_000, this.opts.flushIntervalMs * 2 ** Math.min(this.failures, 5))),
      );
    }, delayMs);
    this.timer.unref();
  }
}
