import { EntityRepository } from '@mikro-orm/postgresql';
import { nativePool } from '../db/pool.ts';
import type { DemoCounter, UsageCounter, UsageEvent } from './entities.ts';
import { PERIOD } from './period.ts';

/** What one admission statement found out. */
export interface KeyAdmissionRow {
  user_id: string;
  user_status: 'active' | 'suspended';
  quota: number | null;
  tier_name: string;
  /** YYYY-MM-DD, the first day of the period. */
  period: string;
  /** Epoch ms when the database admitted the call. */
  at_ms: number;
  /** The new count if admitted; null if refused. */
  used_after: number | null;
  /** The count as this statement saw it (used for the headers of a refusal). */
  used_seen: number | null;
}

export interface BatchAdmissionRow {
  /** 1-based position of the call in the batch. */
  seq: number;
  user_id: string;
  user_status: 'active' | 'suspended';
  quota: number | null;
  tier_name: string;
  period: string;
  at_ms: number;
  /** The count after this statement, if it wrote the row; null if the user had nothing left. */
  used_after: number | null;
  /** How many of this user's calls in the batch got in: the first `admitted`, by `nth`. */
  admitted: number;
  used_seen: number | null;
  /** This call's place among the same user's calls in the batch, from 1. */
  nth: number;
}

export interface DemoBatchRow {
  seq: number;
  quota: number;
  period: string;
  at_ms: number;
  used_after: number | null;
  admitted: number;
  used_seen: number | null;
  nth: number;
}

export interface DemoAdmissionRow {
  quota: number | null;
  period: string;
  at_ms: number;
  used_after: number | null;
  used_seen: number | null;
}

