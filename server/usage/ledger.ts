import type { Logger } from 'pino';
import type { Orm } from '../db/orm.ts';
import { UsageEvent } from './entities.ts';
import type { LedgerEvent, UsageEventRepository } from './repository.ts';

export interface LedgerWriterOptions {
  orm: Orm;
  logger: Logger;
  /** Flush at least this often. */
  flushIntervalMs: number;
  /** Flush as soon as this many events are waiting. */
  maxBatch: number;
}

/**
 * Ledger rows are written after the response, in batches, off the request's
 * critical path: one statement per batch instead of one per call. Admission
 * (the counter) is never buffered; only its ledger row is, so the counter is
 * always exact and the ledger catches up within one flush interval.
 *
 * Nothing admitted is dropped: a failed batch stays queued and is retried
 * (with backoff) until the database takes it, and stop() flushes what is left.
 * Only a row the database rejects as invalid data on its own is logged and
 * dropped, so one bad row can never hold the rest hostage.
 */
export class LedgerWriter {
  private queue: LedgerEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private stopped = false;
  private readonly opts: LedgerWriterOptions;
  private readonly log: Logger;
  /** Oldest unwritten event's enqueue time (epoch ms), for the lag metric. */
  private oldestQueuedAt: number | undefined;
  written = 0;

  constructor(opts: LedgerWriterOptions) {
    this.opts = opts;
    this.log = opts.logger.child({ component: 'ledger' });
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.opts.flushIntervalMs);
  }

  append(event: LedgerEvent): void {
    if (this.queue.length === 0) this.oldestQueuedAt = Date.now();
    this.queue.push(event);
    if (this.queue.length >= this.opts.maxBatch && !this.flushing && this.failures === 0) void this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  /** How long the oldest unwritten event has waited, in ms (0 when none). */
  get lagMs(): number {
    return this.oldestQueuedAt === undefined || this.queue.length === 0 ? 0 : Date.now() - this.oldestQueuedAt;
  }

  /** Writes everything queued now; resolves when it is in the database (or throws after a failed attempt). */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (this.queue.length === 0) return;
    }
    this.flushing = this.writeQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Flushes until the queue is empty or `deadlineMs` passes; used on SIGTERM. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const deadline = Date.now() + deadlineMs;
    while (this.queue.length > 0 || this.flushing) {
      try {
        await this.flush();
      } catch (err) {
        if (Date.now() > deadline) {
          this.log.error({ err, pending: this.queue.length }, 'could not flush the usage ledger before shutdown');
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue.splice(0, this.opts.maxBatch * 4);
    if (batch.length === 0) return;
    const repo = this.opts.orm.em.fork().getRepository(UsageEvent);
    try {
      await repo.insertBatch(batch);
      this.written += batch.length;
      this.failures = 0;
    } catch (err) {
      if (isDataError(err)) {
        await this.writeOneByOne(batch, repo);
        return;
      }
      this.queue.unshift(...batch);
      this.failures++;
      this.log.warn({ err, pending: this.queue.length, failures: this.failures }, 'usage ledger write failed; will retry');
      throw err;
    } finally {
      this.oldestQueuedAt = this.queue.length ? (this.oldestQueuedAt ?? Date.now()) : undefined;
    }
  }

  private async writeOneByOne(batch: LedgerEvent[], repo: UsageEventRepository): Promise<void> {
    for (const [i, event] of batch.entries()) {
      try {
        await repo.insertBatch([event]);
        this.written++;
      } catch (err) {
        if (!isDataError(err)) {
          this.queue.unshift(...batch.slice(i));
          throw err;
        }
        this.log.error({ err, event }, 'usage ledger rejected an event as invalid; dropping it');
      }
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

/** SQLSTATE classes 22 (data exception) and 23 (integrity violation): retrying the same row cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
