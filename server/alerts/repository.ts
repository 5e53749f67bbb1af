import { EntityRepository } from '@mikro-orm/postgresql';
import type { QuotaAlert } from './entity.ts';

/** Every SQL statement about quota alerts (the ledger flush's insert lives with the ledger's statement). */
export class QuotaAlertRepository extends EntityRepository<QuotaAlert> {}
