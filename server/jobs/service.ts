import type { EntityManager } from '@mikro-orm/core';
import type { Transaction } from 'kysely';
import { fromKysely, PgBoss, type JobWithMetadata, type SendOptions as BossSendOptions } from 'pg-boss';
import type { Logger } from 'pino';
import type { JobsConfig } from './config.ts';

/** The schema pg-boss keeps its tables in, beside the app's `public` one in the same database. */
export const JOBS_SCHEMA = 'pgboss';

export interface JobInfo {
  id: string;
  /** How many times the job has been retried: 0 on the first attempt. */
  retryCount: number;
}

export type JobHandler<D> = (data: D, job: JobInfo) => Promise<void>;

/** The queue's retry policy and limits; pg-boss stores them on the queue and copies them onto each job. */
export interface WorkOptions {
  /** Retries after the first attempt before the job is failed for good. */
  retryLimit?: number;
  /** Seconds before a retry; with `retryBackoff`, the first of exponentially growing delays. */
  retryDelay?: number;
  retryBackoff?: boolean;
  /** With `retryBackoff`, the longest delay in seconds. */
  retryDelayMax?: number;
  /** How long an attempt may run before it counts as failed (a crashed instance's job is retried after this). */
  expireInSeconds?: number;
  /** How long a completed job is kept (pg-boss's default: 7 days). */
  deleteAfterSeconds?: number;
  /** Handlers of this queue running at once in this process. */
  concurrency?: number;
}

/** What `send` accepts beside the data: when to run, and de-duplication by key. */
export type SendOptions = Pick<BossSendOptions, 'startAfter' | 'singletonKey' | 'singletonSeconds' | 'priority'>;

export type JobState = JobWithMetadata['state'];

export interface JobsMetrics {
  jobs: { inc(labels: { queue: string; outcome: 'completed' | 'retried' | 'failed' }): void };
}

interface Registration {
  name: string;
  handler: JobHandler<unknown>;
  opts: WorkOptions;
}

const QUEUE_DEFAULTS = { retryLimit: 3, retryDelay: 10, retryBackoff: true, expireInSeconds: 15 * 60 } as const;

/**
 * Durable background jobs on PostgreSQL, through pg-boss: the jobs live in the
 * app's own database (schema `pgboss`), so they survive restarts, and each is
 * claimed by one instance at a time (SKIP LOCKED), so several instances on one
 * database run it once. A job enqueued inside the caller's transaction commits
 * or rolls back with it.
 *
 * Delivery is at least once: a handler whose instance dies mid-run is retried
 * when its attempt expires, so handlers must be safe to run again.
 */
export class Jobs {
  private boss: PgBoss | undefined;
  private starting: Promise<void> | undefined;
  private sendOnly = false;
  private readonly registrations = new Map<string, Registration>();
  private readonly schedules = new Map<string, string>();
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly connectionString: string;
  private readonly logger: Logger;
  private readonly config: JobsConfig;
  private readonly metrics: JobsMetrics | undefined;
  private readonly shutdownTimeoutMs: number;

  constructor(deps: { connectionString: string; logger: Logger; config: JobsConfig; metrics?: JobsMetrics; shutdownTimeoutMs?: number }) {
    this.connectionString = deps.connectionString;
    this.logger = deps.logger.child({ component: 'jobs' });
    this.config = deps.config;
    this.metrics = deps.metrics;
    this.shutdownTimeoutMs = deps.shutdownTimeoutMs ?? 10_000;
  }

  /**
   * Registers the handler of queue `name` (one per name). Before `start` it is
   * remembered and starts with the service; after, it starts at once (`ready()`
   * resolves when it has). The queue is created if missing, and its retry policy
   * set to `opts`, so the code that handles a queue owns its policy.
   */
  work<D>(name: string, handler: JobHandler<D>, opts: WorkOptions = {}): void {
    if (this.registrations.has(name)) throw new Error(`queue ${name} already has a handler`);
    const registration: Registration = { name, handler: handler as JobHandler<unknown>, opts };
    this.registrations.set(name, registration);
    if (this.boss && !this.sendOnly) this.track(this.startWorker(this.boss, registration));
  }

