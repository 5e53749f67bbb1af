import { EntityRepository } from '@mikro-orm/postgresql';
import { nativePool, type Statement } from '../../db/pool.ts';
import type { DemoCounter, UsageCounter, UsageEvent } from '../entity.ts';
import { DATABASE_NOW, periodEndSql, periodKeySql, periodStartSql } from './period.ts';

/**
 * Every admission statement, keyed or demo, one call or many, answers in this
 * shape: one row per call that found a live caller, identified by `seq`.
 */
export interface AdmissionRow {
  /** 1-based position of the call in the statement. */
  seq: number;
  /** Whom the counter belongs to: the user id, or the demo caller's (normalised) address. */
  subject: string;
  user_status: 'active' | 'suspended';
  /** null = unlimited */
  quota: number | null;
  /** null for demo calls. */
  tier_name: string | null;
  /** YYYY-MM-DD, the period's key: the UTC date of its start. */
  period: string;
  /** The period's first instant and the next one's (when the quota resets), epoch ms, as the statement computed them. */
  period_start_ms: number;
  period_end_ms: number;
  /** Epoch ms when the database admitted the calls. */
  at_ms: number;
  /** The counter after this statement, if it wrote it; null if nothing fitted. */
  used_after: number | null;
  /** How many of the statement's calls got in: the first `admitted`, by `nth`. */
  admitted: number;
  /** The count as this statement saw it (for the headers of a refusal). */
  used_seen: number | null;
  /** This call's place among the statement's calls, from 1. */
  nth: number;
}

/**
 * Who is calling, as a statement's first CTE (`calls`: seq, user_status,
 * quota, tier_name, period_anchor; the anchor is the same on every row), and
 * which counter it charges.
 */
interface Caller {
  name: string;
  calls: string;
  counter: 'usage_counters' | 'demo_counters';
  /** The counter's key column; also its distribution column in a sharded deployment. */
  column: 'user_id' | 'client_ip';
  /** The counter's key value as SQL (a parameter, or an expression of parameters only). */
  subject: string;
}

/**
 * The one admission statement. For n calls of `$units` each on one counter row
 * (one user, or one demo address) it re-checks the caller, reads the quota as
 * it is now and, atomically under the row lock, admits
 * min(n, (quota − used) / units) of them: nothing is written when none fits.
 * A concurrent statement waits for the lock and re-evaluates against the
 * committed count, so admission is exact under any concurrency and any number
 * of instances. The counter records how many were asked for and admitted, and
 * RETURNING hands them back; the first `admitted` calls (by seq) are in.
 *
 * The period is decided here too, once (`per`; no row when there is no live
 * call, and then nothing is charged): from the caller's anchor as the
 * statement reads it and the database clock (./period.ts), so the row
 * charged, the key the ledger rows carry and the reset the headers announce
 * are one computation, the same on every instance.
 *
 * Sharding (Citus): the counter is named by a constant subject, so the write
 * and the read-back go to one shard; everything else the statement reads is a
 * reference table (the anchor is a column of users, one), and the period is an
 * expression of what it read, not a second shard key.
 */
function admissionStatement(caller: Caller, values: unknown[]): Statement {
  const { counter, column, subject } = caller;
  // How many of the batch fit on top of the existing row (unlimited: all of them).
  const fits = `least(excluded.batch_requested, coalesce((excluded.quota - c.used) / $2::int, excluded.batch_requested))`;
  return {
    name: caller.name,
    text: `
      with calls as (${caller.calls}
      ), per as (
        select ${periodKeySql('p.anchor', 'p.at')} as period, ${periodStartSql('p.anchor', 'p.at')} as starts, ${periodEndSql('p.anchor', 'p.at')} as ends
          from (select period_anchor as anchor, ${DATABASE_NOW} as at from calls limit 1) p
      ), grp as (
        select min(quota) as quota, count(*)::int as n from calls where user_status = 'active' having count(*) > 0
      ), fit as (
        select quota, n, least(n, coalesce(quota / $2::int, n)) as k from grp
      ), adm as (
        insert into ${counter} as c (${column}, period, used, quota, batch_requested, batch_admitted, updated_at)
        select ${subject}, per.period, k * $2::int, quota, n, k, now() from fit, per where k > 0
        on conflict (${column}, period) do update set
          batch_requested = excluded.batch_requested,
          batch_admitted = ${fits},
          used = c.used + ${fits} * $2::int,
          quota = excluded.quota,
          updated_at = excluded.updated_at
         where excluded.quota is null or c.used + $2::int <= excluded.quota
        returning c.used as used_after, c.batch_admitted as admitted
      )
      select calls.seq, (${subject})::text as subject, calls.user_status, calls.quota, calls.tier_name,
             per.period::text as period, (extract(epoch from per.starts) * 1000)::float8 as period_start_ms,
             (extract(epoch from per.ends) * 1000)::float8 as period_end_ms, (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
             (select used_after from adm) as used_after, coalesce((select admitted from adm), 0)::int as admitted,
             (select c.used from ${counter} c join per p on c.period = p.period where c.${column} = ${subject}) as used_seen,
             (row_number() over (order by calls.seq))::int as nth
        from calls, per`,
    values,
  };
}

