import { EntityRepository } from '@mikro-orm/postgresql';
import type { AdminAccount } from './entity.ts';

export class AdminAccountRepository extends EntityRepository<AdminAccount> {
  findByEmail(email: string): Promise<AdminAccount | null> {
    return this.findOne({ email: email.toLowerCase() });
  }

  /** Waits for the bootstrap lock (held until the transaction ends), so concurrent first starts create one owner. */
  async lockForBootstrap(): Promise<void> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtext('harmonic:admin-bootstrap'))`);
  }
}
