/**
 * The two reference servers `npm run bench` measures Harmonic against:
 *   hello    (a) a bare Fastify route returning small JSON: the HTTP ceiling;
 *   metered  (b) a bare Fastify route that does only what an exact quota needs,
 *                one atomic counter increment and one ledger insert, as a single
 *                SQL statement through `pg`: the ceiling for any correct metered request.
 *   peer     (h) what a user who gives up exactness glues together: Fastify,
 *                @fastify/rate-limit counting in Redis per X-API-Key value (not
 *                checked), no ledger; it sends the answer in answerFile (the bench
 *                passes the very answer (d) sends), so both rows serialise and
 *                write the same bytes and the difference is what exactness costs.
 * Usage: node scripts/bench/reference-server.ts <hello|metered|peer> [databaseUrl userId | redisUrl [answerFile]]
 */
import fs from 'node:fs';
import rateLimit from '@fastify/rate-limit';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import pg from 'pg';

const [mode, databaseUrl, userId] = process.argv.slice(2);
const app = Fastify({ logger: false });

if (mode === 'hello') {
  app.post('/bench', async () => ({ ok: true }));
} else if (mode === 'metered' && databaseUrl && userId) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });
  app.post('/bench', async () => {
    const { rows } = await pool.query<{ used: number }>({
      name: 'bench_metered',
      text: `with c as (
               insert into usage_counters as c (user_id, period, used, updated_at)
               values ($1, date_trunc('month', now() at time zone 'utc')::date, 1, now())
               on conflict (user_id, period) do update set used = c.used + 1, updated_at = now()
                where c.used < $2
               returning c.used, c.period
             )
             insert into usage_events (period, user_id, endpoint, method, sources, status, response_time_ms, units, created_at)
             select c.period, $1, '/bench', 'POST', '{kb}', 200, 0, 1, now() from c
             returning (select used from c)`,
      values: [userId, 2_000_000_000],
    });
    return { used: rows[0]?.used ?? null };
  });
} else if (mode === 'peer' && databaseUrl) {
  const answer: unknown = userId ? JSON.parse(fs.readFileSync(userId, 'utf8')) : { ok: true };
  const redis = new Redis(databaseUrl, { maxRetriesPerRequest: 1 });
  await app.register(rateLimit, {
    redis,
    // A month's quota, far above what a run sends, so every call is admitted, as in (d).
    max: 2_000_000_000,
    timeWindow: '30 days',
    keyGenerator: (req) => String(req.headers['x-api-key'] ?? req.ip),
  });
  app.post('/bench', async () => answer);
  app.addHook('onClose', async () => void redis.disconnect());
} else {
  console.error('usage: reference-server.ts <hello|metered|peer> [databaseUrl userId | redisUrl [answerFile]]');
  process.exit(2);
}

await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
