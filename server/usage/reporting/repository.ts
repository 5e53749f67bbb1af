import { EntityRepository, type EntityManager } from '@mikro-orm/postgresql';
import { nativePool } from '../../db/pool.ts';
import { UsageEvent } from '../entity.ts';
import { earliestPeriodKeySql, isCurrentPeriodSql, periodKeySql } from '../admission/period.ts';

export interface AnalyticsRows {
  daily: { date: string; requests: number; units: number; errors: number }[];
  byEndpoint: { key: string; requests: number; units: number }[];
  bySource: { key: string; requests: number; units: number }[];
  byStatus: { key: string; requests: number; units: number }[];
  latency: { avg: number | null; p95: number | null };
  /** Refused calls per day of the window (refusal_counters), every day present. */
  refused: { date: string; overQuota: number; suspended: number; keyInvalid: number }[];
}

/**
 * The reporting side of usage: every read behind the dashboards (the ledger,
 * the counters, revenue by tier) and the admin's reset of a counter. None of it
 * is on the admission path; the keyed request never waits on these statements.
 */
export class ReportingRepository extends EntityRepository<UsageEvent> {
  /**
   * Per-day counts, breakdowns and latency for one user (or everyone, for
   * `userId` null) over the last `days` UTC days, today included.
   */
  async analytics(userId: string | null, days: number): Promise<AnalyticsRows> {
    const pool = await nativePool(this.em);
    // `period >= …` lets PostgreSQL skip ledger partitions older than the window.
    const scope = `e.created_at >= $2 and e.period >= ${earliestPeriodKeySql('$2::timestamptz')}
                   and ($1::uuid is null or e.user_id = $1)`;
    const params = [userId, startOfUtcDay(days)];
    const [daily, byEndpoint, bySource, byStatus, latency, refused] = await Promise.all([
      pool.query(
        `select to_char(d.day, 'YYYY-MM-DD') as date,
                coalesce(a.requests, 0)::int as requests, coalesce(a.units, 0)::int as units, coalesce(a.errors, 0)::int as errors
           from generate_series($2::timestamptz at time zone 'utc', (now() at time zone 'utc')::date, interval '1 day') as d(day)
           left join (
             select (e.created_at at time zone 'utc')::date as day, count(*) as requests, sum(e.units) as units,
                    count(*) filter (where e.status >= 400) as errors
               from usage_events e where ${scope} group by 1
           ) a on a.day = d.day::date
          order by d.day`,
        params,
      ),
      pool.query(
        `select e.endpoint as key, count(*)::int as requests, sum(e.units)::int as units
           from usage_events e where ${scope} group by 1 order by 2 desc, 1 limit 50`,
        params,
      ),
      pool.query(
        `select s as key, count(*)::int as requests, sum(e.units)::int as units
           from usage_events e, unnest(e.sources) as s where ${scope} group by 1 order by 2 desc, 1 limit 50`,
        params,
      ),
      pool.query(
        `select e.status::text as key, count(*)::int as requests, sum(e.units)::int as units
           from usage_events e where ${scope} group by 1 order by 2 desc, 1`,
        params,
      ),
      pool.query(
        `select round(avg(e.response_time_ms))::int as avg,
                round(percentile_cont(0.95) within group (order by e.response_time_ms))::int as p95
           from usage_events e where ${scope}`,
        params,
      ),
      // Days × reasons rows per user at most, so a flood of refusals costs this read nothing.
      pool.query(
        `select to_char(d.day, 'YYYY-MM-DD') as date,
                coalesce(sum(r.count) filter (where r.reason = 'over_quota'), 0)::int as "overQuota",
                coalesce(sum(r.count) filter (where r.reason = 'suspended'), 0)::int as suspended,
                coalesce(sum(r.count) filter (where r.reason = 'key_invalid'), 0)::int as "keyInvalid"
           from generate_series($2::timestamptz at time zone 'utc', (now() at time zone 'utc')::date, interval '1 day') as d(day)
           left join refusal_counters r on r.day = d.day::date and ($1::uuid is null or r.user_id = $1)
          group by d.day
          order by d.day`,
        params,
      ),
    ]);
    return {
      daily: daily.rows,
      byEndpoint: byEndpoint.rows,
      bySource: bySource.rows,
      byStatus: byStatus.rows,
      latency: latency.rows[0] ?? { avg: null, p95: null },
      refused: refused.rows,
    };
  }

