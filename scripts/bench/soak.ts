/**
 * `npm run bench:soak`: 1,000 concurrent connections (SOAK_CONNECTIONS) on
 * keyed POST /api/v1/data for 60 s (SOAK_SECONDS), spread over an Enterprise,
 * a Pro and a Free user, so the quota runs out for some. Checks: no answer
 * other than 200 and 429, the server's memory (RSS) at start and end, and that
 * every user's counter equals their ledger rows after a graceful shutdown.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import { loadConfig } from '../../server/config.ts';
import { createServices } from '../../server/services.ts';
import { counterLedgerMismatches, createUserWithKey } from '../../server/testing/fixtures.ts';
import { spawnServer } from '../../server/testing/process.ts';
import { withBenchDatabase } from './database.ts';

const CONNECTIONS = Number(process.env['SOAK_CONNECTIONS'] ?? 1000);
const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 60);

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return Math.round(kb / 1024);
}

await withBenchDatabase('soak', async ({ url, orm, logger, source }) => {
  const services = createServices({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger, orm });
  const users = [
    await createUserWithKey(services, { tier: 'Enterprise' }),
    await createUserWithKey(services, { tier: 'Pro' }),
    await createUserWithKey(services, { tier: 'Free' }),
  ];
  const server = await spawnServer(url, { LOG_LEVEL: 'warn' });
  const body = JSON.stringify({ query: 'rate limiting', sources: 'kb' });
  const requests = users.map((u) => ({
    method: 'POST' as const,
    path: '/api/v1/data',
    headers: { 'content-type': 'application/json', 'x-api-key': u.key },
    body,
  }));

  // A short warm-up so the start figure is the steady state, not the cold process.
  await autocannon({ url: server.url, requests, connections: 50, duration: 3 });
  const rss: { second: number; mb: number }[] = [{ second: 0, mb: rssMb(server.pid) }];
  console.log(
    `soak: ${CONNECTIONS} connections for ${SECONDS} s against ${server.url} (PostgreSQL from ${source}); RSS at start ${rss[0]?.mb} MB`,
  );
  const sampler = setInterval(() => rss.push({ second: rss.length * 10, mb: rssMb(server.pid) }), 10_000);
  const statuses = new Map<number, number>();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url: server.url, requests, connections: CONNECTIONS, duration: SECONDS, timeout: 30 }, (err, res) =>
      err ? reject(err) : resolve(res),
    );
    instance.on('response', (_c: unknown, status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1));
  });
  clearInterval(sampler);
  rss.push({ second: SECONDS, mb: rssMb(server.pid) });

  process.kill(server.pid, 'SIGTERM');
  const exit = await server.proc.exited;
  const mismatches = await counterLedgerMismatches(
    services,
    users.map((u) => u.userId),
  );
  const counters = await orm.em
    .fork()
    .execute<{ tier: string; used: number }[]>(
      `select t.name as tier, c.used from usage_counters c join users u on u.id = c.user_id join tiers t on t.id = u.tier_id order by c.used desc`,
    );

  const other = [...statuses].filter(([s]) => s !== 200 && s !== 429);
  console.log(
    `requests: ${result.requests.total} (${Math.round(result.requests.average)}/s), latency p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
  );
  console.log(
    `answers: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; socket errors ${result.errors}, timeouts ${result.timeouts}`,
  );
  console.log(`RSS (MB) every 10 s: ${rss.map((r) => r.mb).join(' → ')}`);
  console.log(
    `counters: ${counters.map((c) => `${c.tier} ${c.used}`).join(', ')}; counter/ledger mismatches: ${mismatches.length}; exit code ${exit.code}`,
  );
  const ok = other.length === 0 && result.errors === 0 && mismatches.length === 0 && exit.code === 0;
  console.log(ok ? 'soak: PASS' : 'soak: FAIL');
  process.exitCode = ok ? 0 : 1;
});
