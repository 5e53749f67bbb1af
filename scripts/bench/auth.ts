/**
 * `npm run bench:auth`: what a key costs. In one run, on a real PostgreSQL:
 *  - verification latency on a cache hit and on a miss (bcrypt),
 *  - admission latency (the one atomic statement),
 *  - the whole keyed overhead (auth + quota + metering) over HTTP, against an
 *    unauthenticated route that does the same nothing.
 * Prints a table and writes JSON to bench-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createServices, startServices, stopServices } from '../../server/services.ts';
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
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', BCRYPT_COST: process.env['BCRYPT_COST'] ?? '10' });
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

    await app.close();
    await stopServices(services);
    printTable(rows);
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
