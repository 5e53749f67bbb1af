import { EntityRepository } from '@mikro-orm/postgresql';
import type { User } from './entity.ts';

export class UserRepository extends EntityRepository<User> {
  findLiveByEmail(email: string): Promise<User | null> {
    return this.findOne({ email: email.toLowerCase(), deletedAt: null });
  }

  findLiveById(id: string): Promise<User | null> {
    return this.findOne({ id, deletedAt: null });
  }
}