export class UsageCounterRepository extends EntityRepository<UsageCounter> {
  /**
   * Admission for a keyed call, as one atomic statement: re-check the key
   * (not revoked, not expired) and its owner (not deleted; active), read the
   * tier's quota as it is now, then insert or increment the (user, period)
   * counter only while used + units <= quota, returning the new count.
   *
   * Row locking on the counter makes this exact under any concurrency and any
   * number of server instances: a concurrent statement waits for the lock and
   * re-evaluates the WHERE against the committed count. A refusal writes nothing.
   */
  async admitKey(keyId: string, units: number): Promise<KeyAdmissionRow | undefined> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<KeyAdmissionRow>({
      name: 'harmonic_admit_key',
      text: `
        with k as (
          select u.id as user_id, u.status as user_status, t.monthly_quota as quota, t.name as tier_name
            from api_keys k
            join users u on u.id = k.user_id
            join tiers t on t.id = u.tier_id
           where k.id = $1
             and k.revoked_at is null
             and (k.expires_at is null or k.expires_at > now())
             and u.deleted_at is null
        ), adm as (
          insert into usage_counters as c (user_id, period, used, quota, updated_at)
          select k.user_id, ${PERIOD}, $2, k.quota, now()
            from k
           where k.user_status = 'active' and (k.quota is null or k.quota >= $2)
          on conflict (user_id, period) do update
             set used = c.used + excluded.used, quota = excluded.quota, updated_at = excluded.updated_at
           where excluded.quota is null or c.used + excluded.used <= excluded.quota
          returning c.used
        )
        select k.user_id, k.user_status, k.quota, k.tier_name,
               ${PERIOD}::text as period, (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
               (select used from adm) as used_after,
               (select c.used from usage_counters c where c.user_id = k.user_id and c.period = ${PERIOD}) as used_seen
          from k`,
      values: [keyId, units],
    });
    return rows[0];
  }

  /**
   * Admission for many concurrent single-unit keyed calls in one statement
   * (see AdmissionBatcher). Per user in the batch it asks for n calls and the
   * counter row admits min(n, quota - used), atomically under the row lock, so
   * it stays exact across instances. It records n and the admitted count in the
   * row, and RETURNING hands them back; the first `admitted` calls of that user
   * (in batch order) are in. A user with nothing left is not written at all.
   * One result row per call that found a live key, identified by its position.
   */
  async admitKeys(keyIds: string[]): Promise<BatchAdmissionRow[]> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<BatchAdmissionRow>({
      name: 'harmonic_admit_keys',
      text: `
        with req as (
          select r.key_id, r.seq::int as seq from unnest($1::uuid[]) with ordinality as r(key_id, seq)
        ), k as (
          select r.seq, u.id as user_id, u.status as user_status, t.monthly_quota as quota, t.name as tier_name
            from req r
            join api_keys k on k.id = r.key_id
            join users u on u.id = k.user_id
            join tiers t on t.id = u.tier_id
           where k.revoked_at is null
             and (k.expires_at is null or k.expires_at > now())
             and u.deleted_at is null
        ), grp as (
          select user_id, min(quota) as quota, count(*)::int as n from k where user_status = 'active' group by user_id
        ), adm as (
          insert into usage_counters as c (user_id, period, used, quota, batch_requested, batch_admitted, updated_at)
          select user_id, ${PERIOD}, least(n, coalesce(quota, n)), quota, n, least(n, coalesce(quota, n)), now() from grp
          on conflict (user_id, period) do update set
            batch_requested = excluded.batch_requested,
            batch_admitted = case when excluded.quota is null then excluded.batch_requested
                                  else least(excluded.batch_requested, excluded.quota - c.used) end,
            used = c.used + case when excluded.quota is null then excluded.batch_requested
                                 else least(excluded.batch_requested, excluded.quota - c.used) end,
            quota = excluded.quota,
            updated_at = excluded.updated_at
           where excluded.quota is null or c.used < excluded.quota
          returning c.user_id, c.used as used_after, c.batch_admitted as admitted
        )
        select k.seq, k.user_id, k.user_status, k.quota, k.tier_name,
               ${PERIOD}::text as period, (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
               a.used_after, coalesce(a.admitted, 0) as admitted,
               (select c.used from usage_counters c where c.user_id = k.user_id and c.period = ${PERIOD}) as used_seen,
               row_number() over (partition by k.user_id order by k.seq)::int as nth
          from k left join adm a on a.user_id = k.user_id`,
      values: [keyIds],
    });
    return rows;
  }

  /**
   * The same admission for a keyless demo caller, counted per client IP
   * (IPv6 per /64, since one host can use a whole /64). The demo quota is the
   * configured one, or else the default tier's quota as it is now.
   */
  async admitDemo(clientIp: string, units: number, configuredQuota: number | undefined): Promise<DemoAdmissionRow> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<DemoAdmissionRow>({
      name: 'harmonic_admit_demo',
      text: `
        with q as (
          select coalesce($3::int, (select monthly_quota from tiers where is_default), 0) as quota
        ), ip as (
          select case when family($1::inet) = 6 then network(set_masklen($1::inet, 64))::inet else $1::inet end as addr
        ), adm as (
          insert into demo_counters as c (client_ip, period, used, updated_at)
          select ip.addr, ${PERIOD}, $2, now() from ip, q where q.quota >= $2
          on conflict (client_ip, period) do update
             set used = c.used + excluded.used, updated_at = excluded.updated_at
           where c.used + excluded.used <= (select quota from q)
          returning c.used
        )
        select q.quota, ${PERIOD}::text as period, (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
               (select used from adm) as used_after,
               (select c.used from demo_counters c, ip where c.client_ip = ip.addr and c.period = ${PERIOD}) as used_seen
          from q`,
      values: [clientIp, units, configuredQuota ?? null],
    });
    const row = rows[0];
    if (!row) throw new Error('demo admission returned no row');
    return row;
  }

  /** The batched form of admitDemo: many single-unit demo calls, per client address, in one statement. */
  async admitDemos(clientIps: string[], configuredQuota: number | undefined): Promise<DemoBatchRow[]> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<DemoBatchRow>({
      name: 'harmonic_admit_demos',
      text: `
        with req as (
          select r.ip, r.seq::int as seq from unnest($1::inet[]) with ordinality as r(ip, seq)
        ), calls as (
          select seq, case when family(ip) = 6 then network(set_masklen(ip, 64))::inet else ip end as addr from req
        ), q as (
          select coalesce($2::int, (select monthly_quota from tiers where is_default), 0) as quota
        ), grp as (
          select addr, count(*)::int as n from calls group by addr
        ), adm as (
          insert into demo_counters as c (client_ip, period, used, batch_requested, batch_admitted, updated_at)
          select grp.addr, ${PERIOD}, least(grp.n, q.quota), grp.n, least(grp.n, q.quota), now() from grp, q
          on conflict (client_ip, period) do update set
            batch_requested = excluded.batch_requested,
            batch_admitted = least(excluded.batch_requested, (select quota from q) - c.used),
            used = c.used + least(excluded.batch_requested, (select quota from q) - c.used),
            updated_at = excluded.updated_at
           where c.used < (select quota from q)
          returning c.client_ip, c.used as used_after, c.batch_admitted as admitted
        )
        select calls.seq, q.quota, ${PERIOD}::text as period, (extract(epoch from clock_timestamp()) * 1000)::float8 as at_ms,
               a.used_after, coalesce(a.admitted, 0) as admitted,
               (select c.used from demo_counters c where c.client_ip = calls.addr and c.period = ${PERIOD}) as used_seen,
               row_number() over (partition by calls.addr order by calls.seq)::int as nth
          from calls cross join q left join adm a on a.client_ip = calls.addr`,
      values: [clientIps, configuredQuota ?? null],
    });
    return rows;
  }

  /** This period's count for a user and their tier's quota now: what the headers would say. */
  async currentForUser(userId: string): Promise<{ used: number; quota: number | null; tier_name: string; period: string } | undefined> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<{ used: number; quota: number | null; tier_name: string; period: string }>(
      `select coalesce(c.used, 0) as used, t.monthly_quota as quota, t.name as tier_name, ${PERIOD}::text as period
         from users u
         join tiers t on t.id = u.tier_id
         left join usage_counters c on c.user_id = u.id and c.period = ${PERIOD}
        where u.id = $1`,
      [userId],
    );
    return rows[0];
  }
}

