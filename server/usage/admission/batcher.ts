/**
 * Group commit for admissions. A call is sent at once when no statement is in
 * flight; while one is, calls queue and the next statement admits all of them
 * together. At low load nothing waits; under load one round trip and one
 * commit (one WAL flush, one row lock) serve many calls, instead of each call
 * queueing for the hot counter row on its own.
 *
 * A statement serves one partition (one user, or one demo address): it names
 * one counter row, so in a sharded deployment it goes to one shard. The
 * in-flight limit is per partition too: it is what makes calls wait for one
 * hot row and share its next statement, while statements for other rows,
 * which never wait for each other's locks, go out at once. The oldest queued
 * call whose partition has room picks the partition; its queued calls join it.
 *
 * `run` receives the partition and its queued inputs in order and returns one
 * result per input (undefined where there is none, e.g. a key no longer live).
 */
export class AdmissionBatcher<Input, Result> {
  private queue: { input: Input; partition: string; resolve: (r: Result | undefined) => void; reject: (err: unknown) => void }[] = [];
  /** Statements in flight per partition (a partition with none has no entry). */
  private readonly inFlight = new Map<string, number>();
  private readonly partitionOf: (input: Input) => string;
  private readonly run: (partition: string, inputs: Input[]) => Promise<(Result | undefined)[]>;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  /** Calls per statement, for tests and the benchmark (the last 100,000). */
  readonly batchSizes: number[] = [];

  constructor(opts: {
    partition: (input: Input) => string;
    run: (partition: string, inputs: Input[]) => Promise<(Result | undefined)[]>;
    maxBatch: number;
    maxInFlight: number;
  }) {
    this.partitionOf = opts.partition;
    this.run = opts.run;
    this.maxBatch = opts.maxBatch;
    this.maxInFlight = opts.maxInFlight;
  }

  submit(input: Input): Promise<Result | undefined> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, partition: this.partitionOf(input), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (;;) {
      const next = this.queue.find((w) => (this.inFlight.get(w.partition) ?? 0) < this.maxInFlight);
      if (!next) return;
      const { partition } = next;
      const batch: typeof this.queue = [];
      const rest: typeof this.queue = [];
      for (const w of this.queue) (w.partition === partition && batch.length < this.maxBatch ? batch : rest).push(w);
      this.queue = rest;
      this.inFlight.set(partition, (this.inFlight.get(partition) ?? 0) + 1);
      if (this.batchSizes.length >= 100_000) this.batchSizes.shift();
      this.batchSizes.push(batch.length);
      this.run(partition, batch.map((w) => w.input)).then(
        (results) => batch.forEach((w, i) => w.resolve(results[i])),
        (err: unknown) => batch.forEach((w) => w.reject(err)),
      ).finally(() => {
        const left = (this.inFlight.get(partition) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(partition);
        else this.inFlight.set(partition, left);
        this.pump();
      });
    }
  }
}

/** Lines results up with their inputs by the 1-based `seq` the admission statement returns. */
export function bySeq<R extends { seq: number }>(rows: R[], count: number): (R | undefined)[] {
  const found = new Map(rows.map((r) => [r.seq, r]));
  return Array.from({ length: count }, (_, i) => found.get(i + 1));
}
