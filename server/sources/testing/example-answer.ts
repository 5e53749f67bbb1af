/**
 * Prints a real answer of the source service, for docs/sources.md and the
 * README: the weather source against the replayed Open-Meteo recordings and
 * the knowledge base on a freshly migrated (seeded) database. No internet.
 *
 *   node server/sources/testing/example-answer.ts
 *
 * PostgreSQL is found as the tests find it (TEST_DATABASE_URL, 127.0.0.1:5432, or an embedded one).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { migrateUp } from '../../db/migrate.ts';
import { initOrm } from '../../db/orm.ts';
import { databaseUrl, findTestPostgres, withAdminClient } from '../../testing/postgres.ts';
import { SourceService } from '../service.ts';
import { replayConfig } from './harness.ts';
import { fixture, ReplayServer } from './replay-server.ts';

const server = await findTestPostgres();
const name = `harmonic_example_${randomBytes(4).toString('hex')}`;
await withAdminClient(server.adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
const replay = await ReplayServer.start();
const orm = await initOrm({ clientUrl: databaseUrl(server.adminUrl, name) });
try {
  await migrateUp(orm);
  replay.route('/v1/search', fixture('open-meteo/geocoding-london.json')).route('/v1/forecast', fixture('open-meteo/forecast-current-daily-london.json'));
  const service = new SourceService({ config: replayConfig(replay, { SOURCE_TIMEOUT_MS: '3000' }), logger: pino({ level: 'silent' }), orm });
  const answer = await service.answer({ query: 'weather in London', sources: ['weather', 'kb'], limit: 1 });
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  await service.close();
} finally {
  await orm.close();
  await replay.close();
  await withAdminClient(server.adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`));
  await server.stop();
}