  /**
   * Runs queue `name` on a cron schedule (UTC, minute granularity), e.g. `* * * * *`
   * for every minute. pg-boss keeps the schedule in the database and sends one
   * job per occurrence whatever the number of instances; its handler is the one
   * `work` registered.
   */
  schedule(name: string, cron: string): void {
    this.schedules.set(name, cron);
    if (this.boss && !this.sendOnly) this.track(this.startSchedule(this.boss, name, cron));
  }

  /** Stops this instance working queue `name`, waiting for a running handler; jobs wait for another worker. */
  async offWork(name: string): Promise<void> {
    this.registrations.delete(name);
    await this.registered();
    await this.boss?.offWork(name, { wait: true });
  }

  /**
   * Enqueues a job and returns its id (null when `singletonKey` found it already
   * queued). When `em` is inside a transaction the job is written on that
   * transaction's connection, so it exists only if the caller's work commits;
   * otherwise it is written on its own.
   */
  async send<D extends object>(em: EntityManager, name: string, data: D, opts: SendOptions = {}): Promise<string | null> {
    const boss = this.started();
    await this.ensureQueue(boss, name);
    // MikroORM's transaction is a Kysely one; pg-boss's adapter runs the insert on its connection.
    const trx = em.getTransactionContext<Transaction<unknown>>();
    return boss.send(name, data, { ...opts, ...(trx ? { db: fromKysely(trx) } : {}) });
  }

  /** A job's state, for tests and operators: created, retry, active, completed, cancelled or failed. */
  async find(name: string, id: string): Promise<{ state: JobState; retryCount: number; output: unknown } | undefined> {
    const [job] = await this.started().findJobs(name, { id });
    return job && { state: job.state, retryCount: job.retryCount, output: job.output };
  }

  /** Jobs waiting and running, per registered queue (pg-boss's counts, refreshed by its monitor). */
  async depths(): Promise<{ queue: string; queued: number; active: number }[]> {
    if (!this.boss || this.registrations.size === 0) return [];
    const queues = await this.boss.getQueues([...this.registrations.keys()]);
    return queues.map((q) => ({ queue: q.name, queued: q.queuedCount, active: q.activeCount }));
  }

  /** Resolves once every handler registered so far is polling. */
  async ready(): Promise<void> {
    await this.starting;
    await this.registered();
  }

