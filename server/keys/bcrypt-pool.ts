import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { AppError, retryAfterHeaders } from '../errors.ts';
import type { CompareTask, HashTask } from './bcrypt.worker.ts';

export interface BcryptPoolOptions {
  /** Worker threads; by default one fewer than the cores (at least one), so the event loop keeps a core. */
  threads?: number;
  /** Tasks that may wait for a thread; beyond that a call is refused with 503 instead of queueing forever. */
  maxQueue?: number;
}

const WORKER = fileURLToPath(new URL('./bcrypt.worker.ts', import.meta.url));

/**
 * bcrypt (bcryptjs, pure JavaScript) on worker threads. A compare costs tens of
 * milliseconds of CPU by design; on the event loop every such compare stalls
 * every other request, cached keys included. Here the event loop only waits.
 * One pool per server (Services); admin passwords can share it.
 */
export class BcryptPool {
  private readonly pool: Piscina<CompareTask | HashTask, boolean | string>;
  /** Compares started, for tests and benchmarks: what a flood of bad keys actually cost. */
  compares = 0;

  constructor(opts: BcryptPoolOptions = {}) {
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    this.pool = new Piscina({
      filename: WORKER,
      // Threads start with the first task (a CLI command or a test server may never need one) and stay
      // while there is work.
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 60_000,
      maxQueue: opts.maxQueue ?? threads * 32,
      // The threads run only bcrypt; under CPU contention the event loop (and PostgreSQL) go first.
      niceIncrement: 5,
    });
  }

  async compare(plaintext: string, hash: string): Promise<boolean> {
    this.compares++;
    return (await this.run({ plaintext, hash }, 'compare')) as boolean;
  }

  async hash(plaintext: string, cost: number): Promise<string> {
    return (await this.run({ plaintext, cost }, 'hash')) as string;
  }

  /** Tasks waiting for a thread. */
  get queueSize(): number {
    return this.pool.queueSize;
  }

  async close(): Promise<void> {
    // close(), not destroy(): a verification still running at shutdown finishes instead of failing.
    await this.pool.close();
  }

  private async run(task: CompareTask | HashTask, name: 'compare' | 'hash'): Promise<boolean | string> {
    try {
      return await this.pool.run(task, { name });
    } catch (err) {
      // Piscina's own refusal when the queue is full; anything else (a crashed thread) is a real error.
      if (err instanceof Error && err.message === 'Task queue is at limit') {
        throw new AppError('SERVICE_UNAVAILABLE', 'Too many key and password checks in progress; retry shortly', {
          headers: retryAfterHeaders(1),
          cause: err,
        });
      }
      throw err;
    }
  }
}
