import { EntityRepository } from '@mikro-orm/postgresql';
import type { Tier } from './entity.ts';

export class TierRepository extends EntityRepository<Tier> {
  findByName(name: string): Promise<Tier | null> {
    return this.findOne({ name: { $ilike: name.replace(/[\\%_]/g, '\\$&') } });
  }

  findDefault(): Promise<Tier | null> {
    return this.findOne({ isDefault: true });
  }
}
