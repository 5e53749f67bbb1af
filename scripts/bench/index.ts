/**
 * `npm run bench`: Harmonic's keyed path against the stack's own ceilings, in
 * one run, side by side (BENCH_CONNECTIONS, default 50; BENCH_SECONDS, default 10):
 *   (a) bare Fastify route, small JSON            (the HTTP ceiling)
 *   (b) bare Fastify route + one SQL statement     (counter increment + ledger insert: the metered ceiling)
 *   (c) GET /healthz
 *   (d) keyed POST /api/v1/data on the kb source, warm key cache and source cache
 *   (d0) the same on a limited tier with usage alerts off, and (d1) with alerts whose thresholds are crossed
 *       during the run (and others that are not): what detection in the ledger flush costs; measured last,
 *       in BENCH_ALERT_ROUNDS (default 4) rounds of alternating order
 *   (e) the same call for a user over quota        (the 429 path)
 *   (f) the same call without a key                (demo mode)
 *   (g) the same call through tRPC                 (POST /trpc/data.fetch, the typed client's request)
 *   (h) the peer: Fastify + @fastify/rate-limit + Redis (REDIS_URL, default redis://127.0.0.1:6379), sending (d)'s answer,
 *       no key check, no ledger: what a user who gives up exactness builds
 * For each: req/s, p50/p99/max latency, errors, and CPU per request of the
 * server process and of PostgreSQL. `--profile` also records a CPU profile of
 * the Harmonic server and prints its top frames. Writes JSON to bench-results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../../server/config.ts';
import { createServices } from '../../server/services.ts';
import { createUserWithKey, setUsedThisPeriod, TEST_ACTOR } from '../../server/testing/fixtures.ts';
import { spawnServer, REPO_ROOT } from '../../server/testing/process.ts';
import { withBenchDatabase } from './database.ts';
import { printTable, type Row } from './stats.ts';
import { topFrames } from './profile.ts';

const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 2);
/** Rounds of the alerts pair (d0, d1). */
const ALERT_ROUNDS = Number(process.env['BENCH_ALERT_ROUNDS'] ?? 4);
const PROFILE = process.argv.includes('--profile');
const OUT_DIR = path.join(REPO_ROOT, 'bench-results');
const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds used so far by a process (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds so far of every PostgreSQL process on the machine (the server and its backends), by pid. */
function postgresCpu(): Map<number, number> {
  const byPid = new Map<number, number>();
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') byPid.set(Number(pid), cpuSeconds(Number(pid)));
    } catch {
      // gone
    }
  }
  return byPid;
}

/** CPU PostgreSQL used between two snapshots; a backend that exited in between is not counted. */
function postgresCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, cpu] of after) total += cpu - (before.get(pid) ?? 0);
  return total;
}

