import type { Orm } from '../db/orm.ts';
import { UsageCounter } from './entities.ts';
import type { BatchAdmissionRow } from './repository.ts';

interface Waiting {
  keyId: string;
  resolve: (row: BatchAdmissionRow | undefined) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for admissions. A call is sent at once when no admission
 * statement is in flight; while one is, calls queue and the next statement
 * admits all of them together. At low load nothing waits; under load, one
 * round trip and one commit (one WAL flush, one row lock) serve many calls,
 * instead of each call queueing for the hot counter row on its own.
 */
export class AdmissionBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private readonly orm: Orm;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Calls admitted per statement, for the benchmark's report. */
  readonly batchSizes: number[] = [];

  constructor(opts: { orm: Orm; maxBatch: number; maxInFlight: number }) {
    this.orm = opts.orm;
    this.maxBatch = opts.maxBatch;
    this.maxInFlight = opts.maxInFlight;
  }

  /** The admission row for one single-unit call with this key; undefined if the key is no longer live. */
  admit(keyId: string): Promise<BatchAdmissionRow | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ keyId, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    try {
      const rows = await this.orm.em.fork().getRepository(UsageCounter).admitKeys(batch.map((w) => w.keyId));
      if (this.batchSizes.length < 100_000) this.batchSizes.push(batch.length);
      const bySeq = new Map(rows.map((r) => [r.seq, r]));
      batch.forEach((w, i) => w.resolve(bySeq.get(i + 1)));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}
