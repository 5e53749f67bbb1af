import { EntityRepository } from '@mikro-orm/postgresql';
import { nativePool } from '../db/pool.ts';
import type { AdminAccount, AdminSession, AuthThrottle } from './entity.ts';

export class AdminAccountRepository extends EntityRepository<AdminAccount> {
  findByEmail(email: string): Promise<AdminAccount | null> {
    return this.findOne({ email: email.toLowerCase() });
  }
}

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

  async purgeExpired(maxAgeMs: number): Promise<number> {
    return this.nativeDelete({ $or: [{ expiresAt: { $lte: new Date() } }, { createdAt: { $lte: new Date(Date.now() - maxAgeMs) } }] });
  }
}

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

export class AuthThrottleRepository extends EntityRepository<AuthThrottle> {
  /** When the lockout of (scope, subject) ends, if it is locked now. */
  async lockedUntil(scope: 'ip' | 'account', subject: string): Promise<Date | null> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<{ until_ms: number | null }>(
      `select (extract(epoch from locked_until) * 1000)::float8 as until_ms
         from auth_throttle where scope = $1 and subject = $2 and locked_until > now()`,
      [scope, subject],
    );
    const ms = rows[0]?.until_ms;
    return ms ? new Date(ms) : null;
  }

  /**
   * Counts one failure in the current window (atomically, so concurrent
   * attempts on several instances all count) and starts a lockout when the
   * window's failures reach the limit. Returns the lockout's end, if any.
   */
  async recordFailure(scope: 'ip' | 'account', subject: string, policy: ThrottlePolicy): Promise<Date | null> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<{ until_ms: number | null }>(
      `insert into auth_throttle as t (scope, subject, failures, window_started_at)
       values ($1, $2, 1, now())
       on conflict (scope, subject) do update set
         failures = case when t.window_started_at < now() - $3 * interval '1 millisecond' then 1 else t.failures + 1 end,
         window_started_at = case when t.window_started_at < now() - $3 * interval '1 millisecond' then now() else t.window_started_at end,
         locked_until = case
           when (case when t.window_started_at < now() - $3 * interval '1 millisecond' then 1 else t.failures + 1 end) >= $4
           then now() + $5 * interval '1 millisecond'
           else t.locked_until end
       returning (extract(epoch from locked_until) * 1000)::float8 as until_ms`,
      [scope, subject, policy.windowMs, policy.maxFailures, policy.lockoutMs],
    );
    const ms = rows[0]?.until_ms;
    return ms && ms > Date.now() ? new Date(ms) : null;
  }

  async clear(scope: 'ip' | 'account', subject: string): Promise<void> {
    await this.nativeDelete({ scope, subject });
  }

  /** Forgets windows that ended and lockouts that passed. */
  async purgeStale(windowMs: number): Promise<number> {
    const pool = await nativePool(this.em);
    const res = await pool.query(
      `delete from auth_throttle
        where window_started_at < now() - $1 * interval '1 millisecond' and (locked_until is null or locked_until < now())`,
      [windowMs],
    );
    return res.rowCount ?? 0;
  }
}
