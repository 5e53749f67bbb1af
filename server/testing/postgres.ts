import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded.ts';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  /** A URL to a maintenance database on the server, used to create and drop test databases. */
  adminUrl: string;
  source: 'TEST_DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

/**
 * Finds a PostgreSQL server for the tests, in this order: TEST_DATABASE_URL;
 * the local server at 127.0.0.1:5432 if it answers; otherwise an embedded one
 * in a temporary directory, so the suite runs on a machine with nothing installed.
 */
export async function findTestPostgres(env = process.env): Promise<TestPostgres> {
  if (env['TEST_DATABASE_URL']) {
    return { adminUrl: env['TEST_DATABASE_URL'], source: 'TEST_DATABASE_URL', stop: async () => {} };
  }
  if (await answers(LOCAL_POSTGRES_URL)) {
    return { adminUrl: LOCAL_POSTGRES_URL, source: 'local', stop: async () => {} };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-test-pg-'));
  await fs.chmod(dataDir, 0o755);
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({
    dataDir,
    logger: pino({ level: 'warn' }),
    database: 'postgres',
  });
  return {
    adminUrl: embedded.url,
    source: 'embedded',
    async stop() {
      await embedded.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL of another database on the same server. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
