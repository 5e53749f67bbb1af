import { EntityRepository } from '@mikro-orm/postgresql';
import type { ApiKey } from './entity.ts';

export class ApiKeyRepository extends EntityRepository<ApiKey> {}
