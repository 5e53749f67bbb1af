/**
 * `npm run bench:auth`: what a key costs. In one run, on a real PostgreSQL:
 *  - verification latency on a cache hit and on a miss (bcrypt),
 *  - admission latency (the one atomic statement),
 *  - the whole keyed overhead (auth + quota + metering) over HTTP, against an
 *    unauthenticated route that does the same nothing;
 *  - a valid, cached key's latency, quiet and while 16 connections flood the
 *    server with well-formed keys that have the key's real lookup id and random
 *    secrets, from one address and from a new address per request.
 * Prints a table and writes JSON to bench-results/.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createServices, startServices, stopServices } from '../../server/services.ts';
import { LOOKUP_LENGTH } from '../../server/keys/format.ts';
import { createUserWithKey } from '../../server/testing/fixtures.ts';
import { withBenchDatabase } from './database.ts';
import { percentiles, printTable, type Row } from './stats.ts';

const HTTP_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0;
}

interface FloodTotals {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  errors: number;
}

/** Starts scripts/bench/flood.ts in its own process and resolves once its first request was answered. */
async function startFlood(base: string, lookupId: string, mode: string, rate: number | undefined): Promise<{ stop: () => Promise<FloodTotals> }> {
  const args = [path.join(import.meta.dirname, 'flood.ts'), base, lookupId, mode, ...(rate ? [String(rate)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout });
  const next = () => new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`flood.ts exited with ${code}`)));
  });
  if ((await next()) !== 'ready') throw new Error('flood.ts did not start');
  return {
    stop: async () => {
      const totals = next();
      child.kill('SIGTERM');
      return JSON.parse(await totals) as FloodTotals;
    },
  };
}

async function http(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; connections: number }) {
  const result = await autocannon({
    url,
    method: (opts.method ?? 'GET') as 'GET',
    headers: opts.headers ?? {},
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    connections: opts.connections,
    duration: HTTP_SECONDS,
  });
  return result;
}

