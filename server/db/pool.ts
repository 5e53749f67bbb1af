import type { EntityManager } from '@mikro-orm/core';
import type { Pool } from 'pg';

/**
 * The `pg` pool behind MikroORM's connection. Hot-path statements (key lookup,
 * admission, the ledger) go straight to it as named prepared statements, which
 * skips the ORM's query building and lets PostgreSQL reuse their plans.
 */
export async function nativePool(em: EntityManager): Promise<Pool> {
  return (await em.getConnection().getNativeClient()) as Pool;
}