  /**
   * Installs or migrates pg-boss's schema (under an advisory lock, so instances may race) and starts the handlers.
   * `workers: false` only opens the queue for sending (the CLI): this process then runs no job, and
   * handlers registered later stay unstarted.
   */
  start(opts: { workers?: boolean } = {}): Promise<void> {
    if (opts.workers === false) this.sendOnly = true;
    this.starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.connectionString,
        schema: JOBS_SCHEMA,
        max: this.config.poolMax,
        application_name: 'harmonic-jobs',
        useListenNotify: true,
        // OpenTelemetry is not set up in Harmonic; /metrics counts jobs instead.
        openTelemetry: { enabled: false },
        // A send-only process (the CLI) leaves maintenance and cron to the servers.
        ...(this.sendOnly ? { supervise: false, schedule: false } : {}),
      });
      boss.on('error', (err) => this.logger.error({ err }, 'job queue error'));
      boss.on('warning', (warning) => this.logger.warn({ warning: warning.data }, `job queue warning: ${warning.message}`));
      await boss.start();
      this.boss = boss;
      if (this.sendOnly) return;
      for (const registration of this.registrations.values()) this.track(this.startWorker(boss, registration));
      for (const [name, cron] of this.schedules) this.track(this.startSchedule(boss, name, cron));
      await this.registered();
    })();
    return this.starting;
  }

  /** Stops fetching, lets running handlers finish (up to the shutdown timeout), and closes pg-boss's pool. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await Promise.allSettled([...this.pending]);
    const boss = this.boss;
    this.boss = undefined;
    this.starting = undefined;
    this.queues.clear();
    // pg-boss waits at least a second however small the timeout.
    await boss?.stop({ graceful: true, close: true, timeout: this.shutdownTimeoutMs });
  }

  private async registered(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  /** Whether jobs can be sent: start() has run (workers or send-only). */
  get open(): boolean {
    return this.boss !== undefined;
  }

  private started(): PgBoss {
    if (!this.boss) throw new Error('jobs are not started (services.jobs.start())');
    return this.boss;
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err: unknown) => this.logger.error({ err }, 'could not start a job handler'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Creates the queue once per process (creation is idempotent in pg-boss), with the registered policy if any. */
  private ensureQueue(boss: PgBoss, name: string): Promise<void> {
    let created = this.queues.get(name);
    if (!created) {
      created = (async () => {
        const opts = this.registrations.get(name)?.opts ?? {};
        const policy = {
          retryLimit: opts.retryLimit ?? QUEUE_DEFAULTS.retryLimit,
          retryDelay: opts.retryDelay ?? QUEUE_DEFAULTS.retryDelay,
          retryBackoff: opts.retryBackoff ?? QUEUE_DEFAULTS.retryBackoff,
          expireInSeconds: opts.expireInSeconds ?? QUEUE_DEFAULTS.expireInSeconds,
          ...(opts.deleteAfterSeconds === undefined ? {} : { deleteAfterSeconds: opts.deleteAfterSeconds }),
          ...(opts.retryDelayMax === undefined ? {} : { retryDelayMax: opts.retryDelayMax }),
          notify: true,
        };
        await boss.createQueue(name, policy);
        // createQueue leaves an existing queue alone; the handler's policy is the one that counts.
        if (this.registrations.has(name)) await boss.updateQueue(name, policy);
      })();
      this.queues.set(name, created);
      created.catch(() => this.queues.delete(name));
    }
    return created;
  }

  private async startSchedule(boss: PgBoss, name: string, cron: string): Promise<void> {
    await this.ensureQueue(boss, name);
    // An upsert: every instance declares the same schedule at start, and the last one's wins.
    await boss.schedule(name, cron, null, { tz: 'UTC' });
  }

  private async startWorker(boss: PgBoss, { name, handler, opts }: Registration): Promise<void> {
    await this.ensureQueue(boss, name);
    await boss.work(
      name,
      {
        includeMetadata: true,
        batchSize: 1,
        localConcurrency: opts.concurrency ?? 1,
        pollingIntervalSeconds: this.config.pollingIntervalSeconds,
        // NOTIFY wakes a worker for a new job, not for a retry whose delay has passed: only the poll
        // finds those, so it must not slow down to pg-boss's 30 s backstop while NOTIFY is up.
        notifyPollingIntervalSeconds: this.config.pollingIntervalSeconds,
      },
      async ([job]: JobWithMetadata<unknown>[]) => {
        if (!job) return;
        try {
          await handler(job.data, { id: job.id, retryCount: job.retryCount });
          this.metrics?.jobs.inc({ queue: name, outcome: 'completed' });
        } catch (err) {
          const final = job.retryCount >= job.retryLimit;
          this.metrics?.jobs.inc({ queue: name, outcome: final ? 'failed' : 'retried' });
          const fields = { err, queue: name, jobId: job.id, attempt: job.retryCount + 1, attempts: job.retryLimit + 1 };
          if (final) this.logger.warn(fields, `job ${name} failed for good after ${job.retryCount + 1} attempts`);
          else this.logger.info(fields, `job ${name} failed; will retry`);
          throw err;
        }
      },
    );
  }
}
