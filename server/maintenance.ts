import type { Logger } from 'pino';
import { AdminSession, AuthThrottle } from './admin/auth/entity.ts';
import { audit, SYSTEM_ACTOR } from './audit/service.ts';
import { LONGEST_RATE_WINDOW_MS } from './auth/rate-limit.ts';
import type { Config } from './config.ts';
import { AccountToken, CustomerSession } from './customers/entity.ts';
import { housekeepingRepository } from './db/housekeeping.ts';
import type { Orm } from './db/orm.ts';
import type { Jobs } from './jobs/service.ts';
import { ApiKey } from './keys/entity.ts';
import { maskKey } from './keys/format.ts';
import { DELIVERY_LOG_DAYS } from '../shared/webhooks.ts';
import { WebhookDelivery } from './webhooks/entity.ts';
import type { WebhookEmitter } from './webhooks/service.ts';

/** The pg-boss queue (and schedule) of the housekeeping pass. */
export const MAINTENANCE_QUEUE = 'harmonic.maintenance';

/**
 * Periodic housekeeping, once a minute across all instances: a pg-boss schedule
 * (server/jobs/) sends one job per minute, which one instance runs, all in one
 * transaction:
 *  - write a `key.expired` audit event, and send the `key.expired` webhook, for every key whose expiry passed;
 *  - create the next months' ledger partitions;
 *  - forget expired admin and customer sessions, link tokens a day past their expiry, stale
 *    sign-in throttling and rate-limit rows, and finished webhook deliveries older than 30 days.
 * The pass also takes an advisory lock, so a pass run by hand (`runOnce`) never
 * overlaps a scheduled one.
 */
export class MaintenanceJob {
  private readonly orm: Orm;
  private readonly logger: Logger;
  private readonly config: Config;
  private readonly jobs: Jobs;
  private readonly events: WebhookEmitter | undefined;
  private working = false;

  constructor(deps: { orm: Orm; logger: Logger; config: Config; jobs: Jobs; events?: WebhookEmitter }) {
    this.events = deps.events;
    this.orm = deps.orm;
    this.logger = deps.logger.child({ component: 'maintenance' });
    this.config = deps.config;
    this.jobs = deps.jobs;
  }

  /** Registers the pass and its schedule; they run once the jobs service starts. */
  start(): void {
    if (this.working) return;
    this.working = true;
    this.jobs.work(
      MAINTENANCE_QUEUE,
      async () => {
        await this.runOnce();
      },
      // The next minute's pass is the retry; a pass that hangs is given up after five minutes.
      { retryLimit: 0, expireInSeconds: 300, deleteAfterSeconds: 3600 },
    );
    this.jobs.schedule(MAINTENANCE_QUEUE, '* * * * *');
  }

  /** Stops this instance taking passes (waiting for one that is running); the schedule stays for the others. */
  async stop(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    await this.jobs.offWork(MAINTENANCE_QUEUE);
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
        await this.events?.emit(tx, key.user_id, {
          type: 'key.expired',
          data: { userId: key.user_id, key: { id: key.id, name: key.name, masked: maskKey(key.lookup_id) }, expiresAt: new Date(key.expires_at_ms).toISOString() },
        });
      }
      await housekeeping.ensureUsagePartitions();
      await tx.getRepository(AdminSession).purgeExpired(this.config.admin.sessionMaxAgeMs);
      await tx.getRepository(CustomerSession).purgeExpired(this.config.portal.sessionMaxAgeMs);
      await tx.getRepository(AccountToken).purgeExpired();
      await tx.getRepository(WebhookDelivery).purgeFinished(DELIVERY_LOG_DAYS);
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
