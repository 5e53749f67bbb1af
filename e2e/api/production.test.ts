import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../server/testing/database.ts';
import { REPO_ROOT, spawnHarmonic, waitUntilServing, type HarmonicProcess } from '../../server/testing/process.ts';
import { OFFLINE_UPSTREAMS } from '../../server/testing/server.ts';

/**
 * The README's production recipe in a copy of this checkout: `npm run build`
 * with the dev dependencies, then `npm ci --omit=dev`, then `npm start` on
 * Node 22 against a fresh database. A production machine has its own Node 22;
 * here that is the dev tree's pinned binary, put first on the PATH because the
 * production install has none.
 */
const NODE_22 = path.join(REPO_ROOT, 'node_modules/.bin/node');

let dir: string;
let nodeBin: string;
let db: TestDatabase;
let env: Record<string, string>;
const started: HarmonicProcess[] = [];

function run(cmd: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function copyCheckout(to: string): Promise<void> {
  // What a clone of this working tree holds: tracked and new files, nothing ignored (no node_modules, no dist).
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
  for (const rel of listed.split('\0').filter(Boolean)) {
    const from = path.join(REPO_ROOT, rel);
    if (!(await fs.stat(from).catch(() => undefined))?.isFile()) continue;
    await fs.mkdir(path.dirname(path.join(to, rel)), { recursive: true });
    await fs.copyFile(from, path.join(to, rel));
  }
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-prod-'));
  nodeBin = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-node22-'));
  await fs.symlink(await fs.realpath(NODE_22), path.join(nodeBin, 'node'));
  env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['DATABASE_URL', 'PORT', 'HARMONIC_DATA_DIR', 'NODE_ENV'].includes(k) && !k.startsWith('VITEST')) env[k] = v;
  }
  env['PATH'] = `${nodeBin}${path.delimiter}${process.env['PATH'] ?? ''}`;

  await copyCheckout(dir);
  // `npm run build` where the dev dependencies are installed: the dev tree's, lent for the build only.
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const build = await run('npm', ['run', 'build', '--silent', '--', '--logLevel', 'warn']);
  expect(build.code, build.output).toBe(0);
  await fs.unlink(path.join(dir, 'node_modules'));
  const install = await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline']);
  expect(install.code, install.output).toBe(0);
  db = await createEmptyDatabase();
}, 900_000);

afterAll(async () => {
  for (const proc of started) proc.kill('SIGKILL');
  await db?.drop();
  await fs.rm(dir, { recursive: true, force: true });
  await fs.rm(nodeBin, { recursive: true, force: true });
}, 120_000);

describe('the production recipe: npm run build, npm ci --omit=dev, npm start', () => {
  it('installs no dev dependency and serves on Node 22 without calling the apps stale', { timeout: 300_000 }, async () => {
    await expect(fs.access(path.join(dir, 'node_modules/vite'))).rejects.toThrow();
    await expect(fs.access(path.join(dir, 'node_modules/.bin/node'))).rejects.toThrow();
    expect((await run('node', ['--version'])).output).toMatch(/^v22\./);

    const proc = spawnHarmonic({
      command: ['npm', 'start'],
      cwd: dir,
      env: { ...env, DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...OFFLINE_UPSTREAMS },
    });
    started.push(proc);
    const { url, pid } = await waitUntilServing(proc, 240_000);
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<script type="module"[^>]*src="\/assets\//);

    expect(proc.output()).toMatch(/> node scripts\/ensure-spa\.ts/);
    expect(proc.output()).not.toMatch(/stale|not built|building the portal/i);
    process.kill(pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('judges the build by content: new file times pass, a changed source is reported', { timeout: 120_000 }, async () => {
    // What a copy, a checkout or an install does to the sources without changing them.
    const later = new Date(Date.now() + 3_600_000);
    for (const rel of ['client/admin/main.tsx', 'shared/users.ts', 'package-lock.json', 'vite.config.ts']) await fs.utimes(path.join(dir, rel), later, later);
    const touched = await run('node', ['scripts/ensure-spa.ts']);
    expect(touched).toEqual({ code: 0, output: '' });

    await fs.appendFile(path.join(dir, 'shared/users.ts'), '\n// changed after the build\n');
    const changed = await run('node', ['scripts/ensure-spa.ts']);
    expect(changed.code).toBe(0);
    expect(changed.output).toMatch(/the portal and admin apps in dist\/client may be stale \(client\/, shared\/ or the lock file changed since it was built at \d{4}-.*\), and vite is not installed to rebuild it/);
  });
});
