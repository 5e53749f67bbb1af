import type { TestProject } from 'vitest/node';
import pino from 'pino';
import { initOrm } from '../db/orm.ts';
import { Jobs } from '../jobs/service.ts';
import { migrateUp } from '../db/migrate.ts';
import { databaseUrl, findTestPostgres, withAdminClient } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplateDb: string;
    pgRunId: string;
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Once per run: find PostgreSQL, migrate a template database, and hand its
 * name to the test files. Each integration file then copies the template into
 * a database of its own (see ./database.ts), so files run in parallel.
 */
export default async function setup(project: TestProject) {
  const server = await findTestPostgres();
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `harmonic_tpl_${runId}`;

  await withAdminClient(server.adminUrl, async (client) => {
    // Databases left by runs whose process died (the pid is part of the name).
    const stale = await client.query<{ datname: string }>(
      `select datname from pg_database where datname ~ '^harmonic_(t|tpl)_[0-9]+_'`,
    );
    for (const { datname } of stale.rows) {
      const pid = Number(datname.split('_')[2]);
      if (!isAlive(pid)) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
    }
    await client.query(`create database ${client.escapeIdentifier(template)}`);
  });

  const orm = await initOrm({ clientUrl: databaseUrl(server.adminUrl, template), logger: pino({ level: 'warn' }) });
  await migrateUp(orm);
  await orm.close();
  // pg-boss installs its schema on first start; once here, rather than in every test file's database.
  const jobs = new Jobs({ connectionString: databaseUrl(server.adminUrl, template), logger: pino({ level: 'warn' }), config: { pollingIntervalSeconds: 2, poolMax: 2 } });
  await jobs.start();
  await jobs.stop();

  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplateDb', template);
  project.provide('pgRunId', runId);

  return async () => {
    await withAdminClient(server.adminUrl, async (client) => {
      const mine = await client.query<{ datname: string }>(
        `select datname from pg_database where datname like $1 or datname = $2`,
        [`harmonic_t_${runId}_%`, template],
      );
      for (const { datname } of mine.rows) {
        await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
      }
    });
    await server.stop();
  };
}