export class DemoCounterRepository extends EntityRepository<DemoCounter> {}

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
}

export class UsageEventRepository extends EntityRepository<UsageEvent> {
  /**
   * Writes a batch of ledger rows and, in the same statement, bumps the keys'
   * usage counts and last-used times and the per-user monthly summaries, so
   * the three can never disagree.
   */
  async insertBatch(events: LedgerEvent[]): Promise<void> {
    if (events.length === 0) return;
    const pool = await nativePool(this.em);
    await pool.query({
      name: 'harmonic_ledger_batch',
      text: `
        with ev as (
          insert into usage_events
                 (period, user_id, api_key_id, client_ip, endpoint, method, sources, status, response_time_ms, units, created_at)
          select period, "userId", "apiKeyId", "clientIp", endpoint, method, sources, status, "responseTimeMs", units, "createdAt"
            from jsonb_to_recordset($1::jsonb) as x(
                 period date, "userId" uuid, "apiKeyId" uuid, "clientIp" inet, endpoint text, method text,
                 sources text[], status smallint, "responseTimeMs" integer, units integer, "createdAt" timestamptz)
          returning user_id, api_key_id, period, status, response_time_ms, units, created_at
        ), keys as (
          update api_keys k
             set usage_count = k.usage_count + s.n,
                 last_used_at = greatest(k.last_used_at, s.last)
            from (select api_key_id, count(*) as n, max(created_at) as last
                    from ev where api_key_id is not null group by api_key_id) s
           where k.id = s.api_key_id
          returning 1
        )
        insert into usage_summaries as us (user_id, period, requests, units, errors, total_response_ms, updated_at)
        select user_id, period, count(*), sum(units), count(*) filter (where status >= 400), sum(response_time_ms), now()
          from ev where user_id is not null
         group by user_id, period
        on conflict (user_id, period) do update
           set requests = us.requests + excluded.requests,
               units = us.units + excluded.units,
               errors = us.errors + excluded.errors,
               total_response_ms = us.total_response_ms + excluded.total_response_ms,
               updated_at = excluded.updated_at`,
      values: [JSON.stringify(events)],
    });
  }
}
