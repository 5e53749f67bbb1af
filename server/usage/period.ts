/** A usage period is a calendar month in UTC, named by its first day (YYYY-MM-DD). */
export function periodStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

export function nextPeriodStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export function periodKey(at: Date): string {
  return periodStart(at).toISOString().slice(0, 10);
}

/** Length of the period containing `at`, in seconds (the RateLimit-Policy window). */
export function periodSeconds(at: Date): number {
  return (nextPeriodStart(at).getTime() - periodStart(at).getTime()) / 1000;
}

/**
 * The same period in SQL: this calendar month, UTC, by the database clock. Every
 * statement that names the current period uses this one expression, so admission,
 * reporting and resets can never disagree on which month it is.
 */
export const PERIOD = `date_trunc('month', now() at time zone 'utc')::date`;
