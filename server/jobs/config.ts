import { z } from 'zod';

/**
 * Environment for the durable jobs (server/jobs/). Merged into the one schema in
 * server/config.ts, so it is parsed at start-up with everything else.
 */
export const jobsEnvShape = {
  // pg-boss refuses less than half a second. New jobs wake workers at once through LISTEN/NOTIFY;
  // the poll is what picks up retries whose delay has passed, and the fallback when NOTIFY is lost.
  JOBS_POLL_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds from 0.5 to 60' })
    .min(0.5, 'must be a number of seconds from 0.5 to 60')
    .max(60, 'must be a number of seconds from 0.5 to 60')
    .default(2),
  JOBS_POOL_MAX: z.coerce.number().int('must be a whole number').min(2, 'must be from 2 to 100').max(100, 'must be from 2 to 100').default(5),
};

export interface JobsConfig {
  pollingIntervalSeconds: number;
  /** Connections of pg-boss's own pool (it keeps one more for LISTEN). */
  poolMax: number;
}

export function toJobsConfig(e: { JOBS_POLL_SECONDS: number; JOBS_POOL_MAX: number }): JobsConfig {
  return { pollingIntervalSeconds: e.JOBS_POLL_SECONDS, poolMax: e.JOBS_POOL_MAX };
}
