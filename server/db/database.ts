import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.ts';

export interface Database {
  url: string;
  /** Where it lives, for humans: "embedded (./data)" or the server's host. */
  description: string;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

/** DATABASE_URL when set; otherwise the embedded cluster in the data directory, started by us. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) {
    const host = new URL(config.databaseUrl).host;
    return { url: config.databaseUrl, description: `PostgreSQL at ${host}`, embedded: undefined, close: async () => {} };
  }
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, logger });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL in ${config.dataDir}`,
    embedded,
    close: () => embedded.stop(),
  };
}

/**
 * For one-off commands (the CLI) while a server may be running: reuse the
 * embedded cluster that server started instead of fighting it for the lock.
 */
export async function attachOrOpenDatabase(config: Config, logger: Logger): Promise<Database> {
  if (config.databaseUrl) return openDatabase(config, logger);
  const running = await runningEmbeddedUrl(config.dataDir);
  if (running) {
    return { url: running, description: `embedded PostgreSQL in ${config.dataDir} (shared with the running server)`, embedded: undefined, close: async () => {} };
  }
  return openDatabase(config, logger);
}

async function runningEmbeddedUrl(dataDir: string): Promise<string | undefined> {
  const lock = await fs.readFile(path.join(dataDir, 'harmonic.pid'), 'utf8').catch(() => '');
  const pidFile = await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '');
  const password = (await fs.readFile(path.join(dataDir, 'postgres.password'), 'utf8').catch(() => '')).trim();
  const holder = Number.parseInt(lock, 10);
  const lines = pidFile.split('\n');
  const pgPid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!holder || !pgPid || !port || !password || !alive(holder) || !alive(pgPid)) return undefined;
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/harmonic`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
