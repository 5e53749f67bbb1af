import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { databaseUrl, withAdminClient } from './postgres.ts';

/** Every test database's name starts so (the run's id and a random suffix follow). */
export const TEST_DATABASE_PREFIX = 'harmonic_t_';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, fully migrated database of this test file's own, copied from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplateDb');
  const name = `${TEST_DATABASE_PREFIX}${inject('pgRunId')}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (c) =>
    c.query(`create database ${c.escapeIdentifier(name)} template ${c.escapeIdentifier(template)}`),
  );
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)).then(() => undefined),
  };
}

/** An empty database (no migrations), for tests of the migrations themselves. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${TEST_DATABASE_PREFIX}${inject('pgRunId')}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () => withAdminClient(adminUrl, (c) => c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`)).then(() => undefined),
  };
}
