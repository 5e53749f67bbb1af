/**
 * `npm run bench:trpc`: server CPU per call of the keyed data call through REST
 * (d), through tRPC with @trpc/server's own Fastify adapter, and through ours
 * (server/trpc-fastify.ts), all in one process through `app.inject` (no
 * sockets), alternating in short slices (BENCH_CALLS, default 200, for
 * BENCH_ROUNDS, default 15; the first two are warm-up). Alternating matters on a
 * shared machine: background load then falls on every path alike, where
 * back-to-back autocannon runs of `npm run bench` cannot resolve a 25% change.
 */
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import { buildApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createContextFactory } from '../../server/context.ts';
import { appRouter } from '../../server/routers/root.ts';
import { createServices, startServices, stopServices } from '../../server/services.ts';
import { createUserWithKey } from '../../server/testing/fixtures.ts';
import { withBenchDatabase } from './database.ts';

const N = Number(process.env['BENCH_CALLS'] ?? 200);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const CONC = 20;
await withBenchDatabase('inject', async ({ url, orm, logger }) => {
  const services = createServices({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger, orm });
  await startServices(services);
  const app = await buildApp({ services });
  await app.register(fastifyTRPCPlugin, { prefix: '/trpc-official', trpcOptions: { router: appRouter, createContext: createContextFactory(services) } });
  await app.ready();
  const u = await createUserWithKey(services, { tier: 'Enterprise' });
  const body = JSON.stringify({ query: 'rate limiting', sources: 'kb' });
  const cases: Record<string, string> = { d: '/api/v1/data', 'g, official adapter': '/trpc-official/data.fetch', 'g, ours': '/trpc/data.fetch' };
  /** `n` calls over CONC concurrent callers, like autocannon's connections. */
  const run = async (url: string, n: number) => {
    let i = 0;
    const worker = async () => {
      while (i++ < n) {
        const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-api-key': u.key }, payload: body });
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      }
    };
    await Promise.all(Array.from({ length: CONC }, worker));
  };
  const cpu: Record<string, number> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [id, path] of Object.entries(cases)) {
      const before = process.cpuUsage();
      await run(path, N);
      const used = process.cpuUsage(before);
      if (round >= 2) cpu[id] = (cpu[id] ?? 0) + used.user + used.system;
    }
  }
  const per = (id: string) => (cpu[id] ?? 0) / ((ROUNDS - 2) * N);
  console.log(`npm run bench:trpc: ${ROUNDS - 2} slices of ${N} calls per path (after 2 of warm-up), ${CONC} at a time; Node ${process.version}`);
  for (const id of Object.keys(cases)) {
    console.log(`  (${id}) ${String(Math.round(per(id))).padStart(5)} µs CPU per call; (d)/this = ${(per('d') / per(id)).toFixed(2)} (the req/s ratio when CPU-bound)`);
  }
  await app.close();
  await stopServices(services);
});