async function main(): Promise<void> {
  await withBenchDatabase('bench_auth', async ({ url, orm, logger, source }) => {
    // TRUST_PROXY so the many-address flood can name its addresses in X-Forwarded-For; every other
    // request comes straight from 127.0.0.1.
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', BCRYPT_COST: process.env['BCRYPT_COST'] ?? '10', TRUST_PROXY: 'true' });
    const rows: Row[] = [];
    const services = createServices({ config, logger, orm });
    await startServices(services);
    const user = await createUserWithKey(services, { tier: 'Enterprise' });
    const em = () => orm.em.fork();
    console.log(`bench:auth on Node ${process.version}, PostgreSQL from ${source}, bcrypt cost ${config.bcryptCost}`);

    // 1. Verification.
    await services.keys.authenticate(em(), user.key);
    const hit = await timeEach(20_000, () => services.keys.authenticate(em(), user.key));
    rows.push({ name: 'verify, cache hit', unit: 'µs', ...percentiles(hit.map((ms) => ms * 1000)) });
    const miss = await timeEach(20, () => {
      services.keyCache.clear();
      return services.keys.authenticate(em(), user.key);
    });
    rows.push({ name: 'verify, cache miss (bcrypt)', unit: 'ms', ...percentiles(miss) });
    const bad = `${user.key.slice(0, 20)}${'Z'.repeat(15)}`;
    const rejected = await timeEach(20_000, () => services.keys.authenticate(em(), bad).catch(() => undefined));
    rows.push({ name: 'verify, malformed key (checksum)', unit: 'µs', ...percentiles(rejected.map((ms) => ms * 1000)) });

    // 2. Admission: the one atomic statement.
    const key = await services.keys.authenticate(em(), user.key);
    const admit = await timeEach(5_000, () => services.usage.admitKey(em(), key));
    rows.push({ name: 'admission statement', unit: 'ms', ...percentiles(admit) });

    // 3. Over HTTP: keyed overhead against an unauthenticated route doing the same nothing.
    const app = await buildApp({ services });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const trackBody = JSON.stringify({ endpoint: 'bench', units: 1 });
    const jsonHeaders = { 'content-type': 'application/json' };
    const unauthenticated = () => fetch(`${base}/api/v1/data`).then((r) => r.arrayBuffer());
    const keyed = () =>
      fetch(`${base}/api/v1/usage/track`, { method: 'POST', headers: { ...jsonHeaders, 'x-api-key': user.key }, body: trackBody }).then(
        (r) => r.arrayBuffer(),
      );
    // Sequential requests on one keep-alive connection, timed with a high-resolution clock:
    // the difference between the two routes is what auth + admission + metering cost one call.
    await timeEach(500, unauthenticated);
    await timeEach(500, keyed);
    const plain = await timeEach(5_000, unauthenticated);
    const metered = await timeEach(5_000, keyed);
    const p = percentiles(plain);
    const k = percentiles(metered);
    rows.push({ name: 'HTTP unauthenticated GET /api/v1/data, sequential', unit: 'ms', ...p });
    rows.push({ name: 'HTTP keyed POST /api/v1/usage/track, sequential', unit: 'ms', ...k });
    rows.push({ name: 'keyed overhead per call (keyed − unauthenticated)', unit: 'ms', p50: k.p50 - p.p50, p99: k.p99 - p.p99 });

    // The same two routes under load, for throughput.
    for (const [name, opts] of [
      ['load: unauthenticated GET /api/v1/data, c=50', { connections: 50 }],
      [
        'load: keyed POST /api/v1/usage/track, c=50',
        { method: 'POST', headers: { ...jsonHeaders, 'x-api-key': user.key }, body: trackBody, connections: 50 },
      ],
    ] as const) {
      const r = await http(name.includes('track') ? `${base}/api/v1/usage/track` : `${base}/api/v1/data`, opts);
      rows.push({
        name,
        unit: 'ms',
        p50: r.latency.p50,
        p99: r.latency.p99,
        max: r.latency.max,
        rps: r.requests.average,
        errors: r.errors + r.non2xx,
      });
    }

    // 4. A flood of well-formed random secrets on the key's real lookup id, against a valid cached key.
    // This machine's background load drifts, so each flood alternates with no flood in short rounds and
    // its p95 is compared with the p95 of its own quiet rounds. 200 req/s is 13 times the flood
    // (16 connections that bcrypt held to 15 req/s); the unbounded rows show what is left at full
    // speed, next to a flood of the cheapest route for scale.
    const lookupId = user.key.slice(3, 3 + LOOKUP_LENGTH);
    const ROUNDS = 5;
    const PER_ROUND = Number(process.env['BENCH_FLOOD_SAMPLES'] ?? 600);
    const floodRows: Row[] = [];
    for (const [name, mode, rate] of [
      ['forged keys, one address, c=16, 200 req/s', 'forged-one-address', 200],
      ['forged keys, new address per request, c=16, 200 req/s', 'forged-many-addresses', 200],
      ['forged keys, one address, c=16, unbounded', 'forged-one-address', undefined],
      ['forged keys, new address per request, c=16, unbounded', 'forged-many-addresses', undefined],
      ['unauthenticated GET /api/v1/data, c=16, unbounded (HTTP load alone)', 'unauthenticated', undefined],
    ] as const) {
      const quiet: number[] = [];
      const flooded: number[] = [];
      let seconds = 0;
      let compares = 0;
      const statuses: Record<string, number> = {};
      let requests = 0;
      let floodSeconds = 0;
      for (let round = 0; round < ROUNDS; round++) {
        quiet.push(...(await timeEach(PER_ROUND, keyed)));
        const comparesBefore = services.bcrypt.compares;
        const flood = await startFlood(base, lookupId, mode, rate);
        const started = performance.now();
        flooded.push(...(await timeEach(PER_ROUND, keyed)));
        seconds += (performance.now() - started) / 1000;
        const totals = await flood.stop();
        compares += services.bcrypt.compares - comparesBefore;
        requests += totals.requests;
        floodSeconds += totals.seconds;
        for (const [code, n] of Object.entries(totals.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
      }
      const quietP95 = p95(quiet);
      const floodP95 = p95(flooded);
      floodRows.push({
        name: `valid cached key under flood: ${name}`,
        unit: 'ms',
        ...percentiles(flooded),
        p95: floodP95,
        quietP95,
        p95VsQuiet: Number((floodP95 / quietP95).toFixed(2)),
        floodRps: Math.round(requests / floodSeconds),
        floodStatuses: statuses,
        bcryptComparesPerSecond: Number((compares / seconds).toFixed(1)),
      });
    }
    rows.push(...floodRows);

    await app.close();
    await stopServices(services);
    printTable(rows);
    console.log('\nvalid cached key (sequential keyed POST /api/v1/usage/track), p95 with and without each flood:');
    for (const r of floodRows) {
      const [p, q] = [r['p95'] as number, r['quietP95'] as number];
      console.log(
        `  ${r.name}: ${p.toFixed(2)} ms vs ${q.toFixed(2)} ms quiet (x${String(r['p95VsQuiet'])}); ` +
          `the flood got ${String(r['floodRps'])} req/s ${JSON.stringify(r['floodStatuses'])}, ${String(r['bcryptComparesPerSecond'])} bcrypt compares/s`,
      );
    }
    const outDir = path.resolve(import.meta.dirname, '../../bench-results');
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `auth-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({ node: process.version, postgres: source, bcryptCost: config.bcryptCost, httpSeconds: HTTP_SECONDS, rows }, null, 2),
    );
    console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
  });
}

await main();
