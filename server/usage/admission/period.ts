/**
 * The one place where a usage period's boundaries are decided: admission (SQL),
 * the rate-limit headers, the quota state, reporting and resets all ask here.
 *
 * A user without `users.period_anchor` (and every demo caller) has calendar
 * months in UTC. A user with one (a live subscription; billing writes it) has
 * periods from one renewal to the next: for anchor A and instant t, cand(M) is
 * the instant in month M on A's UTC day of the month (clamped to M's last day)
 * at A's UTC time of day, and t's period is [cand(M), cand(M+1)) when
 * cand(M) ≤ t, else [cand(M−1), cand(M)), M being t's month. A calendar month
 * is the period of an anchor on the 1st at 00:00 UTC.
 *
 * A period is named by its key, the UTC date of its start (the `period` column
 * of usage_counters, usage_events and usage_summaries), so each admitted call
 * is counted in exactly one row: the row of the period its user was in, by the
 * database clock, when the admission statement ran.
 *
 * The database computes periods with the functions of migration
 * Migration20261202200001_period_functions (inlined by the planner), by
 * `harmonic_now()`, the clock tests control (server/testing/clock.ts
 * setDatabaseClock). `anchoredPeriod` is their JS mirror, for code that has an
 * instant but no statement; period.int.test.ts checks that the two agree.
 */

/** The database clock periods are read by: now() in production, controllable by tests. */
export const DATABASE_NOW = 'harmonic_now()';

/**
 * SQL for the period of a user whose anchor is the SQL expression `anchor`
 * (a `timestamptz`, e.g. `u.period_anchor`; `null` for calendar months) at
 * the SQL instant `at`: its key (a `date`), first instant and end (`timestamptz`).
 */
export function periodKeySql(anchor: string, at = DATABASE_NOW): string {
  return `harmonic_period_key(${anchor}, ${at})`;
}

export function periodStartSql(anchor: string, at = DATABASE_NOW): string {
  return `harmonic_period_start(${anchor}, ${at})`;
}

export function periodEndSql(anchor: string, at = DATABASE_NOW): string {
  return `harmonic_period_end(${anchor}, ${at})`;
}

/**
 * The smallest key of any period holding an instant at or after the SQL
 * instant `since`: a period started at most one month before it, so on or
 * after the first of the month before. Ledger scans from `since` bound
 * `period` by this so PostgreSQL can skip older ledger partitions.
 */
export function earliestPeriodKeySql(since: string): string {
  return `(date_trunc('month', ${since} at time zone 'utc') - interval '1 month')::date`;
}

/**
 * SQL for "`column` is the key of the current period of the user whose anchor
 * is `anchor`". The first bound is redundant (every current period started at
 * most a month ago) but constant, so a scan over many users' counters can use
 * the period index instead of reading every past period's row.
 */
export function isCurrentPeriodSql(column: string, anchor: string): string {
  return `${column} >= ${earliestPeriodKeySql(DATABASE_NOW)} and ${column} = ${periodKeySql(anchor)}`;
}

export interface Period {
  /** YYYY-MM-DD, the UTC date of the start: the key of counters, ledger rows and summaries. */
  key: string;
  start: Date;
  /** The next period's start: when the quota resets. */
  end: Date;
  /** Length in seconds (the RateLimit-Policy window). */
  seconds: number;
}

/** A period from its two boundaries. */
export function periodBetween(start: Date, end: Date): Period {
  return { key: start.toISOString().slice(0, 10), start, end, seconds: (end.getTime() - start.getTime()) / 1000 };
}

/**
 * The period containing `at` for a user anchored at `anchor` (null: the
 * calendar month), to the millisecond. Mirrors harmonic_period_start/end:
 * a period starts at anchor + k months, month arithmetic clamping the day.
 */
export function anchoredPeriod(at: Date, anchor: Date | null): Period {
  const a = anchor ?? CALENDAR_ANCHOR;
  const months = (at.getUTCFullYear() - a.getUTCFullYear()) * 12 + at.getUTCMonth() - a.getUTCMonth();
  const k = addMonths(a, months).getTime() <= at.getTime() ? months : months - 1;
  return periodBetween(addMonths(a, k), addMonths(a, k + 1));
}

/** Calendar months are the periods of an anchor on the 1st at 00:00 UTC. */
const CALENDAR_ANCHOR = new Date(Date.UTC(2000, 0, 1));

/** `a` plus `n` months, UTC, on a's day of the month clamped to the target month's last day, at a's time of day (as PostgreSQL adds months). */
function addMonths(a: Date, n: number): Date {
  const year = a.getUTCFullYear();
  const month = a.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(
    Date.UTC(year, month, Math.min(a.getUTCDate(), lastDay), a.getUTCHours(), a.getUTCMinutes(), a.getUTCSeconds(), a.getUTCMilliseconds()),
  );
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
