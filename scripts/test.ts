/**
 * `npm test`: the whole suite, in the order a reviewer would want to read it:
 * install on a fresh clone, typecheck, lint, SPA build, unit + integration
 * (vitest), browser journeys (Playwright). It installs what it needs on the way (Debian's chromium for the
 * browser tests), finds PostgreSQL (TEST_DATABASE_URL, else 127.0.0.1:5432,
 * else an embedded one) once for every step, and ends with `N passed, N failed`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findTestPostgres } from '../server/testing/postgres.ts';
import { checkFreshCloneInstall } from './install-check.ts';

const root = path.resolve(import.meta.dirname, '..');
const artifacts = path.join(root, '.test-artifacts');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

interface StepResult {
  name: string;
  passed: number;
  failed: number;
  seconds: number;
  note?: string;
}
const results: StepResult[] = [];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(1));
  });
}

function banner(text: string): void {
  console.log(`\n━━ ${text} ${'━'.repeat(Math.max(0, 70 - text.length))}`);
}

/** A step that is one check: it passes or fails as a whole. */
async function check(name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  banner(name);
  const started = Date.now();
  const code = await run(cmd, args, env);
  results.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, seconds: (Date.now() - started) / 1000 });
}

async function freshCloneInstall(): Promise<void> {
  banner('install on a fresh clone (npm ci, then npm install leaves git status clean)');
  for (const c of await checkFreshCloneInstall(root)) {
    results.push({ name: c.name, passed: c.failure ? 0 : 1, failed: c.failure ? 1 : 0, seconds: c.seconds, ...(c.failure ? { note: c.failure } : {}) });
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function vitest(env: NodeJS.ProcessEnv): Promise<void> {
  banner('unit + integration tests (vitest)');
  const report = path.join(artifacts, 'vitest.json');
  fs.rmSync(report, { force: true });
  const started = Date.now();
  const code = await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], env);
  const json = readJson<{ numPassedTests: number; numFailedTests: number; numTotalTests: number }>(report);
  const seconds = (Date.now() - started) / 1000;
  if (!json) {
    results.push({ name: 'vitest', passed: 0, failed: 1, seconds, note: `exited ${code} without a report` });
  } else {
    // A run can fail outside any test (e.g. an error in a hook or an unhandled rejection).
    const extra = code !== 0 && json.numFailedTests === 0 ? 1 : 0;
    results.push({ name: 'vitest', passed: json.numPassedTests, failed: json.numFailedTests + extra, seconds, ...(extra ? { note: 'errors outside tests' } : {}) });
  }
}

function ensureChromium(): string | undefined {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((p) => fs.existsSync(p));
  if (found) return found;
  banner("installing Debian's chromium for the browser tests");
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    spawnSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['apt-get', ...args], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    }).status === 0;
  if (!apt(['install', '-y', '--no-install-recommends', 'chromium'])) {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  return candidates.find((p) => fs.existsSync(p));
}

async function playwright(env: NodeJS.ProcessEnv): Promise<void> {
  if (!fs.existsSync(path.join(root, 'playwright.config.ts'))) return;
  const chromium = ensureChromium();
  banner('browser journeys (Playwright, Debian chromium)');
  const started = Date.now();
  if (!chromium) {
    results.push({ name: 'playwright', passed: 0, failed: 1, seconds: 0, note: 'chromium could not be installed' });
    return;
  }
  const report = path.join(artifacts, 'playwright.json');
  fs.rmSync(report, { force: true });
  const code = await run(bin('playwright'), ['test'], { ...env, CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: report });
  const json = readJson<{ stats: { expected: number; unexpected: number; flaky: number } }>(report);
  const seconds = (Date.now() - started) / 1000;
  if (!json) results.push({ name: 'playwright', passed: 0, failed: 1, seconds, note: `exited ${code} without a report` });
  else results.push({ name: 'playwright', passed: json.stats.expected + json.stats.flaky, failed: json.stats.unexpected, seconds });
}

async function main(): Promise<void> {
  const started = Date.now();
  fs.mkdirSync(artifacts, { recursive: true });
  console.log(`Harmonic test suite on Node ${process.version}`);

  const pgServer = await findTestPostgres();
  console.log(`PostgreSQL for tests: ${pgServer.source}`);
  const env = { ...process.env, TEST_DATABASE_URL: pgServer.adminUrl, FORCE_COLOR: process.env['FORCE_COLOR'] ?? '1' };

  try {
    await freshCloneInstall();
    await check('typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', '.']);
    // The portal is a program of its own (its router's types are registered globally, like the admin app's).
    await check('typecheck the portal (tsc --noEmit -p client/portal)', bin('tsc'), ['--noEmit', '-p', 'client/portal']);
    await check('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0']);
    await check('build the portal and admin apps (vite build)', bin('vite'), ['build', '--logLevel', 'warn']);
    await vitest(env);
    await playwright(env);
  } finally {
    await pgServer.stop();
  }

  banner('summary');
  for (const r of results) {
    const mark = r.failed ? '✗' : '✓';
    console.log(`${mark} ${r.name.padEnd(40)} ${String(r.passed).padStart(5)} passed ${String(r.failed).padStart(4)} failed  ${r.seconds.toFixed(1).padStart(6)}s${r.note ? `  (${r.note})` : ''}`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`total time ${((Date.now() - started) / 1000).toFixed(0)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