/**
 * Keyed calls of one user, one key id per call: each key must still belong to
 * that user, be neither revoked nor expired, and the owner neither deleted nor
 * suspended (a suspended owner's calls come back with their status and are
 * not counted). The key cache already knows the user; naming it lets the
 * statement go to that user's shard, and the join re-checks that it is right.
 */
export function keyedAdmission(userId: string, keyIds: string[], units: number): Statement {
  return admissionStatement(
    {
      name: 'harmonic_admit_key',
      counter: 'usage_counters',
      column: 'user_id',
      subject: '$3::uuid',
      calls: `
        select r.seq::int as seq, u.status as user_status, t.monthly_quota as quota, t.name as tier_name, u.period_anchor
          from unnest($1::uuid[]) with ordinality as r(key_id, seq)
          join api_keys k on k.id = r.key_id and k.user_id = $3::uuid
          join users u on u.id = $3::uuid
          join tiers t on t.id = u.tier_id
         where k.revoked_at is null
           and (k.expires_at is null or k.expires_at > now())
           and u.deleted_at is null`,
    },
    [keyIds, units, userId],
  );
}

/**
 * `count` keyless demo calls from one client address, counted per address
 * (IPv6 per /64, since one host can use a whole /64). The demo quota is the
 * configured one, or else the default tier's quota as it is now.
 * Sharding (Citus): demo_counters is distributed by its own key, the
 * normalised address, which is an immutable expression of the parameter.
 */
export function demoAdmission(clientIp: string, count: number, units: number, configuredQuota: number | undefined): Statement {
  return admissionStatement(
    {
      name: 'harmonic_admit_demo',
      counter: 'demo_counters',
      column: 'client_ip',
      subject: `(case when family($3::inet) = 6 then network(set_masklen($3::inet, 64))::inet else $3::inet end)`,
      calls: `
        select r.seq::int as seq, 'active'::text as user_status, q.quota, null::text as tier_name, null::timestamptz as period_anchor
          from generate_series(1, $1::int) as r(seq),
               (select coalesce($4::int, (select monthly_quota from tiers where is_default), 0) as quota) q`,
    },
    [count, units, clientIp, configuredQuota ?? null],
  );
}

export class UsageCounterRepository extends EntityRepository<UsageCounter> {
  /** Admits `keyIds.length` keyed calls of `units` each for one user (see keyedAdmission). */
  async admit(userId: string, keyIds: string[], units: number): Promise<AdmissionRow[]> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<AdmissionRow>(keyedAdmission(userId, keyIds, units));
    return rows;
  }

  /** This period's count for a user, their tier's quota now and the period: what the headers would say. */
  async currentForUser(userId: string): Promise<CurrentUsageRow | undefined> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<CurrentUsageRow>(
      `select coalesce(c.used, 0) as used, t.monthly_quota as quota, t.name as tier_name, p.period::text as period,
              (extract(epoch from p.starts) * 1000)::float8 as period_start_ms, (extract(epoch from p.ends) * 1000)::float8 as period_end_ms,
              u.period_anchor is not null as anchored
         from users u
         join tiers t on t.id = u.tier_id
         cross join lateral (select ${periodKeySql('u.period_anchor')} as period, ${periodStartSql('u.period_anchor')} as starts,
                                    ${periodEndSql('u.period_anchor')} as ends) p
         left join usage_counters c on c.user_id = $1 and c.period = p.period
        where u.id = $1`,
      [userId],
    );
    return rows[0];
  }
}

export interface CurrentUsageRow {
  used: number;
  quota: number | null;
  tier_name: string;
  period: string;
  period_start_ms: number;
  period_end_ms: number;
  /** Whether the period follows a subscription (users.period_anchor is set). */
  anchored: boolean;
}

export class DemoCounterRepository extends EntityRepository<DemoCounter> {
  /** Admits `count` demo calls of `units` each from one address (see demoAdmission). */
  async admit(clientIp: string, count: number, units: number, configuredQuota: number | undefined): Promise<AdmissionRow[]> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<AdmissionRow>(demoAdmission(clientIp, count, units, configuredQuota));
    return rows;
  }
}

