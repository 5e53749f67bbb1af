/**
 * The one place where a usage period's boundaries are decided: admission (SQL),
 * the rate-limit headers, the quota state, reporting and resets all ask here.
 * Today a period is a calendar month in UTC, named by its first day
 * (YYYY-MM-DD), by the database clock for admission. A later billing rule that
 * anchors periods to a subscription changes this file and nothing else.
 */

/**
 * The period containing the SQL timestamp expression `at`, as a `date`
 * (its first day). `PERIOD_SQL` is the current period by the database clock;
 * every admission statement and the reporting SQL use these, never their own copy.
 */
export function periodSql(at = 'now()'): string {
  return `date_trunc('month', ${at} at time zone 'utc')::date`;
}

export const PERIOD_SQL = periodSql();

export interface Period {
  /** YYYY-MM-DD, the first day: the key of counters and ledger partitions. */
  key: string;
  start: Date;
  /** The next period's start: when the quota resets. */
  end: Date;
  /** Length in seconds (the RateLimit-Policy window). */
  seconds: number;
}

/** The period containing `at`. */
export function periodFor(at: Date): Period {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { key: start.toISOString().slice(0, 10), start, end, seconds: (end.getTime() - start.getTime()) / 1000 };
}

/** The period a statement named by its key (the `period` column it returned). */
export function periodOfKey(key: string): Period {
  return periodFor(new Date(`${key}T00:00:00Z`));
}

export function periodStart(at: Date): Date {
  return periodFor(at).start;
}

export function nextPeriodStart(at: Date): Date {
  return periodFor(at).end;
}

export function periodKey(at: Date): string {
  return periodFor(at).key;
}

/** Length of the period containing `at`, in seconds. */
export function periodSeconds(at: Date): number {
  return periodFor(at).seconds;
}

/**
 * The `users.period_anchor` to store for a live subscription: its next renewal
 * (`renews_at`), moved back one month to the true billing day when a short
 * month clamped it (billing day 31, renewal on 28 February → 31 January). Every
 * month shorter than 31 days follows a 31-day month, so one step back always
 * lands on the billing day itself.
 */
export function subscriptionAnchor(renewsAt: Date, billingDay: number | null): Date {
  if (billingDay === null || billingDay <= renewsAt.getUTCDate()) return renewsAt;
  return new Date(
    Date.UTC(
      renewsAt.getUTCFullYear(),
      renewsAt.getUTCMonth() - 1,
      billingDay,
      renewsAt.getUTCHours(),
      renewsAt.getUTCMinutes(),
      renewsAt.getUTCSeconds(),
      renewsAt.getUTCMilliseconds(),
    ),
  );
}
