import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { rawPool } from './db/pool.ts';
import type { Orm } from './db/orm.ts';

/**
 * Periodic housekeeping, done by whichever instance gets the advisory lock
 * first on each tick (the rest skip it):
 *  - write a `key.expired` audit event for every key whose expiry passed;
 *  - create the next months' ledger partitions;
 *  - forget expired admin sessions and stale sign-in throttling rows.
 */
export class MaintenanceJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly orm: Orm;
  private readonly logger: Logger;
  private readonly config: Config;
  private readonly intervalMs: number;

  constructor(deps: { orm: Orm; logger: Logger; config: Config; intervalMs?: number }) {
    this.orm = deps.orm;
    this.logger = deps.logger.child({ component: 'maintenance' });
    this.config = deps.config;
    this.intervalMs = deps.intervalMs ?? 60_000;
  }

  start(): void {
    const tick = () => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => this.logger.warn({ err }, 'maintenance failed; will retry'))
        .finally(() => {
          this.running = undefined;
          this.timer = setTimeout(tick, this.intervalMs);
          this.timer.unref();
        });
    };
    this.timer = setTimeout(tick, 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; returns how many key expiries it audited (0 if another instance holds the lock). */
  async runOnce(): Promise<number> {
    const pool = await rawPool(this.orm.em.fork());
    const client = await pool.connect();
    try {
      await client.query('begin');
      const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_xact_lock(hashtext('harmonic:maintenance')) as locked`);
      if (!rows[0]?.locked) {
        await client.query('rollback');
        return 0;
      }
      const expired = await client.query<{ id: string }>(
        `with due as (
           update api_keys set expiry_audited_at = now()
            where expires_at <= now() and expiry_audited_at is null and revoked_at is null
            returning id, user_id, lookup_id, expires_at
         )
         insert into audit_events (actor_type, actor_id, actor_label, action, target_type, target_id, details)
         select 'system', null, 'harmonic', 'key.expired', 'api_key', id::text,
                jsonb_build_object('userId', user_id, 'masked', 'hm_' || lookup_id || '…', 'expiresAt', expires_at)
           from due
         returning target_id as id`,
      );
      await client.query(`select ensure_usage_partitions()`);
      await client.query(
        `delete from admin_sessions where expires_at <= now() or created_at <= now() - $1 * interval '1 millisecond'`,
        [this.config.admin.sessionMaxAgeMs],
      );
      const throttle = this.config.admin.throttle;
      await client.query(
        `delete from auth_throttle
          where (locked_until is null or locked_until < now())
            and window_started_at < now() - (case scope when 'known' then $3::bigint when 'account' then $2::bigint else $1::bigint end) * interval '1 millisecond'`,
        [throttle.ip.windowMs, throttle.account.windowMs, throttle.knownAddressMs],
      );
      await client.query('commit');
      if (expired.rowCount) this.logger.info({ keys: expired.rowCount }, 'audited key expiries');
      return expired.rowCount ?? 0;
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