/** One admitted call, as the ledger records it. */
export interface LedgerEvent {
  period: string;
  userId: string | null;
  apiKeyId: string | null;
  clientIp: string | null;
  endpoint: string;
  method: string;
  sources: string[];
  status: number;
  responseTimeMs: number;
  units: number;
  createdAt: string;
  /**
   * The counter after this call (admission.used): the call covers the counts
   * (usedAfter − units, usedAfter], and since the counter is exact each count
   * is covered by exactly one call, whichever instance or batch admitted it.
   */
  usedAfter: number;
  /** The quota the call was admitted under (null = unlimited). */
  limit: number | null;
  /** The period charged, ISO: its first instant and the next one's. */
  periodStart: string;
  periodEnd: string;
}

// The period's bounds stay text (ISO, the same on every row of a period) until the alerts CTE casts
// the one it needs: parsing two timestamps per ledger row would cost the flush for nothing.
const LEDGER_ROWS = `
  select period, "apiKeyId", "clientIp", endpoint, method, sources, status, "responseTimeMs", units, "createdAt",
         "usedAfter", "limit", "periodStart", "periodEnd"
    from jsonb_to_recordset($1::jsonb) as x(
         period date, "apiKeyId" uuid, "clientIp" inet, endpoint text, method text,
         sources text[], status smallint, "responseTimeMs" integer, units integer, "createdAt" timestamptz,
         "usedAfter" bigint, "limit" integer, "periodStart" text, "periodEnd" text)`;

/** An alert the ledger flush fired: a threshold whose count one of the batch's calls covered. */
export interface FiredAlertRow {
  id: string;
  user_id: string;
  kind: 'percent' | 'count' | 'exhausted';
  value: number;
}

/**
 * The user's thresholds in force, parsed once per statement (kind, value):
 * their own list (users.alert_thresholds), else their tier's percentages.
 * Malformed entries are skipped rather than cast, so no stored list can make
 * the ledger's statement fail (the ledger must always be written).
 */
const THRESHOLDS = `
  select t.kind, t.value
    from (select k.kind, case when k.n between 1 and 2000000000 and k.n = trunc(k.n) then k.n::int end as value
            from (select e->>'kind' as kind, case when jsonb_typeof(e->'value') = 'number' then (e->>'value')::numeric end as n
                    from th, jsonb_array_elements(case when jsonb_typeof(th.list) = 'array' then th.list else '[]'::jsonb end) e) k) t
   where t.value is not null and (t.kind = 'count' or (t.kind = 'percent' and t.value <= 1000))`;

/**
 * One user's ledger rows, and in the same statement their keys' usage counts
 * and last-used times (key_usage), their monthly summaries, and the quota
 * alerts the calls fired, so none of them can disagree and the flush stays
 * one round trip. Every row written carries the user id as a constant, so in
 * a sharded deployment the statement goes to that user's shard.
 *
 * Alerts: a threshold fires in the call whose interval (usedAfter − units,
 * usedAfter] holds its count; the unique key (user, period, kind, value,
 * at_count) with `on conflict do nothing` makes it fire once per period
 * across every instance, batch and retried flush. The statement returns the
 * alerts it inserted, for the writer to announce (server/alerts/service.ts).
 */
