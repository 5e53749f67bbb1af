import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { attachOrOpenDatabase } from '../db/database.ts';
import { migrateUp } from '../db/migrate.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { createServices, stopServices, type Services } from '../services.ts';

/**
 * Runs one CLI command with the database open, closing everything afterwards.
 * Logs go to stderr at warn level so stdout carries only the command's output.
 */
export async function withDatabase<T>(
  fn: (orm: Orm, env: { config: Config; logger: Logger }) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const config = loadConfig();
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'warn' }, pino.destination(2));
  const database = await attachOrOpenDatabase(config, logger);
  try {
    const orm = await initOrm({ clientUrl: database.url, poolMax: 2, logger, applicationName: 'harmonic-cli' });
    try {
      if (opts.migrate !== false) await migrateUp(orm);
      return await fn(orm, { config, logger });
    } finally {
      await orm.close();
    }
  } finally {
    await database.close();
  }
}

/** Like withDatabase, with the full service layer, so the CLI follows the same rules as the API. */
export async function withServices<T>(fn: (services: Services) => Promise<T>): Promise<T> {
  return withDatabase(async (orm, { config, logger }) => {
    const services = createServices({ config, logger, orm });
    try {
      return await fn(services);
    } finally {
      await stopServices(services);
    }
  });
}
