import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import { entities } from './entities.ts';
import { migrationsList } from './migrations/index.ts';

export type Orm = MikroORM;

export interface OrmOptions {
  clientUrl: string;
  poolMax?: number;
  logger?: Logger;
  /** Name used in `application_name`, visible in pg_stat_activity. */
  applicationName?: string;
}

export function ormConfig(opts: OrmOptions): Options {
  const log = opts.logger?.child({ component: 'orm' });
  return defineConfig({
    clientUrl: opts.clientUrl,
    entities,
    extensions: [Migrator],
    // A forked EntityManager per request is the rule; the global one must never be used by accident.
    allowGlobalContext: false,
    debug: log?.isLevelEnabled('debug') ?? false,
    logger: (message) => log?.debug(message),
    pool: { min: 0, max: opts.poolMax ?? 10, idleTimeoutMillis: 30_000 },
    driverOptions: {
      application_name: opts.applicationName ?? 'harmonic',
      // Fail fast instead of queueing forever when the database is unreachable.
      connectionTimeoutMillis: 5_000,
    },
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  });
}

export function initOrm(opts: OrmOptions): Promise<Orm> {
  return MikroORM.init(ormConfig(opts));
}
