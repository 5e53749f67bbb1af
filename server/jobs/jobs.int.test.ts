import type { Logger } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../db/orm.ts';
import { createLogger } from '../logger.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { waitForJob } from '../testing/jobs.ts';
import { Jobs, type JobsMetrics } from './service.ts';

let db: TestDatabase;
let orm: Orm;
const logs: string[] = [];
let logger: Logger;
const started: Jobs[] = [];

/** A Jobs instance on the test database, polling often so retries are picked up promptly. */
function newJobs(metrics?: JobsMetrics): Jobs {
  const jobs = new Jobs({ connectionString: db.url, logger, config: { pollingIntervalSeconds: 0.5, poolMax: 3 }, metrics, shutdownTimeoutMs: 30_000 });
  started.push(jobs);
  return jobs;
}

beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm({ clientUrl: db.url, poolMax: 3 });
  logger = createLogger({ logLevel: 'info' }, { write: (line: string) => void logs.push(line) });
});

afterAll(async () => {
  for (const jobs of started) await jobs.stop();
  await orm.close();
  await db.drop();
});

describe('jobs (pg-boss)', () => {
  it('runs a job enqueued in a committed transaction once, and never one whose transaction rolled back', async () => {
    const jobs = newJobs();
    const ran: string[] = [];
    jobs.work<{ label: string }>('test.tx', async ({ label }) => void ran.push(label));
    await jobs.start();

    let rolledBackId: string | null = null;
    await expect(
      orm.em.fork().transactional(async (tx) => {
        rolledBackId = await jobs.send(tx, 'test.tx', { label: 'rolled back' });
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    expect(rolledBackId).toEqual(expect.any(String));

    const committedId = await orm.em.fork().transactional((tx) => jobs.send(tx, 'test.tx', { label: 'committed' }));
    await waitForJob(jobs, 'test.tx', committedId ?? '');
    // A job sent after both, outside any transaction: once it has run, the queue holds nothing older.
    const laterId = await jobs.send(orm.em.fork(), 'test.tx', { label: 'later' });
    await waitForJob(jobs, 'test.tx', laterId ?? '');

    expect(ran.sort()).toEqual(['committed', 'later']);
    expect(await jobs.find('test.tx', rolledBackId ?? '')).toBeUndefined();
  });

  it('retries a failing handler with its policy until it succeeds, and counts each attempt', async () => {
    const counted: { queue: string; outcome: string }[] = [];
    const jobs = newJobs({ jobs: { inc: (labels) => void counted.push(labels) } });
    const attempts: number[] = [];
    jobs.work(
      'test.flaky',
      async (_data, job) => {
        attempts.push(job.retryCount);
        if (attempts.length < 3) throw new Error(`attempt ${attempts.length} fails`);
      },
      { retryLimit: 3, retryDelay: 1, retryBackoff: false },
    );
    await jobs.start();

    const id = await jobs.send(orm.em.fork(), 'test.flaky', {});
    const done = await waitForJob(jobs, 'test.flaky', id ?? '');
    expect(done).toMatchObject({ state: 'completed', retryCount: 2 });
    expect(attempts).toEqual([0, 1, 2]);
    expect(counted).toEqual([
      { queue: 'test.flaky', outcome: 'retried' },
      { queue: 'test.flaky', outcome: 'retried' },
      { queue: 'test.flaky', outcome: 'completed' },
    ]);
  });

  it('fails a job for good after its last retry, with a warn log naming the queue', async () => {
    const jobs = newJobs();
    let attempts = 0;
    jobs.work(
      'test.doomed',
      async () => {
        attempts += 1;
        throw new Error('always broken');
      },
      { retryLimit: 1, retryDelay: 1, retryBackoff: false },
    );
    await jobs.start();

    const id = await jobs.send(orm.em.fork(), 'test.doomed', {});
    const failed = await waitForJob(jobs, 'test.doomed', id ?? '', { states: ['failed', 'completed'] });
    expect(failed.state).toBe('failed');
    expect(attempts).toBe(2);
    const warn = logs.map((l) => JSON.parse(l) as { level: number; queue?: string; jobId?: string; msg: string }).find((l) => l.jobId === id && l.level === 40);
    expect(warn).toMatchObject({ queue: 'test.doomed', msg: 'job test.doomed failed for good after 2 attempts' });
  });

  it('keeps a job across a restart: enqueued on an instance that stops before running it, run by the next', async () => {
    const first = newJobs();
    await first.start();
    const id = await first.send(orm.em.fork(), 'test.durable', { n: 1 });
    await first.stop();
    // Nothing of pg-boss is running now; the job is a row, waiting.
    expect(await orm.em.fork().execute(`select state::text from pgboss.job where id = ?`, [id])).toEqual([{ state: 'created' }]);

    const second = newJobs();
    const ran: unknown[] = [];
    second.work<{ n: number }>('test.durable', async (data) => void ran.push(data));
    await second.start();
    await waitForJob(second, 'test.durable', id ?? '');
    expect(ran).toEqual([{ n: 1 }]);
  });

  it('runs each job once when two instances work the same queue', async () => {
    const runs = new Map<string, string[]>();
    const instances = ['a', 'b'].map((name) => {
      const jobs = newJobs();
      jobs.work(
        'test.shared',
        async (_data, job) => void runs.set(job.id, [...(runs.get(job.id) ?? []), name]),
        { concurrency: 2 },
      );
      return jobs;
    });
    await Promise.all(instances.map((j) => j.start()));
    const [a] = instances;
    if (!a) throw new Error('no instance');

    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await a.send(orm.em.fork(), 'test.shared', { i })) ?? '');
    for (const id of ids) await waitForJob(a, 'test.shared', id);

    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(runs.get(id)).toHaveLength(1);
  });
});
