import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Orm } from '../db/orm.ts';
import type { Services } from '../services.ts';

/*
 * The database layer (MikroORM, the services) takes seconds to load on a busy
 * machine. Commands reach it through these, so --help, --version and a
 * mistyped option answer before any of it is loaded.
 */

export async function withDatabase<T>(fn: (orm: Orm, env: { config: Config; logger: Logger }) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const context = await import('./context.ts');
  return context.withDatabase(fn, opts);
}

export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  const context = await import('./context.ts');
  return context.withServices(fn);
}
