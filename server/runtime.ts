import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from './audit/service.ts';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrateUp } from './db/migrate.ts';
import { initOrm, type Orm } from './db/orm.ts';
import { createServices, startServices, stopServices, type Services } from './services.ts';

export interface Runtime {
  app: FastifyInstance;
  services: Services;
  orm: Orm;
  database: Database;
  /** Set when this start created the first admin account; `password` only when it was generated. */
  bootstrap: { email: string; password: string | undefined } | undefined;
  /** Drain requests, flush usage, close the ORM, stop the embedded database; in that order. */
  stop(): Promise<void>;
}

/** config → database (embedded or DATABASE_URL) → migrate → services → HTTP app. Does not listen. */
export async function startRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const database = await openDatabase(config, logger);
  let orm: Orm | undefined;
  try {
    orm = await initOrm({ clientUrl: database.url, poolMax: config.dbPoolMax, logger });
    const applied = await migrateUp(orm);
    if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');
    const services = createServices({ config, logger, orm });
    const bootstrap = await services.adminAccounts.bootstrap(orm.em.fork(), SYSTEM_ACTOR);
    await startServices(services);
    const app = await buildApp({ services });
    const ormRef = orm;
    let stopped: Promise<void> | undefined;
    return {
      app,
      services,
      orm,
      database,
      bootstrap,
      stop: () =>
        (stopped ??= (async () => {
          await app.close();
          await stopServices(services);
          await ormRef.close();
          await database.close();
        })()),
    };
  } catch (err) {
    await orm?.close().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw err;
  }
}
