import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { isStorableText, toStorableText } from '../../../shared/text.ts';
import { isBadDataError } from '../../db/errors.ts';
import type { Orm } from '../../db/orm.ts';
import type { FieldIssue } from '../../errors.ts';
import { UsageEvent } from '../entity.ts';
import type { FiredAlertRow, LedgerEvent, LedgerRepository } from './repository.ts';

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
 * What a row holds is checked before admission (ledgerIssues), so the database
 * should never refuse one; if it still does for a data reason, the batch is
 * written row by row and a refused row is written again repaired (text made
 * storable, lengths and numbers clamped), so one bad row can neither hold the
 * rest hostage nor leave the counter ahead of the ledger.
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
  /** Rows the database refused as they were and took once repaired (each is logged). */
  repaired = 0;
  /** Rows it refused even repaired: a bug, logged at error level with the row. */
  lost = 0;
  /**
   * Called after each successful write with the quota alerts it fired
   * (server/alerts/service.ts queues their announcements). A failure here is
   * logged and left to the alerts' sweep: the rows are already committed.
   */
  onAlerts: ((rows: FiredAlertRow[]) => Promise<void>) | undefined;

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
      const fired = await repo.insertBatch(batch);
      this.written += batch.length;
      this.failures = 0;
      await this.announce(fired);
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

  private async writeOneByOne(batch: LedgerEvent[], repo: LedgerRepository): Promise<void> {
    for (const [i, event] of batch.entries()) {
      try {
        await this.writeOne(event, repo);
      } catch (err) {
        this.queue.unshift(...batch.slice(i));
        throw err;
      }
    }
  }

  /** One row; throws only for a reason other than its data (the caller keeps it queued). */
  private async writeOne(event: LedgerEvent, repo: LedgerRepository): Promise<void> {
    try {
      const fired = await repo.insertBatch([event]);
      this.written++;
      await this.announce(fired);
      return;
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.log.warn({ err, event: describe(event) }, 'usage ledger refused an event; writing it repaired');
    }
    try {
      const fired = await repo.insertBatch([repaired(event)]);
      this.written++;
      this.repaired++;
      await this.announce(fired);
    } catch (err) {
      if (!isDataError(err)) throw err;
      this.lost++;
      this.log.error({ err, event: describe(event) }, 'usage ledger refused an event even repaired; the counter is now ahead of the ledger');
    }
  }

  /** Never throws: the batch is written, so it must not be retried (the sweep announces what this misses). */
  private async announce(fired: FiredAlertRow[]): Promise<void> {
    if (fired.length === 0 || !this.onAlerts) return;
    try {
      await this.onAlerts(fired);
    } catch (err) {
      this.log.warn({ err, alerts: fired.length }, 'could not queue the announcement of quota alerts; the alerts sweep will');
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

/** Bad data (see server/db/errors.ts) or an integrity violation (class 23): retrying the same row cannot help. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return isBadDataError(err) || (typeof code === 'string' && code.startsWith('23'));
}

/** The ledger's column limits (usage_events): varchar(200) endpoint, varchar(10) method, integer columns. */
const LIMITS = { endpoint: 200, method: 10, int: 2_147_483_647 };

const fits = (s: string, max: number) => isStorableText(s) && [...s].length <= max;

/**
 * What would make the database refuse this call's ledger row, as field issues;
 * empty when it will be stored. Checked before admission, so that a call the
 * ledger cannot record is never counted.
 */
export function ledgerIssues(call: { endpoint: string; method: string; sources: string[]; units: number }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!fits(call.endpoint, LIMITS.endpoint)) issues.push({ field: 'endpoint', message: `must be storable text of at most ${LIMITS.endpoint} characters` });
  if (!fits(call.method, LIMITS.method)) issues.push({ field: 'method', message: `must be storable text of at most ${LIMITS.method} characters` });
  call.sources.forEach((s, i) => {
    if (!isStorableText(s)) issues.push({ field: `sources.${i}`, message: 'must be storable text' });
  });
  if (!Number.isInteger(call.units) || call.units < 1 || call.units > LIMITS.int) issues.push({ field: 'units', message: 'must be a whole number from 1' });
  return issues;
}

const clampInt = (n: number, min: number) => (Number.isFinite(n) ? Math.min(LIMITS.int, Math.max(min, Math.round(n))) : min);
const clip = (s: string, max: number) => [...toStorableText(s)].slice(0, max).join('');

/**
 * The row with everything the database could refuse made acceptable; who is
 * charged, for which period and how many units stay as they were, so the
 * counter and the ledger still agree.
 */
function repaired(e: LedgerEvent): LedgerEvent {
  return {
    ...e,
    clientIp: e.clientIp !== null && isIP(e.clientIp) ? e.clientIp : null,
    endpoint: clip(e.endpoint, LIMITS.endpoint),
    method: clip(e.method, LIMITS.method),
    sources: e.sources.map(toStorableText),
    status: Number.isInteger(e.status) && e.status >= 0 && e.status <= 32_767 ? e.status : 500,
    responseTimeMs: clampInt(e.responseTimeMs, 0),
    units: clampInt(e.units, 1),
  };
}

/** A row as it can be logged: its strings JSON-escaped, so the log line stays valid whatever they hold. */
function describe(e: LedgerEvent): Record<string, unknown> {
  return { ...e, endpoint: JSON.stringify(e.endpoint.slice(0, 300)), sources: e.sources.map((s) => JSON.stringify(s.slice(0, 100))) };
}
