import { EntityRepository, type EntityManager } from '@mikro-orm/postgresql';
import { UsageEvent } from '../usage/entity.ts';

/**
 * Database-wide housekeeping statements for the maintenance job
 * (server/maintenance.ts): its lock and the ledger's partitions. Both only
 * mean something inside the job's transaction.
 */
export class HousekeepingRepository extends EntityRepository<UsageEvent> {
  /**
   * Takes a transaction-scoped advisory lock named `name`, without waiting:
   * false when another instance holds it. It is released when the transaction ends.
   */
  async tryLock(name: string): Promise<boolean> {
    const [row] = await this.em.execute<{ locked: boolean }[]>(`select pg_try_advisory_xact_lock(hashtext(?)) as locked`, [name]);
    return row?.locked === true;
  }

  /** Creates this month's and the next two months' ledger partitions where missing (see the migration that defines it). */
  async ensureUsagePartitions(): Promise<void> {
    await this.em.execute(`select ensure_usage_partitions()`);
  }
}

export function housekeepingRepository(em: EntityManager): HousekeepingRepository {
  return new HousekeepingRepository(em, UsageEvent);
}
