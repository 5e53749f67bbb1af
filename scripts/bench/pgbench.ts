/**
 * `npm run bench:pg`: what one PostgreSQL node sustains for Harmonic's two hot
 * statements, measured with pgbench on the statements the server really sends
 * (taken from server/usage/admission/repository.ts, parameters bound by
 * pgbench), for the capacity model in docs/scaling.md:
 *
 *   admit-1    one keyed admission per transaction (the unbatched path)
 *   admit-50   one statement admitting 50 calls of one user (group commit)
 *   ledger-500 one user's ledger flush of 500 rows (usage_events, key_usage, usage_summaries, the alerts CTE)
 *
 * over PGBENCH_USERS users (default 10,000), each with one key, on an unlimited
 * tier; PGBENCH_SECONDS (default 15) per scenario, PGBENCH_CLIENTS (default 8)
 * connections. It then reports the ledger's bytes per row (table and indexes).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyedAdmission, userLedgerStatement } from '../../server/usage/admission/repository.ts';
import { withBenchDatabase } from './database.ts';

const USERS = Number(process.env['PGBENCH_USERS'] ?? 10_000);
const SECONDS = Number(process.env['PGBENCH_SECONDS'] ?? 15);
const CLIENTS = Number(process.env['PGBENCH_CLIENTS'] ?? 8);

/** Rewrites a statement's $n parameters as pgbench expressions; `:name` are pgbench variables, bound as parameters. */
function bind(text: string, params: Record<string, string>): string {
  return text.replace(/\$(\d+)(::[a-z[\]]+)?/g, (whole, n: string) => params[n] ?? whole);
}

async function main(): Promise<void> {
  await withBenchDatabase('pgbench', async ({ url, orm }) => {
    const conn = orm.em.fork().getConnection();
    console.log(`npm run bench:pg: ${USERS.toLocaleString('en')} users, ${CLIENTS} clients, ${SECONDS} s per scenario`);
    // Users and keys straight in SQL: the statements only need rows that pass their checks.
    await conn.execute(`
      create table bench_map as
        select n, gen_random_uuid() as user_id, gen_random_uuid() as key_id from generate_series(1, ${USERS}) n`);
    await conn.execute(`alter table bench_map add primary key (n)`);
    await conn.execute(`
      insert into users (id, email, name, tier_id, status, created_at, updated_at)
      select user_id, 'pgbench-' || n || '@example.com', 'pgbench ' || n,
             (select id from tiers where monthly_quota is null order by name limit 1), 'active', now(), now()
        from bench_map`);
    await conn.execute(`
      insert into api_keys (id, user_id, lookup_id, key_hash, name, created_at)
      select key_id, user_id, substr(md5(n::text), 1, 16), '$2a$04$pgbench', 'pgbench', now() from bench_map`);
    await conn.execute('analyze');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harmonic-pgbench-'));
    const pick = `\\set n random(1, ${USERS})\nselect user_id, key_id from bench_map where n = :n \\gset\n`;
    const admit = (calls: number) =>
      pick + bind(keyedAdmission('', [], 1).text, { '1': `array_fill(:key_id::uuid, array[${calls}])`, '2': '1', '3': ':user_id::uuid' }).trim() + ';\n';
    const events = `(select jsonb_agg(jsonb_build_object(
        'period', date_trunc('month', now() at time zone 'utc')::date, 'apiKeyId', :key_id::uuid, 'clientIp', '10.0.0.1',
        'endpoint', '/api/v1/data', 'method', 'POST', 'sources', array['kb','wiki'], 'status', 200,
        'responseTimeMs', 12, 'units', 1, 'createdAt', now(),
        'usedAfter', g, 'limit', null, 'periodStart', date_trunc('month', now()), 'periodEnd', date_trunc('month', now()) + interval '1 month'))
        from generate_series(1, 500) g)`;
    const ledger = pick + bind(userLedgerStatement('', []).text, { '1': events, '2': ':user_id::uuid' }).trim() + ';\n';
    const scenarios = [
      { id: 'admit-1', script: admit(1), callsPerTx: 1 },
      { id: 'admit-50', script: admit(50), callsPerTx: 50 },
      { id: 'ledger-500', script: ledger, callsPerTx: 500 },
    ];

    const u = new URL(url);
    const results: { id: string; tps: number; latencyMs: number; perSecond: number }[] = [];
    for (const s of scenarios) {
      const file = path.join(dir, `${s.id}.sql`);
      fs.writeFileSync(file, s.script);
      process.stdout.write(`  running ${s.id}…\n`);
      const out = execFileSync(
        'pgbench',
        ['-n', '-M', 'prepared', '-c', String(CLIENTS), '-j', '2', '-T', String(SECONDS), '-f', file, '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres', u.pathname.slice(1)],
        { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) } },
      );
      const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? NaN);
      const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? NaN);
      const failed = Number(/number of failed transactions: (\d+)/.exec(out)?.[1] ?? 0);
      if (!Number.isFinite(tps) || failed > 0) throw new Error(`pgbench ${s.id} failed:\n${out}`);
      results.push({ id: s.id, tps, latencyMs, perSecond: tps * s.callsPerTx });
    }

    const [size] = await conn.execute<{ rows: number; bytes: number }[]>(
      `select (select count(*) from usage_events)::float8 as rows,
              (select sum(pg_total_relation_size(inhrelid)) from pg_inherits where inhparent = 'usage_events'::regclass)::float8 as bytes`,
    );
    const [admitted] = await conn.execute<{ used: number }[]>(`select coalesce(sum(used), 0)::float8 as used from usage_counters`);

    console.log('\nscenario     tx/s     latency ms   calls or rows/s');
    for (const r of results) {
      console.log(`${r.id.padEnd(11)} ${r.tps.toFixed(0).padStart(7)}  ${r.latencyMs.toFixed(2).padStart(10)}   ${Math.round(r.perSecond).toLocaleString('en').padStart(12)}`);
    }
    if (size) console.log(`\nledger: ${size.rows.toLocaleString('en')} rows, ${(size.bytes / 1024 / 1024).toFixed(1)} MiB with indexes, ${(size.bytes / Math.max(1, size.rows)).toFixed(0)} bytes per row`);
    console.log(`counters: ${(admitted?.used ?? 0).toLocaleString('en')} calls admitted; CPUs: ${os.cpus().length}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

await main();
