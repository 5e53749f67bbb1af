import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnHarmonic, STARTUP_CEILING_MS, waitUntilReady, waitUntilServing, type HarmonicProcess } from './testing/process.ts';

/**
 * The zero-setup path, exactly as a newcomer runs it: `npm start` with no
 * environment, on the embedded PostgreSQL in a data directory. CI uses the
 * machine's PostgreSQL elsewhere, so this is what keeps the first README
 * command from silently breaking.
 */
let dataDir: string;
// Each test starts npm and the embedded PostgreSQL up to twice; a ceiling for a hang, well above what a loaded machine takes.
const STARTS_CEILING_MS = 2 * STARTUP_CEILING_MS + 60_000;
const running: HarmonicProcess[] = [];

function start(): HarmonicProcess {
  const proc = spawnHarmonic({ env: { HARMONIC_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' } });
  running.push(proc);
  return proc;
}

async function embeddedClient(): Promise<pg.Client> {
  const password = (await fs.readFile(path.join(dataDir, 'postgres.password'), 'utf8')).trim();
  const port = (await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[3];
  const client = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', password, database: 'harmonic' });
  await client.connect();
  return client;
}

async function postmasterRunning(): Promise<boolean> {
  const pid = Number((await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-boot-'));
  await fs.chmod(dataDir, 0o755);
});
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  // Give a leftover postgres (if a test failed half-way) a moment, then remove the directory.
  const pid = Number((await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]);
  if (pid) {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // gone
    }
  }
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('npm start on the embedded database', () => {
  it('comes up with no environment, is ready, and keeps its data across a graceful restart', { timeout: STARTS_CEILING_MS }, async () => {
    const first = start();
    const { url, pid } = await waitUntilServing(first);
    await waitUntilReady(url, first);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: { up: true } });
    expect(first.output()).toMatch(/embedded PostgreSQL in/);

    // It prints how to sign in, with the first admin's generated password, once, outside the JSON log.
    const banner = first.output().match(/Sign in at (http:\/\/localhost:\d+)\/admin\/ as (admin@harmonic\.local)\s*│\s*│ Password: ([\w-]+)/);
    expect(banner).not.toBeNull();
    const [, , email, password] = banner ?? [];
    const jsonLines = first.output().split('\n').filter((l) => l.startsWith('{'));
    expect(jsonLines.length).toBeGreaterThan(3);
    expect(jsonLines.some((l) => l.includes(password ?? '-'))).toBe(false);
    const signedIn = await fetch(`${url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(signedIn.status).toBe(200);

    const client = await embeddedClient();
    await client.query(`insert into tiers (id, name, monthly_quota, price_cents) values (gen_random_uuid(), 'Survivor', 5, 0)`);
    await client.end();

    // SIGTERM to the server itself, as a supervisor sends it; npm then exits with the server's code.
    process.kill(pid, 'SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(await postmasterRunning()).toBe(false);
    expect(first.output()).toMatch(/embedded PostgreSQL stopped/);

    const second = start();
    const { url: url2, pid: pid2 } = await waitUntilServing(second);
    await waitUntilReady(url2, second);
    // The admin exists now: no new password, just where to sign in.
    await second.waitFor(/Sign in at http:\/\/localhost:\d+\/admin\/ with your admin account/);
    expect(second.output()).not.toMatch(/Password:/);
    const again = await embeddedClient();
    const { rows } = await again.query(`select name from tiers where name = 'Survivor'`);
    await again.end();
    expect(rows).toEqual([{ name: 'Survivor' }]);

    process.kill(pid2, 'SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('recovers when the previous process was killed and left its PostgreSQL running', { timeout: STARTS_CEILING_MS }, async () => {
    const victim = start();
    await waitUntilServing(victim);
    victim.kill('SIGKILL');
    await victim.exited;
    // PostgreSQL runs in its own process group, so it survives the kill: the leftover case.
    expect(await postmasterRunning()).toBe(true);

    const next = start();
    const { url, pid } = await waitUntilServing(next);
    expect(next.output()).toMatch(/left over from an earlier run/);
    await waitUntilReady(url, next);
    const client = await embeddedClient();
    const { rows } = await client.query(`select count(*)::int as n from tiers where name = 'Survivor'`);
    await client.end();
    expect(rows).toEqual([{ n: 1 }]);

    process.kill(pid, 'SIGTERM');
    expect((await next.exited).code).toBe(0);
  });

  it('refuses a second server on the same data directory with a clear message', { timeout: STARTS_CEILING_MS }, async () => {
    const owner = start();
    const { pid } = await waitUntilServing(owner);
    const intruder = start();
    const result = await intruder.exited;
    expect(result.code).not.toBe(0);
    expect(intruder.output()).toMatch(/in use by another Harmonic process/);
    process.kill(pid, 'SIGTERM');
    expect((await owner.exited).code).toBe(0);
  });

  it('fails fast with a clear message for a bad PORT', async () => {
    const proc = spawnHarmonic({ command: [process.execPath, 'server/main.ts'], env: { PORT: 'abc', HARMONIC_DATA_DIR: dataDir } });
    running.push(proc);
    const result = await proc.exited;
    expect(result.code).toBe(1);
    expect(proc.output()).toMatch(/Invalid configuration:\n\s+- PORT="abc": must be a number/);
  });
});
