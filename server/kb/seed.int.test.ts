import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDown, migrateUp } from '../db/migrate.ts';
import { KB_SEED } from '../db/migrations/Migration20261124100000_kb_seed.ts';
import { KB_QUOTA_PERIODS_REVISION } from '../db/migrations/Migration20261202200002_kb_quota_periods.ts';
import { migrationsList } from '../db/migrations/index.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { createEmptyDatabase, type TestDatabase } from '../testing/database.ts';
import { KbEntry } from './entity.ts';

let db: TestDatabase;
let orm: Orm;
beforeAll(async () => {
  db = await createEmptyDatabase();
  orm = await initOrm({ clientUrl: db.url });
  await migrateUp(orm);
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

const repo = () => orm.em.fork().getRepository(KbEntry);
const topTitles = async (q: string, n = 3) => (await repo().search(q, { limit: n })).map((h) => h.title);

describe('the knowledge-base seed', () => {
  it('holds a few dozen entries, stored exactly as written (with the later migrations\' revisions)', async () => {
    expect(KB_SEED.length).toBeGreaterThanOrEqual(30);
    expect(new Set(KB_SEED.map((e) => e.title)).size).toBe(KB_SEED.length);
    // The revision finds its text in the seed, so it is not silently a no-op.
    expect(KB_SEED.find((e) => e.id === KB_QUOTA_PERIODS_REVISION.id)?.body).toContain(KB_QUOTA_PERIODS_REVISION.from);
    const { entries, total } = await repo().list({ limit: 100 });
    expect(total).toBe(KB_SEED.length);
    const byId = new Map(entries.map((e) => [e.id, e]));
    for (const seed of KB_SEED) {
      const revised = [KB_QUOTA_PERIODS_REVISION].reduce((body, r) => (r.id === seed.id ? body.replace(r.from, r.to) : body), seed.body);
      expect(byId.get(seed.id), seed.title).toMatchObject({ title: seed.title, body: revised, tags: seed.tags });
      expect(seed.body.length, seed.title).toBeGreaterThan(300);
    }
  });

  it.each([
    ['X-API-Key header', 'Authenticating with an API key'],
    ['what happens when I exceed my quota', 'What happens over quota: 429 and Retry-After'],
    ['X-RateLimit-Remaining', 'Rate-limit headers on every response'],
    ['demo mode without a key', 'Demo mode: trying the API without a key'],
    ['rotate key grace period', 'Rotating an API key'],
    ['token bucket', 'Rate-limiting algorithms compared'],
    ['reciprocal rank fusion', 'Reciprocal rank fusion explained'],
    ['idempotency key', 'Idempotency and the Idempotency-Key header'],
    ['cursor pagination', 'Pagination: offset versus cursor'],
    ['ETag 304', 'HTTP caching headers'],
    ['websearch_to_tsquery', 'PostgreSQL full-text search in brief'],
    ['weather in London', 'The weather source: how the place is found'],
  ])('answers %j with %j among the top three', async (query, title) => {
    expect(await topTitles(query)).toContain(title);
  });

  it('rolls back exactly its own rows, keeping entries admins added, and comes back', async () => {
    const own = await repo().createEntry({ title: 'Our on-call rota', body: 'Page the platform team.', tags: ['internal'] });
    await repo().createEntry({ title: 'Temp', body: 'x' }).then((e) => repo().deleteEntry(e.id));
    // Roll back to just before the seed (and whatever came after it).
    const seedAt = migrationsList.findIndex((m) => m.name === 'Migration20261124100000_kb_seed');
    const reverted = await migrateDown(orm, { to: migrationsList[seedAt - 1]?.name ?? '' });
    expect(reverted.at(-1)).toBe('Migration20261124100000_kb_seed');
    const after = await repo().list({ limit: 100 });
    expect(after.entries.map((e) => e.id)).toEqual([own.id]);
    await migrateUp(orm);
    expect((await repo().list({ limit: 100 })).total).toBe(KB_SEED.length + 1);
  });
});