  /** The admin dashboard's numbers over the last `days` UTC days, all from the ledger and the counters. */
  async overview(days: number): Promise<OverviewRows> {
    const pool = await nativePool(this.em);
    const since = startOfUtcDay(days);
    const scope = `e.created_at >= $1 and e.period >= ${earliestPeriodKeySql('$1::timestamptz')}`;
    // The headline's "today" and "this month" are calendar-wide (UTC, by when calls were made), not
    // anyone's quota period: subscribers' periods start on other days, so the rows are bounded by time.
    const month = `date_trunc('month', now() at time zone 'utc') at time zone 'utc'`;
    const [headline, series, bySource, topUsers, nearQuota, revenue] = await Promise.all([
      pool.query<OverviewRows['headline']>(
        `select
           (select count(*)::int from usage_events e
             where e.created_at >= date_trunc('day', now() at time zone 'utc') at time zone 'utc'
               and e.period >= ${earliestPeriodKeySql('now()')}) as requests_today,
           (select count(*)::int from usage_events e
             where e.created_at >= ${month} and e.period >= ${earliestPeriodKeySql('now()')}) as requests_this_month,
           (select count(*)::int from api_keys k join users u on u.id = k.user_id
             where k.revoked_at is null and (k.expires_at is null or k.expires_at > now()) and u.deleted_at is null) as active_keys,
           (select count(*)::int from users where deleted_at is null) as users,
           (select count(*)::int from usage_events e where ${scope}) as requests,
           (select count(*)::int from usage_events e where ${scope} and e.status >= 400) as errors,
           (select round(percentile_cont(0.5) within group (order by e.response_time_ms))::int from usage_events e where ${scope}) as p50_ms,
           (select round(percentile_cont(0.95) within group (order by e.response_time_ms))::int from usage_events e where ${scope}) as p95_ms`,
        [since],
      ),
      pool.query<OverviewRows['daily'][number]>(
        `select to_char(d.day, 'YYYY-MM-DD') as date,
                coalesce(a.ok, 0)::int as ok, coalesce(a.client_errors, 0)::int as client_errors,
                coalesce(a.server_errors, 0)::int as server_errors, coalesce(a.demo, 0)::int as demo
           from generate_series($1::timestamptz at time zone 'utc', (now() at time zone 'utc')::date, interval '1 day') as d(day)
           left join (
             select (e.created_at at time zone 'utc')::date as day,
                    count(*) filter (where e.status < 400) as ok,
                    count(*) filter (where e.status >= 400 and e.status < 500) as client_errors,
                    count(*) filter (where e.status >= 500) as server_errors,
                    count(*) filter (where e.user_id is null) as demo
               from usage_events e where ${scope} group by 1
           ) a on a.day = d.day::date
          order by d.day`,
        [since],
      ),
      pool.query<{ date: string; source: string; requests: number }>(
        `select to_char((e.created_at at time zone 'utc')::date, 'YYYY-MM-DD') as date, s as source, count(*)::int as requests
           from usage_events e, unnest(e.sources) s where ${scope} group by 1, 2 order by 1, 2`,
        [since],
      ),
      pool.query<OverviewRows['topUsers'][number]>(
        `select u.id as user_id, u.email, t.name as tier, count(*)::int as requests
           from usage_events e join users u on u.id = e.user_id join tiers t on t.id = u.tier_id
          where ${scope} group by u.id, u.email, t.name order by requests desc, u.email limit 10`,
        [since],
      ),
      pool.query<OverviewRows['nearQuota'][number]>(
        `select u.id as user_id, u.email, t.name as tier, c.used, t.monthly_quota as quota
           from usage_counters c join users u on u.id = c.user_id join tiers t on t.id = u.tier_id
          where ${isCurrentPeriodSql('c.period', 'u.period_anchor')} and u.deleted_at is null
            and t.monthly_quota is not null and c.used >= 0.8 * t.monthly_quota
          order by c.used::float / greatest(t.monthly_quota, 1) desc, u.email limit 50`,
      ),
      pool.query<OverviewRows['revenue'][number]>(
        `select t.id as tier_id, t.name as tier, t.price_cents, t.monthly_quota,
                count(u.id) filter (where u.status = 'active')::int as paying_users,
                count(u.id)::int as users
           from tiers t left join users u on u.tier_id = t.id and u.deleted_at is null
          group by t.id order by t.monthly_quota asc nulls last, t.name`,
      ),
    ]);
    return {
      headline: headline.rows[0] ?? { requests_today: 0, requests_this_month: 0, active_keys: 0, users: 0, requests: 0, errors: 0, p50_ms: null, p95_ms: null },
      daily: series.rows,
      dailyBySource: bySource.rows,
      topUsers: topUsers.rows,
      nearQuota: nearQuota.rows,
      revenue: revenue.rows,
    };
  }

  /** The count of a live user's own current period (0 if they have no counter yet); undefined when there is no such user. */
  async usedThisPeriod(userId: string): Promise<number | undefined> {
    const [row] = await this.em.execute<{ used: number | null }[]>(
      `select (select used from usage_counters where user_id = u.id and period = ${periodKeySql('u.period_anchor')}) as used
         from users u where u.id = ? and u.deleted_at is null`,
      [userId],
    );
    return row ? (row.used ?? 0) : undefined;
  }

  /**
   * Starts the counter of the user's own current period at zero and records
   * when, so it keeps matching the ledger rows written since.
   */
  async resetCounter(userId: string): Promise<void> {
    await this.em.execute(
      `insert into usage_counters (user_id, period, used, reset_at, updated_at)
       select u.id, ${periodKeySql('u.period_anchor')}, 0, clock_timestamp(), now() from users u where u.id = ?
       on conflict (user_id, period) do update set used = 0, reset_at = excluded.reset_at, updated_at = excluded.updated_at`,
      [userId],
    );
  }
}

/** The reporting repository over `em` (and its transaction, if it is one). */
export function reportingRepository(em: EntityManager): ReportingRepository {
  return new ReportingRepository(em, UsageEvent);
}

export interface OverviewRows {
  headline: {
    requests_today: number;
    requests_this_month: number;
    active_keys: number;
    users: number;
    requests: number;
    errors: number;
    p50_ms: number | null;
    p95_ms: number | null;
  };
  daily: { date: string; ok: number; client_errors: number; server_errors: number; demo: number }[];
  dailyBySource: { date: string; source: string; requests: number }[];
  topUsers: { user_id: string; email: string; tier: string; requests: number }[];
  nearQuota: { user_id: string; email: string; tier: string; used: number; quota: number }[];
  revenue: { tier_id: string; tier: string; price_cents: number | null; monthly_quota: number | null; paying_users: number; users: number }[];
}

/** Midnight UTC, `days - 1` days ago: the first day of a window that ends today. */
export function startOfUtcDay(days: number, now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
}
