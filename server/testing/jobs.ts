import type { Jobs, JobState } from '../jobs/service.ts';

/**
 * Waits until a job reaches one of `states` (completed by default), polling
 * pg-boss. The deadline is a ceiling for a hang on a loaded machine, not a speed
 * target; it fails with the state the job was stuck in.
 */
export async function waitForJob(
  jobs: Jobs,
  name: string,
  id: string,
  { states = ['completed'], timeoutMs = 60_000 }: { states?: JobState[]; timeoutMs?: number } = {},
): Promise<{ state: JobState; retryCount: number; output: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobs.find(name, id);
    if (job && states.includes(job.state)) return job;
    if (Date.now() > deadline) throw new Error(`job ${name}/${id} did not reach ${states.join(' or ')} in ${timeoutMs} ms; it is ${job ? `${job.state} after ${job.retryCount} retries` : 'missing'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
