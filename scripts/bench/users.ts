/**
 * `npm run bench:users`: the admin user list at 100,000 users. Seeds a fresh
 * database with N users (BENCH_USERS, default 100000) spread over the tiers,
 * a third of them with usage this month, then times each kind of list query
 * the SPA makes through UserService.list (search, filter, each sort, deep pages).
 */
import { loadConfig } from '../../server/config.ts';
import { createServices } from '../../server/services.ts';
import { periodKeySql } from '../../server/usage/admission/period.ts';
import type { ListUsersParams } from '../../shared/admin.ts';
import { withBenchDatabase } from './database.ts';
import { percentiles, printTable, type Row } from './stats.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 100_000);
const RUNS = 30;

await withBenchDatabase('bench_users', async ({ url, orm, logger, source }) => {
  const services = createServices({ config: loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn' }), logger, orm });
  const seedStarted = performance.now();
  await orm.em.fork().execute(`
    insert into users (id, email, name, tier_id, status, created_at, updated_at)
    select gen_random_uuid(), 'user-' || i || '@example' || (i % 97) || '.com', 'User ' || md5(i::text),
           (select id from tiers order by name offset (i % 3) limit 1),
           case when i % 50 = 0 then 'suspended' else 'active' end,
           now() - (i || ' minutes')::interval, now()
      from generate_series(1, ${USERS}) i`);
  await orm.em.fork().execute(`
    insert into usage_counters (user_id, period, used)
    select id, ${periodKeySql('null')}, (random() * 1000)::int
      from users tablesample bernoulli (33)`);
  await orm.em.fork().execute(`analyze`);
  console.log(`seeded ${USERS} users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s (PostgreSQL from ${source})`);

  const base: ListUsersParams = { sort: 'createdAt', order: 'desc', page: 1, pageSize: 25 };
  const cases: [string, ListUsersParams][] = [
    ['first page, newest first', base],
    ['search "user-4242" (email substring)', { ...base, search: 'user-4242' }],
    ['search "9f8e" (name substring)', { ...base, search: '9f8e' }],
    ['filter suspended', { ...base, status: 'suspended' }],
    ['sort by email, page 2000', { ...base, sort: 'email', order: 'asc', page: 2000 }],
    ['sort by name, first page', { ...base, sort: 'name', order: 'asc' }],
    ['sort by usage this month', { ...base, sort: 'used', order: 'desc' }],
    [`the last page (${Math.ceil(USERS / 25)})`, { ...base, page: Math.ceil(USERS / 25) }],
  ];
  const rows: Row[] = [];
  for (const [name, q] of cases) {
    const samples: number[] = [];
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      total = (await services.users.list(orm.em.fork(), q)).total;
      samples.push(performance.now() - started);
    }
    rows.push({ name: `${name} (${total} match)`, unit: 'ms', ...percentiles(samples.slice(3)) });
  }
  printTable(rows);
});