function startReference(mode: 'hello' | 'metered' | 'peer', args: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'reference-server.ts'), mode, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}`, child });
    });
    child.once('exit', (code) => reject(new Error(`reference server ${mode} exited with ${code}`)));
  });
}

interface Scenario {
  id: string;
  name: string;
  url: string;
  pid: number;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Statuses that are the expected answer (e.g. 429 for the over-quota path). */
  expected: number;
}

async function measure(s: Scenario): Promise<Row> {
  const opts = { url: s.url, method: s.method, headers: s.headers ?? {}, ...(s.body ? { body: s.body } : {}), connections: CONNECTIONS };
  if (WARMUP_SECONDS > 0) await autocannon({ ...opts, duration: WARMUP_SECONDS });
  const cpuBefore = cpuSeconds(s.pid);
  const pgBefore = postgresCpu();
  let unexpected = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...opts, duration: SECONDS }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client: unknown, statusCode: number) => {
      if (statusCode !== s.expected) unexpected++;
    });
  });
  const requests = result.requests.total;
  const cpu = cpuSeconds(s.pid) - cpuBefore;
  const pgCpu = postgresCpuBetween(pgBefore, postgresCpu());
  return {
    name: `(${s.id}) ${s.name}`,
    unit: 'ms',
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.timeouts + unexpected,
    requests,
    cpuUsPerRequest: requests ? Math.round((cpu / requests) * 1e6) : null,
    pgCpuUsPerRequest: requests ? Math.round((pgCpu / requests) * 1e6) : null,
  };
}

async function main(): Promise<void> {
  await withBenchDatabase('bench', async ({ url, orm, logger, source }) => {
    const children: ChildProcess[] = [];
    try {
      const services = createServices({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger, orm });
      const paying = await createUserWithKey(services, { tier: 'Enterprise' });
      const over = await createUserWithKey(services);
      await setUsedThisPeriod(services, over.userId, 1000);
      const reference = await createUserWithKey(services, { tier: 'Enterprise' });
      // Alerts: two users on one limited tier (a quota no run reaches), one with alerts off, one with
      // thresholds the run crosses (counts) and ones it does not (percentages, a huge count).
      const limited = 'Bench limited';
      await services.tiers.create(orm.em.fork(), { name: limited, monthlyQuota: 2_000_000_000, priceCents: null, description: '', isDefault: false, public: false }, TEST_ACTOR);
      const alertsOff = await createUserWithKey(services, { tier: limited });
      const alertsOn = await createUserWithKey(services, { tier: limited });
      const crossed = [1_000, 5_000, 20_000];
      await orm.em.fork().execute(`update users set alert_thresholds = '[]' where id = ?`, [alertsOff.userId]);
      await orm.em.fork().execute(`update users set alert_thresholds = ? where id = ?`, [
        JSON.stringify([
          { kind: 'percent', value: 50 },
          { kind: 'percent', value: 80 },
          ...crossed.map((value) => ({ kind: 'count', value })),
          { kind: 'count', value: 1_000_000_000 },
        ]),
        alertsOn.userId,
      ]);

      const hello = await startReference('hello');
      const metered = await startReference('metered', [url, reference.userId]);
      children.push(hello.child, metered.child);
      const profileDir = path.join(OUT_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
      if (PROFILE) fs.mkdirSync(profileDir, { recursive: true });
      const harmonic = await spawnServer(url, {
        LOG_LEVEL: 'warn',
        DEMO_MONTHLY_QUOTA: '1000000000',
        ...(PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir}` } : {}),
      });
      children.push(harmonic.proc.child);

      const json = { 'content-type': 'application/json' };
      const dataBody = JSON.stringify({ query: 'rate limiting', sources: 'kb' });
      // The peer sends the very answer (d) sends, so the rows differ only in what Harmonic does around it.
      const answerFile = path.join(os.tmpdir(), `harmonic-bench-answer-${process.pid}.json`);
      const sample = await fetch(`${harmonic.url}/api/v1/data`, { method: 'POST', headers: { ...json, 'x-api-key': paying.key }, body: dataBody });
      if (!sample.ok) throw new Error(`the sample (d) call answered ${sample.status}: ${await sample.text()}`);
      fs.writeFileSync(answerFile, await sample.text());
      const peer = await startReference('peer', [process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379', answerFile]);
      children.push(peer.child);
      const scenarios: Scenario[] = [
        {
          id: 'a',
          name: 'bare Fastify, small JSON',
          url: `${hello.url}/bench`,
          pid: hello.child.pid ?? 0,
          method: 'POST',
          headers: json,
          body: '{}',
          expected: 200,
        },
        {
          id: 'b',
          name: 'bare Fastify + counter/ledger statement',
          url: `${metered.url}/bench`,
          pid: metered.child.pid ?? 0,
          method: 'POST',
          headers: json,
          body: '{}',
          expected: 200,
        },
        { id: 'c', name: 'GET /healthz', url: `${harmonic.url}/healthz`, pid: harmonic.pid, method: 'GET', expected: 200 },
        {
          id: 'd',
          name: 'keyed POST /api/v1/data (kb)',
          url: `${harmonic.url}/api/v1/data`,
          pid: harmonic.pid,
          method: 'POST',
          headers: { ...json, 'x-api-key': paying.key },
          body: dataBody,
          expected: 200,
        },
        {
          id: 'd0',
          name: 'same, limited tier, alerts off',
          url: `${harmonic.url}/api/v1/data`,
          pid: harmonic.pid,
          method: 'POST',
          headers: { ...json, 'x-api-key': alertsOff.key },
          body: dataBody,
          expected: 200,
        },
        {
          id: 'd1',
          name: 'same, limited tier, alerts crossed',
          url: `${harmonic.url}/api/v1/data`,
          pid: harmonic.pid,
          method: 'POST',
          headers: { ...json, 'x-api-key': alertsOn.key },
          body: dataBody,
          expected: 200,
        },
        {
          id: 'e',
          name: 'same, user over quota (429)',
          url: `${harmonic.url}/api/v1/data`,
          pid: harmonic.pid,
          method: 'POST',
          headers: { ...json, 'x-api-key': over.key },
          body: dataBody,
          expected: 429,
        },
        {
          id: 'f',
          name: 'same, demo mode (no key)',
          url: `${harmonic.url}/api/v1/data`,
          pid: harmonic.pid,
          method: 'POST',
          headers: json,
          body: dataBody,
          expected: 200,
        },
        {
          id: 'g',
          name: 'same through tRPC (typed client)',
          url: `${harmonic.url}/trpc/data.fetch`,
          pid: harmonic.pid,
          method: 'POST',
          headers: { ...json, 'x-api-key': paying.key },
          body: dataBody,
          expected: 200,
        },
        {
          id: 'h',
          name: 'peer: Fastify + rate-limit + Redis',
          url: `${peer.url}/bench`,
          pid: peer.child.pid ?? 0,
          method: 'POST',
          headers: { ...json, 'x-api-key': paying.key },
          body: dataBody,
          expected: 200,
        },
      ];

      console.log(
        `npm run bench: ${CONNECTIONS} connections, ${SECONDS} s each (+${WARMUP_SECONDS} s warm-up); Node ${process.version}; PostgreSQL from ${source}${PROFILE ? '; profiling the Harmonic server' : ''}`,
      );
      const rows: Row[] = [];
      // BENCH_ONLY=d,e runs a subset, e.g. to profile one path.
      const only = process.env['BENCH_ONLY']?.split(',');
      for (const s of scenarios.filter((x) => (!only || only.includes(x.id)) && x.id !== 'd0' && x.id !== 'd1')) {
        process.stdout.write(`  running (${s.id}) ${s.name}…\n`);
        rows.push(await measure(s));
      }
      // The alerts pair, in adjacent rounds of alternating order (d0 d1, d1 d0, …): this machine's load
      // drifts two- to three-fold within a run, so only the two halves of one round compare, and the
      // difference reported is the median of the rounds' ratios.
      const alertRatios: number[] = [];
      const pair = ['d0', 'd1'].map((id) => scenarios.find((x) => x.id === id)).filter((x): x is Scenario => !!x && (!only || only.includes(x.id)));
      for (let round = 1; pair.length === 2 && round <= ALERT_ROUNDS; round++) {
        const measured: Record<string, Row> = {};
        for (const s of round % 2 ? pair : [...pair].reverse()) {
          process.stdout.write(`  running (${s.id}) ${s.name}, round ${round}…\n`);
          measured[s.id] = { ...(await measure(s)), name: `(${s.id}) ${s.name}, round ${round}` };
        }
        rows.push(...Object.values(measured));
        alertRatios.push((measured['d1']?.rps ?? 0) / (measured['d0']?.rps ?? 1));
      }
      const rps = (id: string) => rows.find((r) => r.name.startsWith(`(${id})`))?.rps ?? 0;
      const meanRps = (id: string) => {
        const all = rows.filter((r) => r.name.startsWith(`(${id})`)).map((r) => r.rps ?? 0);
        return all.length ? all.reduce((a, b) => a + b, 0) / all.length : 0;
      };
      const sortedRatios = [...alertRatios].sort((a, b) => a - b);
      const ratios = {
        'd/b': rps('d') / rps('b'),
        'd/a': rps('d') / rps('a'),
        'e/d': rps('e') / rps('d'),
        'g/d': rps('g') / rps('d'),
        'd/h': rps('d') / rps('h'),
        'd1/d0': sortedRatios[Math.floor(sortedRatios.length / 2)] ?? 0,
      };
      printTable(
        rows.map((r) => ({ ...r, errors: r.errors, extra: `cpu ${r['cpuUsPerRequest']} µs/req, pg ${r['pgCpuUsPerRequest']} µs/req` })),
      );
      console.log('\nCPU per request (server process / PostgreSQL), µs:');
      for (const r of rows)
        console.log(`  ${r.name.padEnd(46)} ${String(r['cpuUsPerRequest']).padStart(6)} / ${String(r['pgCpuUsPerRequest']).padStart(6)}`);
      console.log(
        `\nratios: (d)/(b) = ${ratios['d/b'].toFixed(2)}, (d)/(a) = ${ratios['d/a'].toFixed(3)}, (e)/(d) = ${ratios['e/d'].toFixed(2)}, (g)/(d) = ${ratios['g/d'].toFixed(2)}, (d)/(h) = ${ratios['d/h'].toFixed(2)}`,
      );

      if (ratios['d1/d0']) {
        const [fired] = await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from quota_alerts where user_id = ?`, [alertsOn.userId]);
        console.log(
          `alerts: (d0) off ${Math.round(meanRps('d0'))} req/s, (d1) on ${Math.round(meanRps('d1'))} req/s (means of ${alertRatios.length} rounds); ` +
            `(d1)/(d0) per round ${alertRatios.map((r) => r.toFixed(3)).join(', ')}; difference (median) ${((ratios['d1/d0'] - 1) * 100).toFixed(1)}% (target: within 5%); ` +
            `(d1) fired ${fired?.n ?? 0} alerts (counts ${crossed.join(', ')} crossed)`,
        );
      }

      await new Promise((r) => setTimeout(r, 500));
      const [check] = await orm.em
        .fork()
        .execute<{ counter: number; ledger: number }[]>(
          `select (select used from usage_counters where user_id = ?) as counter, (select count(*)::int from usage_events where user_id = ?) as ledger`,
          [paying.userId, paying.userId],
        );
      process.kill(harmonic.pid, 'SIGTERM');
      await harmonic.proc.exited;
      const [after] = await orm.em
        .fork()
        .execute<{ counter: number; ledger: number }[]>(
          `select (select used from usage_counters where user_id = ?) as counter, (select count(*)::int from usage_events where user_id = ?) as ledger`,
          [paying.userId, paying.userId],
        );
      console.log(
        `exactness: counter ${after?.counter}, ledger rows ${after?.ledger} after shutdown (ledger was ${check?.ledger} while running)`,
      );

      let frames: ReturnType<typeof topFrames> | undefined;
      if (PROFILE) {
        const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          frames = topFrames(path.join(profileDir, file), 25);
          console.log(`\ntop frames by self time (${path.relative(REPO_ROOT, path.join(profileDir, file))}):`);
          for (const f of frames) console.log(`  ${f.selfPercent.toFixed(1).padStart(5)}%  ${f.name}  ${f.location}`);
        }
      }

      fs.mkdirSync(OUT_DIR, { recursive: true });
      const out = path.join(OUT_DIR, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
      fs.writeFileSync(
        out,
        JSON.stringify(
          { node: process.version, postgres: source, connections: CONNECTIONS, seconds: SECONDS, rows, ratios, exactness: after, frames },
          null,
          2,
        ),
      );
      console.log(`\nwrote ${path.relative(REPO_ROOT, out)}`);
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  });
}

await main();
