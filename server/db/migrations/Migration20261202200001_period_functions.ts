import { Migration } from '@mikro-orm/migrations';

/**
 * The database's side of the period seam (server/usage/admission/period.ts):
 * the clock periods are read by, and a user's period as a function of their
 * `period_anchor`. Every function is a one-expression `language sql` body with
 * the volatility its body has, so the planner inlines it: the admission
 * statement plans as if the arithmetic were written in place, and a cached plan
 * is invalidated when a function is replaced (tests replace harmonic_now()).
 *
 * The arithmetic is done on UTC wall-clock `timestamp`s, where date_trunc and
 * month steps are immutable; a null anchor means the calendar month, which is
 * exactly the period of an anchor on the 1st at 00:00 UTC.
 */
export class Migration20261202200001_period_functions extends Migration {
  override up(): void {
    // The clock of admission and of every period read. Production never
    // redefines it; a test redefines it in its own database (server/testing/clock.ts).
    this.addSql(`create function harmonic_now() returns timestamptz language sql stable parallel safe as $$ select now() $$`);
    // A period of anchor `a` starts at a + k months for a whole k: month
    // arithmetic clamps the day to the target month's last day and keeps the
    // time of day, and k counts from the anchor itself, so a 31st falls on
    // 28/29 February and is back on 31 March (no drift). All in UTC wall-clock time.
    this.addSql(`
      create function harmonic_period_months(a timestamp, t timestamp) returns int
        language sql immutable parallel safe
        as $$ select ((date_part('year', t) - date_part('year', a)) * 12 + date_part('month', t) - date_part('month', a))::int $$`);
    // 0 if the period containing `t` starts in t's month, else -1: whether the
    // anchor's day and time in t's month (clamped) has been reached.
    this.addSql(`
      create function harmonic_period_shift(a timestamp, t timestamp) returns int
        language sql immutable parallel safe
        as $$ select case when least(date_trunc('month', t) + (date_part('day', a)::int - 1) * interval '1 day',
                                     date_trunc('month', t) + interval '1 month' - interval '1 day')
                               + (a - date_trunc('day', a)) <= t then 0 else -1 end $$`);
    this.addSql(`
      create function harmonic_period_start_utc(a timestamp, t timestamp) returns timestamp
        language sql immutable parallel safe
        as $$ select a + make_interval(months => harmonic_period_months(a, t) + harmonic_period_shift(a, t)) $$`);
    this.addSql(`
      create function harmonic_period_end_utc(a timestamp, t timestamp) returns timestamp
        language sql immutable parallel safe
        as $$ select a + make_interval(months => harmonic_period_months(a, t) + harmonic_period_shift(a, t) + 1) $$`);
    // The period containing `at` for a user anchored at `anchor` (null: the calendar month):
    // its first instant, the next period's first instant, and its key (the UTC date of its start).
    this.addSql(`
      create function harmonic_period_start(anchor timestamptz, at timestamptz) returns timestamptz
        language sql immutable parallel safe
        as $$ select harmonic_period_start_utc(coalesce(anchor at time zone 'utc', timestamp '2000-01-01'), at at time zone 'utc') at time zone 'utc' $$`);
    this.addSql(`
      create function harmonic_period_end(anchor timestamptz, at timestamptz) returns timestamptz
        language sql immutable parallel safe
        as $$ select harmonic_period_end_utc(coalesce(anchor at time zone 'utc', timestamp '2000-01-01'), at at time zone 'utc') at time zone 'utc' $$`);
    this.addSql(`
      create function harmonic_period_key(anchor timestamptz, at timestamptz) returns date
        language sql immutable parallel safe
        as $$ select harmonic_period_start_utc(coalesce(anchor at time zone 'utc', timestamp '2000-01-01'), at at time zone 'utc')::date $$`);
  }

  override down(): void {
    this.addSql(`drop function harmonic_period_key(timestamptz, timestamptz)`);
    this.addSql(`drop function harmonic_period_end(timestamptz, timestamptz)`);
    this.addSql(`drop function harmonic_period_start(timestamptz, timestamptz)`);
    this.addSql(`drop function harmonic_period_end_utc(timestamp, timestamp)`);
    this.addSql(`drop function harmonic_period_start_utc(timestamp, timestamp)`);
    this.addSql(`drop function harmonic_period_shift(timestamp, timestamp)`);
    this.addSql(`drop function harmonic_period_months(timestamp, timestamp)`);
    this.addSql(`drop function harmonic_now()`);
  }
}
