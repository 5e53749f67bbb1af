import type { Logger } from 'pino';
import { AdminSession, AuthThrottle } from './admin/auth/entity.ts';
import { audit, SYSTEM_ACTOR } from './audit/service.ts';
import { LONGEST_RATE_WINDOW_MS } from './auth/rate-limit.ts';
import type { Config } from './config.ts';
import { AccountToken, CustomerSession } from './customers/entity.ts';
import { housekeepingRepository } from './db/housekeeping.ts';
import type { Orm } from './db/orm.ts';
import { ApiKey } from './keys/entity.ts';
import { maskKey } from './keys/format.ts';

/**
 * Periodic housekeeping, done by whichever instance gets the advisory lock
 * first on each tick (the rest skip it), all in one transaction:
 *  - write a `key.expired` audit event for every key whose expiry passed;
 *  - create the next months' ledger partitions;
 *  - forget expired admin and customer sessions, link tokens a day past their expiry, and stale
 *    sign-in throttling and rate-limit rows.
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
    const audited = await this.orm.em.fork().transactional(async (tx) => {
      const housekeeping = housekeepingRepository(tx);
      if (!(await housekeeping.tryLock('harmonic:maintenance'))) return 0;
      const expired = await tx.getRepository(ApiKey).markExpiriesAudited();
      for (const key of expired) {
        audit(tx, SYSTEM_ACTOR, {
          action: 'key.expired',
          target: { type: 'api_key', id: key.id },
          details: { userId: key.user_id, masked: maskKey(key.lookup_id), expiresAt: new Date(key.expires_at_ms).toISOString() },
        });
      }
      await housekeeping.ensureUsagePartitions();
      await tx.getRepository(AdminSession).purgeExpired(this.config.admin.sessionMaxAgeMs);
      await tx.getRepository(CustomerSession).purgeExpired(this.config.portal.sessionMaxAgeMs);
      await tx.getRepository(AccountToken).purgeExpired();
      const throttle = this.config.admin.throttle;
      await tx.getRepository(AuthThrottle).purgeEnded({
        ipWindowMs: throttle.ip.windowMs,
        accountWindowMs: throttle.account.windowMs,
        knownAddressMs: throttle.knownAddressMs,
        rateWindowMs: LONGEST_RATE_WINDOW_MS,
      });
      await tx.flush();
      return expired.length;
    });
    if (audited) this.logger.info({ keys: audited }, 'audited key expiries');
    return audited;
  }
}
