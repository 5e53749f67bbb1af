import type { QueryResult } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import { nativePool } from '../../db/pool.ts';
import type { AdminSession, AuthThrottle } from './entity.ts';

export class AdminSessionRepository extends EntityRepository<AdminSession> {
  /** A session whose idle expiry and absolute lifetime have not passed, with its account. */
  findLive(tokenHash: string, maxAgeMs: number): Promise<AdminSession | null> {
    return this.findOne(
      { tokenHash, expiresAt: { $gt: new Date() }, createdAt: { $gt: new Date(Date.now() - maxAgeMs) } },
      { populate: ['admin'] },
    );
  }

  async endAllFor(adminId: string): Promise<number> {
    return this.nativeDelete({ admin: adminId });
  }

  /** Forgets sessions past their idle expiry or their absolute lifetime, by the database clock. */
  async purgeExpired(maxAgeMs: number): Promise<number> {
    const result = await this.em.execute<QueryResult>(
      `delete from admin_sessions where expires_at <= now() or created_at <= now() - ? * interval '1 millisecond'`,
      [maxAgeMs],
      'run',
    );
    return result.affectedRows;
  }
}

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

/**
 * What a row counts: failures from one address (IPv6: its /64) across accounts, failures on one
 * account from one address (`email|address`), failures on one account from everywhere, and
 * addresses that signed in to an account (`known`, window_started_at = the last success). The
 * customer realm's sign-in rows are the same scopes with subjects prefixed `customer:`. `rate`
 * rows count actions rather than failures (sign-ups per address, emails per account: server/auth/rate-limit.ts).
 */
export type ThrottleScope = 'ip' | 'account_ip' | 'account' | 'known' | 'rate';

export interface RecordedFailure {
  failures: number;
  lockedUntil: Date | null;
  /** This failure started the lockout (every failure counted while over the limit starts a new one). */
  lockStarted: boolean;
}

const fromMs = (ms: number | null | undefined) => (ms ? new Date(ms) : null);

/** Times come from the service's clock, not PostgreSQL's now(), so tests can move time. */
export class AuthThrottleRepository extends EntityRepository<AuthThrottle> {
  /** When the lock of (scope, subject) ends, if it is locked at `now`. */
  async lockedUntil(scope: ThrottleScope, subject: string, now: Date): Promise<Date | null> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<{ until_ms: number | null }>(
      `select (extract(epoch from locked_until) * 1000)::float8 as until_ms
         from auth_throttle where scope = $1 and subject = $2 and locked_until > $3::timestamptz`,
      [scope, subject, now],
    );
    return fromMs(rows[0]?.until_ms);
  }

  /**
   * Counts one failure in the current window (atomically, so concurrent attempts on several
   * instances all count) and locks for `lockoutMs` when the window's failures reach the limit.
   */
  async recordFailure(scope: ThrottleScope, subject: string, policy: ThrottlePolicy, now: Date): Promise<RecordedFailure> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<{ failures: number; until_ms: number | null; started: boolean }>(
      `with v as (select $3::timestamptz as now, $4 * interval '1 millisecond' as win, $5::int as max, $6 * interval '1 millisecond' as lock)
       insert into auth_throttle as t (scope, subject, failures, window_started_at, locked_until)
       select $1, $2, 1, v.now, case when 1 >= v.max then v.now + v.lock end from v
       on conflict (scope, subject) do update set
         failures = case when t.window_started_at <= (select now - win from v) then 1 else t.failures + 1 end,
         window_started_at = case when t.window_started_at <= (select now - win from v) then (select now from v) else t.window_started_at end,
         locked_until = case
           when (case when t.window_started_at <= (select now - win from v) then 1 else t.failures + 1 end) >= (select max from v)
           then (select now + lock from v)
           else t.locked_until end
       returning failures, (extract(epoch from locked_until) * 1000)::float8 as until_ms,
                 coalesce(locked_until = (select now + lock from v), false) as started`,
      [scope, subject, now, policy.windowMs, policy.maxFailures, policy.lockoutMs],
    );
    const row = rows[0];
    if (!row) throw new Error('auth_throttle upsert returned no row');
    const lockedUntil = fromMs(row.until_ms);
    return { failures: row.failures, lockedUntil: lockedUntil && lockedUntil > now ? lockedUntil : null, lockStarted: row.started };
  }

  /** Makes (scope, subject) wait until `until` before its next attempt (a lock that never shortens). */
  async holdUntil(scope: ThrottleScope, subject: string, until: Date): Promise<void> {
    const pool = await nativePool(this.em);
    await pool.query(
      `update auth_throttle set locked_until = greatest(coalesce(locked_until, $3::timestamptz), $3::timestamptz) where scope = $1 and subject = $2`,
      [scope, subject, until],
    );
  }

  /** Remembers that `subject` (`email|address`) signed in at `now`. */
  async markKnown(subject: string, now: Date): Promise<void> {
    const pool = await nativePool(this.em);
    await pool.query(
      `insert into auth_throttle (scope, subject, failures, window_started_at) values ('known', $1, 0, $2::timestamptz)
       on conflict (scope, subject) do update set window_started_at = excluded.window_started_at`,
      [subject, now],
    );
  }

  /** Whether `subject` (`email|address`) signed in since `since`. */
  async knownSince(subject: string, since: Date): Promise<boolean> {
    const pool = await nativePool(this.em);
    const { rowCount } = await pool.query(`select 1 from auth_throttle where scope = 'known' and subject = $1 and window_started_at > $2::timestamptz`, [
      subject,
      since,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async clear(scope: ThrottleScope, subject: string): Promise<void> {
    await this.nativeDelete({ scope, subject });
  }

  /** Forgets an account's failures, on every address (a password reset starts afresh). */
  async clearAccount(email: string): Promise<void> {
    const pool = await nativePool(this.em);
    await pool.query(
      `delete from auth_throttle where (scope = 'account' and subject = $1) or (scope = 'account_ip' and left(subject, length($1) + 1) = $1 || '|')`,
      [email],
    );
  }

  /**
   * Forgets rows whose window has ended and that hold no lockout: per address and
   * per (account, address) after `ipWindowMs`, per account after `accountWindowMs`,
   * known addresses after `knownAddressMs`, rate limits after `rateWindowMs` (their longest window).
   * By the database clock, like the windows' age.
   */
  async purgeEnded(windows: { ipWindowMs: number; accountWindowMs: number; knownAddressMs: number; rateWindowMs: number }): Promise<void> {
    await this.em.execute(
      `delete from auth_throttle
        where (locked_until is null or locked_until < now())
          and window_started_at < now() - (case scope when 'known' then ?::bigint when 'account' then ?::bigint when 'rate' then ?::bigint else ?::bigint end)
                                          * interval '1 millisecond'`,
      [windows.knownAddressMs, windows.accountWindowMs, windows.rateWindowMs, windows.ipWindowMs],
    );
  }
}
