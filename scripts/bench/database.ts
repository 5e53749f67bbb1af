import pino, { type Logger } from 'pino';
import { migrateUp } from '../../server/db/migrate.ts';
import { initOrm, type Orm } from '../../server/db/orm.ts';
import { databaseUrl, findTestPostgres, withAdminClient } from '../../server/testing/postgres.ts';

/**
 * Runs a benchmark on a fresh, migrated database of its own on the test
 * PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432, else an embedded one),
 * and drops it afterwards, whatever happens.
 */
export async function withBenchDatabase<T>(
  name: string,
  fn: (db: { url: string; orm: Orm; logger: Logger; source: string }) => Promise<T>,
): Promise<T> {
  const pg = await findTestPostgres();
  const dbName = `harmonic_${name}_${process.pid}`;
  await withAdminClient(pg.adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(dbName)}`));
  const url = databaseUrl(pg.adminUrl, dbName);
  const logger = pino({ level: 'warn' });
  const orm = await initOrm({ clientUrl: url, logger });
  try {
    await migrateUp(orm);
    return await fn({ url, orm, logger, source: pg.source });
  } finally {
    await orm.close();
    await withAdminClient(pg.adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(dbName)} with (force)`));
    await pg.stop();
  }
}
