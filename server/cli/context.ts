import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../config.ts';
import { attachOrOpenDatabase, type Database } from '../db/database.ts';
import { embeddedClusterDir, hasEmbeddedCluster } from '../db/embedded.ts';
import { migrateUp } from '../db/migrate.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { createServices, stopServices, type Services } from '../services.ts';
import { CliError } from './options.ts';

/**
 * Only the server creates the embedded cluster: a CLI pointed at the wrong
 * directory would otherwise make an empty database there and answer "No user …".
 */
async function openExistingDatabase(config: Config, logger: Logger): Promise<Database> {
  if (!config.databaseUrl && !(await hasEmbeddedCluster(config.dataDir))) {
    throw new CliError(
      `no database found. DATABASE_URL is not set, and there is no embedded PostgreSQL in ${embeddedClusterDir(config.dataDir)} ` +
        `(${process.env['HARMONIC_DATA_DIR'] ? `HARMONIC_DATA_DIR=${process.env['HARMONIC_DATA_DIR']}` : 'HARMONIC_DATA_DIR is unset, so ./data'}).\n` +
        'Start the server once with `npm start` (it creates the database), run the CLI from the directory the server runs in ' +
        "or set HARMONIC_DATA_DIR to the server's data directory, or set DATABASE_URL to your PostgreSQL.",
    );
  }
  return attachOrOpenDatabase(config, logger);
}

/**
 * Runs one CLI command with the database open, closing everything afterwards.
 * Logs go to stderr at warn level so stdout carries only the command's output.
 */
export async function withDatabase<T>(
  fn: (orm: Orm, env: { config: Config; logger: Logger }) => Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  // The CLI's own default is warn, so stdout stays the command's output; LOG_LEVEL still wins, and is
  // validated like the server's.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
  const logger = pino({ level: config.logLevel }, pino.destination(2));
  const database = await openExistingDatabase(config, logger);
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
