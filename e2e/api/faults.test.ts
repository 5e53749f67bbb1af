import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../server/config.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embedded.ts';
import { migrateUp } from '../../server/db/migrate.ts';
import { initOrm, type Orm } from '../../server/db/orm.ts';
import { createServices, type Services } from '../../server/services.ts';
import { counterLedgerMismatches, createUserWithKey, postData, type UserWithKey } from '../../server/testing/fixtures.ts';
import { spawnServer, STARTUP_CEILING_MS } from '../../server/testing/process.ts';

/**
 * PostgreSQL stops mid-load and comes back; the server is sent SIGTERM under
 * load. These run on an embedded PostgreSQL of their own, so stopping it
 * disturbs no other test.
 */
const logger = pino({ level: 'silent' });
let dataDir: string;
let pg: EmbeddedPostgres;
let port: number;
let orm: Orm;
let services: Services;
let user: UserWithKey;

async function startPg(): Promise<void> {
  pg = await startEmbeddedPostgres({ dataDir, logger, ...(port ? { port } : {}) });
  port = pg.port;
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-faults-'));
  await fs.chmod(dataDir, 0o755);
  await startPg();
  orm = await initOrm({ clientUrl: pg.url, logger });
  await migrateUp(orm);
  services = createServices({ config: loadConfig({ DATABASE_URL: pg.url, BCRYPT_COST: '4', LOG_LEVEL: 'silent' }), logger, orm });
  user = await createUserWithKey(services, { tier: 'Enterprise' });
});

afterAll(async () => {
  await orm.close().catch(() => undefined);
  await pg.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

/** How long a phase may take before the test calls it hung: the phases wait for answers, never for a fixed time. */
const PHASE_CEILING_MS = 60_000;

/**
 * Sends requests from `workers` loops until `stop()`; records every status, the
 * statuses of requests sent after `mark()`, and the slowest answer.
 */
function load(url: string, key: string, workers = 8) {
  const statuses: number[] = [];
  const sinceMark: number[] = [];
  const bodies = new Map<number, unknown>();
  let slowestMs = 0;
  let running = true;
  let marked = false;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const afterMark = marked;
      const started = performance.now();
      let status: number;
      try {
        const res = await postData(url, { query: 'fault', sources: 'kb' }, key);
        const body = await res.json().catch(() => 'not json');
        status = res.status;
        if (!bodies.has(res.status)) bodies.set(res.status, body);
      } catch {
        status = 0; // connection refused or reset
      }
      statuses.push(status);
      if (afterMark) sinceMark.push(status);
      slowestMs = Math.max(slowestMs, performance.now() - started);
    }
  });
  /** Resolves once `list` holds `n` answers with `status` (any status when omitted). */
  const until = async (list: number[], n: number, status?: number) => {
    const count = () => (status === undefined ? list.length : list.filter((s) => s === status).length);
    await vi.waitFor(() => expect(count()).toBeGreaterThanOrEqual(n), { timeout: PHASE_CEILING_MS, interval: 20 });
  };
  return {
    statuses,
    sinceMark,
    bodies,
    slowestMs: () => slowestMs,
    until: (n: number, status?: number) => until(statuses, n, status),
    untilSinceMark: (n: number) => until(sinceMark, n),
    mark() {
      marked = true;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('PostgreSQL stops mid-load, then comes back', () => {
  it('fails with 503 JSON, turns /readyz red then green, recovers without a restart, and loses no admitted call', { timeout: STARTUP_CEILING_MS + 4 * PHASE_CEILING_MS }, async () => {
    const server = await spawnServer(pg.url, { LEDGER_FLUSH_MS: '50', BCRYPT_COST: '4' });
    try {
      const before = load(server.url, user.key);
      await before.until(20, 200);
      await pg.stop();
      // Requests in flight while PostgreSQL went away may still succeed; every one sent after must fail, and none may hang.
      before.mark();
      await before.untilSinceMark(20);
      await before.stop();
      expect(new Set(before.sinceMark)).toEqual(new Set([503]));
      expect(before.bodies.get(503)).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The database is unavailable; try again in a few seconds' } });
      console.log(`slowest answer with PostgreSQL up, then stopped: ${before.slowestMs().toFixed(0)} ms`);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'not_ready', database: { up: false } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      await startPg();
      await vi.waitFor(async () => expect((await fetch(`${server.url}/readyz`)).status).toBe(200), { timeout: PHASE_CEILING_MS, interval: 100 });
      const after = load(server.url, user.key, 4);
      await after.until(20);
      await after.stop();
      expect(new Set(after.statuses)).toEqual(new Set([200]));

      // SIGTERM flushes whatever the ledger still buffers; then every admitted call must be in it.
      process.kill(server.pid, 'SIGTERM');
      expect((await server.proc.exited).code).toBe(0);
      const ok = [...before.statuses, ...after.statuses].filter((s) => s === 200).length;
      const [ledger] = await orm.em.fork().execute<{ ok: number; all: number }[]>(
        `select count(*) filter (where status = 200)::int as ok, count(*)::int as "all" from usage_events where user_id = ?`,
        [user.userId],
      );
      expect(ledger?.ok).toBe(ok);
      expect(await counterLedgerMismatches(services, [user.userId])).toEqual([]);
    } finally {
      server.proc.kill('SIGKILL');
    }
  });
});

describe('SIGTERM under load', () => {
  it('completes in-flight requests, flushes the ledger and exits 0', { timeout: STARTUP_CEILING_MS + 3 * PHASE_CEILING_MS }, async () => {
    const u = await createUserWithKey(services, { tier: 'Enterprise' });
    // The longest flush interval there is: the ledger rows are left for the shutdown to write.
    const server = await spawnServer(pg.url, { LEDGER_FLUSH_MS: '60000', BCRYPT_COST: '4' });
    const traffic = load(server.url, u.key, 16);
    await traffic.until(51, 200);
    process.kill(server.pid, 'SIGTERM');
    const exit = await server.proc.exited;
    await traffic.stop();

    expect(exit.code).toBe(0);
    expect(server.proc.output()).toMatch(/"msg":"stopped"/);
    // Every answer was a success, a 503 from a closing server, or a refused connection after it stopped.
    expect(traffic.statuses.filter((s) => ![200, 503, 0].includes(s))).toEqual([]);
    const ok = traffic.statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(50);
    // The flush interval is a minute, so the shutdown is what writes these rows; whoever writes them, every admitted call must be there.
    const [ledger] = await orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from usage_events where user_id = ? and status = 200`, [u.userId]);
    expect(ledger?.n).toBe(ok);
    expect(await counterLedgerMismatches(services, [u.userId])).toEqual([]);
  });
});
