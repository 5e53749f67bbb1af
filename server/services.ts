import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Orm } from './db/orm.ts';
import { DatabaseHealth } from './db/health.ts';
import { SourceService } from './sources/service.ts';

/**
 * The composition root: every long-lived service, built once per process and
 * shared by the tRPC router and the REST adapter.
 */
export interface Services {
  config: Config;
  logger: Logger;
  orm: Orm;
  databaseHealth: DatabaseHealth;
  sources: SourceService;
}

export function createServices(deps: { config: Config; logger: Logger; orm: Orm }): Services {
  return {
    ...deps,
    databaseHealth: new DatabaseHealth(deps.orm),
    sources: new SourceService({ config: deps.config.sources, logger: deps.logger, orm: deps.orm }),
  };
}

/** Stops background work and flushes buffers; the ORM is closed by the caller afterwards. */
export async function stopServices(services: Services): Promise<void> {
  await services.sources.close();
}
