/**
 * `npm run bench:ab -- <checkout> [<checkout> …]`: server CPU per request of the keyed data call
 * through REST (d) and tRPC (g), for Harmonic servers started from several checkouts at once (e.g.
 * a `git worktree` of an older commit, with its own or this one's node_modules), plus the inexact
 * peer (h). All servers run side by side on one database, and autocannon drives them in short
 * alternating slices (BENCH_SLICE_SECONDS, default 2, for BENCH_ROUNDS, default 6, after one
 * warm-up round), so the background load of a shared machine falls on every arm alike; back-to-back
 * `npm run bench` runs on a busy machine differ by more than the changes being compared.
 * BENCH_PATHS (default d,g,h) picks the arms. `<checkout>@KEY=value,…` gives that server extra
 * environment (e.g. `.@LOG_LEVEL=info`). The checkouts' servers must accept this checkout's schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { loadConfig } from '../../server/config.ts';
import { createServices } from '../../server/services.ts';
import { createUserWithKey } from '../../server/testing/fixtures.ts';
import { spawnHarmonic, waitUntilReady, waitUntilServing, type HarmonicProcess } from '../../server/testing/process.ts';
import { OFFLINE_UPSTREAMS } from '../../server/testing/server.ts';
import { withBenchDatabase } from './database.ts';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SLICE = Number(process.env['BENCH_SLICE_SECONDS'] ?? 2);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 6);
const PATHS = (process.env['BENCH_PATHS'] ?? 'd,g,h').split(',');
const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** `dir` or `dir@KEY=value,KEY=value`: a checkout, and environment for its server (e.g. LOG_LEVEL=info). */
const roots = process.argv.slice(2).map((arg) => {
  const [dir = '.', env = ''] = arg.split('@');
  const vars = Object.fromEntries(env.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { dir: path.resolve(dir), env: vars as Record<string, string>, label: `${path.basename(path.resolve(dir))}${env ? ` ${env}` : ''}` };
});
if (roots.length === 0) {
  console.error('usage: npm run bench:ab -- <checkout>[@KEY=value,…] [<checkout>[@…] …]');
  process.exit(2);
}

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

interface Arm {
  name: string;
  url: string;
  pid: number;
  headers: Record<string, string>;
  cpu: number;
  requests: number;
  bytes: number;
}

await withBenchDatabase('ab', async ({ url, orm, logger }) => {
  const services = createServices({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger, orm });
  const paying = await createUserWithKey(services, { tier: 'Enterprise' });
  const procs: HarmonicProcess[] = [];
  const children: ChildProcess[] = [];
  try {
    const arms: Arm[] = [];
    const keyed = { 'content-type': 'application/json', 'x-api-key': paying.key };
    for (const { dir, env, label } of roots) {
      const proc = spawnHarmonic({
        command: [process.execPath, 'server/main.ts'],
        cwd: dir,
        env: { DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...OFFLINE_UPSTREAMS, ...env },
      });
      procs.push(proc);
      const served = await waitUntilServing(proc);
      await waitUntilReady(served.url, proc);
      if (PATHS.includes('d')) arms.push({ name: `(d) REST, ${label}`, url: `${served.url}/api/v1/data`, pid: served.pid, headers: keyed, cpu: 0, requests: 0, bytes: 0 });
      if (PATHS.includes('g')) arms.push({ name: `(g) tRPC, ${label}`, url: `${served.url}/trpc/data.fetch`, pid: served.pid, headers: keyed, cpu: 0, requests: 0, bytes: 0 });
    }
    if (PATHS.includes('h')) {
      const peer = spawn(process.execPath, [path.join(import.meta.dirname, 'reference-server.ts'), 'peer', process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(peer);
      const port = await new Promise<string>((resolve, reject) => {
        peer.stdout.on('data', (chunk: Buffer) => {
          const m = /listening (\d+)/.exec(chunk.toString())?.[1];
          if (m) resolve(m);
        });
        peer.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
      });
      arms.push({ name: '(h) peer', url: `http://127.0.0.1:${port}/bench`, pid: peer.pid ?? 0, headers: keyed, cpu: 0, requests: 0, bytes: 0 });
    }
    const body = JSON.stringify({ query: 'rate limiting', sources: 'kb' });
    console.log(`npm run bench:ab: ${ROUNDS} rounds of ${SLICE} s per arm (after 1 warm-up round), ${CONNECTIONS} connections; Node ${process.version}`);
    for (let round = -1; round < ROUNDS; round++) {
      for (const arm of arms) {
        const before = cpuSeconds(arm.pid);
        const result = await autocannon({ url: arm.url, method: 'POST', headers: arm.headers, body, connections: CONNECTIONS, duration: SLICE });
        if (result.non2xx || result.errors) throw new Error(`${arm.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
        if (round < 0) continue;
        arm.cpu += cpuSeconds(arm.pid) - before;
        arm.requests += result.requests.total;
        arm.bytes += result.throughput.total;
      }
    }
    for (const arm of arms) {
      const us = (arm.cpu / arm.requests) * 1e6;
      console.log(`  ${arm.name.padEnd(40)} ${String(Math.round(us)).padStart(6)} µs CPU/req  ${String(Math.round(arm.requests / (ROUNDS * SLICE))).padStart(6)} req/s  ${String(Math.round(arm.bytes / arm.requests)).padStart(5)} B/answer`);
    }
  } finally {
    for (const p of procs) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    for (const c of children) c.kill('SIGTERM');
  }
});