export function userLedgerStatement(userId: string, events: LedgerEvent[]): Statement {
  return {
    name: 'harmonic_ledger_user',
    text: `
      with x as (${LEDGER_ROWS}
      ), ev as (
        insert into usage_events
               (period, user_id, api_key_id, client_ip, endpoint, method, sources, status, response_time_ms, units, created_at)
        select period, $2::uuid, "apiKeyId", "clientIp", endpoint, method, sources, status, "responseTimeMs", units, "createdAt"
          from x
        returning api_key_id, period, status, response_time_ms, units, created_at
      ), keys as (
        insert into key_usage as ku (user_id, key_id, usage_count, last_used_at)
        select $2::uuid, api_key_id, count(*), max(created_at) from ev where api_key_id is not null group by api_key_id
        on conflict (user_id, key_id) do update
           set usage_count = ku.usage_count + excluded.usage_count,
               last_used_at = greatest(ku.last_used_at, excluded.last_used_at)
        returning 1
      ), sums as (
        insert into usage_summaries as us (user_id, period, requests, units, errors, total_response_ms, updated_at)
        select $2::uuid, period, count(*), sum(units), count(*) filter (where status >= 400), sum(response_time_ms), now()
          from ev
         group by period
        on conflict (user_id, period) do update
           set requests = us.requests + excluded.requests,
               units = us.units + excluded.units,
               errors = us.errors + excluded.errors,
               total_response_ms = us.total_response_ms + excluded.total_response_ms,
               updated_at = excluded.updated_at
        returning 1
      ), th as (
        select coalesce(u.alert_thresholds,
                        (select coalesce(jsonb_agg(jsonb_build_object('kind', 'percent', 'value', p)), '[]'::jsonb)
                           from jsonb_array_elements(case when jsonb_typeof(t.alert_percents) = 'array' then t.alert_percents else '[]'::jsonb end) p)) as list
          from users u join tiers t on t.id = u.tier_id
         where u.id = $2::uuid
      ), tl as (${THRESHOLDS}
      ), span as (
        -- The counts the batch covers, per period and quota: a threshold outside them cannot have fired.
        select period, "limit", min("periodStart")::timestamptz as "periodStart", min("periodEnd")::timestamptz as "periodEnd",
               min("usedAfter" - units) as lo, max("usedAfter") as hi
          from x where "usedAfter" is not null group by period, "limit"
      ), cand as (
        select s.period, s."limit", s."periodStart", s."periodEnd", t.kind, t.value, t.at_count
          from span s
          cross join lateral (
            select tl.kind, tl.value,
                   case when tl.kind = 'percent' then ceil(tl.value::numeric * s."limit" / 100)::bigint else tl.value::bigint end as at_count
              from tl where tl.kind = 'count' or s."limit" is not null
            union all
            -- The quota itself, whenever any threshold is in force (an empty list turns alerts off).
            select 'exhausted', 100, s."limit"::bigint where s."limit" is not null and exists (select 1 from tl)
          ) t
         where t.at_count > s.lo and t.at_count <= s.hi
      ), hit as (
        select distinct on (c.period, c.kind, c.value, c.at_count)
               c.period, c.kind, c.value, c.at_count, x."usedAfter" as used, c."limit", c."periodStart", c."periodEnd"
          from cand c
          join x on x.period = c.period and x."limit" is not distinct from c."limit"
                and c.at_count > x."usedAfter" - x.units and c.at_count <= x."usedAfter"
         order by c.period, c.kind, c.value, c.at_count, x."usedAfter"
      ), fired as (
        insert into quota_alerts (id, user_id, period, kind, value, at_count, used, quota_limit, period_start, period_end)
        select gen_random_uuid(), $2::uuid, period, kind, value, at_count, used, "limit", "periodStart", "periodEnd" from hit
        on conflict on constraint quota_alerts_once do nothing
        returning id, user_id, kind, value
      )
      select id, user_id::text, kind, value from fired`,
    values: [JSON.stringify(events), userId],
  };
}

/** Demo calls' ledger rows: they have no user, key or summary. */
export function demoLedgerStatement(events: LedgerEvent[]): Statement {
  return {
    name: 'harmonic_ledger_demo',
    text: `
      insert into usage_events
             (period, user_id, api_key_id, client_ip, endpoint, method, sources, status, response_time_ms, units, created_at)
      select period, null, null, "clientIp", endpoint, method, sources, status, "responseTimeMs", units, "createdAt"
        from (${LEDGER_ROWS}) x`,
    values: [JSON.stringify(events)],
  };
}

/** The ledger's statements for a batch: one per user (one shard each), one for demo calls. */
export function ledgerStatements(events: LedgerEvent[]): Statement[] {
  const byUser = new Map<string | null, LedgerEvent[]>();
  for (const e of events) {
    const group = byUser.get(e.userId);
    if (group) group.push(e);
    else byUser.set(e.userId, [e]);
  }
  return [...byUser].map(([userId, group]) => (userId === null ? demoLedgerStatement(group) : userLedgerStatement(userId, group)));
}

/** The ledger writer's statements (the reporting queries over the same table extend this in ../repository.ts). */
export class LedgerRepository extends EntityRepository<UsageEvent> {
  /**
   * Writes a batch of ledger rows, all or nothing: one statement when the
   * batch is one user's (the usual flush), else one per user in one transaction.
   * Returns the quota alerts the batch fired (none for demo calls).
   */
  async insertBatch(events: LedgerEvent[]): Promise<FiredAlertRow[]> {
    if (events.length === 0) return [];
    const statements = ledgerStatements(events);
    const [only] = statements;
    if (only && statements.length === 1) return (await (await nativePool(this.em)).query<FiredAlertRow>(only)).rows;
    return this.em.transactional(async (tx) => {
      const client = await nativePool(tx);
      const fired: FiredAlertRow[] = [];
      for (const statement of statements) fired.push(...(await client.query<FiredAlertRow>(statement)).rows);
      return fired;
    });
  }
}
