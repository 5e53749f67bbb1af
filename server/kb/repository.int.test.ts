import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../db/orm.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { KbEntry } from './entity.ts';
import type { KbEntryRepository } from './repository.ts';

let db: TestDatabase;
let orm: Orm;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await initOrm({ clientUrl: db.url });
});
afterAll(async () => {
  await orm.close();
  await db.drop();
});

/** A repository on a fresh EntityManager, as a request would have. */
const repo = (): KbEntryRepository => orm.em.fork().getRepository(KbEntry);

beforeEach(async () => {
  // The seed migration's entries would compete in rankings; each test states its own entries.
  await orm.em.fork().getConnection().execute('delete from kb_entries');
});

describe('KbEntryRepository CRUD', () => {
  it('creates an entry with trimmed title and normalised tags', async () => {
    const created = await repo().createEntry({ title: '  Idempotency keys  ', body: 'Send an `Idempotency-Key` header.', tags: ['HTTP', ' api ', 'http', ''] });
    expect(created).toMatchObject({ title: 'Idempotency keys', tags: ['http', 'api'] });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = await repo().findOne({ id: created.id });
    expect(found).toMatchObject({ title: 'Idempotency keys', body: 'Send an `Idempotency-Key` header.', tags: ['http', 'api'] });
  });

  it('lists newest changes first, with a total, paging and a tag filter', async () => {
    const a = await repo().createEntry({ title: 'A', body: 'a', tags: ['x'] });
    await repo().createEntry({ title: 'B', body: 'b', tags: ['y'] });
    await repo().createEntry({ title: 'C', body: 'c', tags: ['x', 'y'] });
    await repo().updateEntry(a.id, { body: 'a, edited' });
    const all = await repo().list({ limit: 10 });
    expect(all.total).toBe(3);
    expect(all.entries.map((e) => e.title)).toEqual(['A', 'C', 'B']);
    const page = await repo().list({ limit: 1, offset: 1 });
    expect(page).toMatchObject({ total: 3, entries: [expect.objectContaining({ title: 'C' })] });
    const tagged = await repo().list({ limit: 10, tag: 'X' });
    expect(tagged.entries.map((e) => e.title).sort()).toEqual(['A', 'C']);
    expect(tagged.total).toBe(2);
  });

  it('updates title, body and tags, bumps updatedAt, and the search follows the new text', async () => {
    const entry = await repo().createEntry({ title: 'Caching', body: 'Use ETag headers.', tags: [] });
    const before = entry.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const updated = await repo().updateEntry(entry.id, { title: 'HTTP caching', body: 'Use Cache-Control and validators.', tags: ['Caching'] });
    expect(updated).toMatchObject({ title: 'HTTP caching', tags: ['caching'] });
    expect(updated?.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    expect(await repo().search('validators', { limit: 5 })).toEqual([expect.objectContaining({ id: entry.id })]);
    expect(await repo().search('ETag', { limit: 5 })).toEqual([]);
    expect(await repo().updateEntry('00000000-0000-4000-8000-000000000000', { title: 'x' })).toBeNull();
  });

  it('deletes an entry once', async () => {
    const entry = await repo().createEntry({ title: 'Temporary', body: 'gone soon' });
    expect(await repo().deleteEntry(entry.id)).toBe(true);
    expect(await repo().deleteEntry(entry.id)).toBe(false);
    expect(await repo().findOne({ id: entry.id })).toBeNull();
  });
});

describe('KbEntryRepository.search', () => {
  beforeEach(async () => {
    await repo().createEntry({ title: 'Rate limiting', body: 'A token bucket refills at a steady rate.', tags: ['algorithms'] });
    await repo().createEntry({ title: 'Quotas', body: 'A monthly quota counts calls.', tags: ['rate limiting'] });
    await repo().createEntry({ title: 'Retry-After', body: 'When you are rate limited, wait as long as Retry-After says.', tags: [] });
    await repo().createEntry({ title: 'Pagination', body: 'Cursors beat offsets on large tables.', tags: ['api'] });
  });

  it('ranks a match in the title above one in the tags, above one in the body', async () => {
    const hits = await repo().search('rate limiting', { limit: 10 });
    expect(hits.map((h) => h.title)).toEqual(['Rate limiting', 'Quotas', 'Retry-After']);
    expect(hits[0]?.rank).toBeGreaterThan(hits[1]?.rank ?? 1);
    expect(hits[1]?.rank).toBeGreaterThan(hits[2]?.rank ?? 1);
  });

  it('highlights the matched words of the best passage', async () => {
    const [hit] = await repo().search('token bucket', { limit: 1 });
    expect(hit?.headline).toBe('A **token** **bucket** refills at a steady rate');
    const [marked] = await repo().search('cursors', { limit: 1, marks: { start: '[', end: ']' } });
    expect(marked?.headline).toBe('[Cursors] beat offsets on large tables');
  });

  it('takes the passage from prose, not from code blocks', async () => {
    const body = 'Pass the key in a header.\n\n```sh\ncurl -H "X-API-Key: key" https://api.example.com\n```\n\nNever put the key in a URL.';
    const entry = await repo().createEntry({ title: 'Headers', body });
    const [hit] = await repo().search('key', { limit: 1 });
    expect(hit?.id).toBe(entry.id);
    expect(hit?.headline).not.toMatch(/curl/);
    expect(hit?.headline).toMatch(/\*\*key\*\*/);
  });

  it('understands web-search syntax: quoted phrases, exclusion and or', async () => {
    expect((await repo().search('"steady rate"', { limit: 10 })).map((h) => h.title)).toEqual(['Rate limiting']);
    expect((await repo().search('rate -bucket', { limit: 10 })).map((h) => h.title).sort()).toEqual(['Quotas', 'Retry-After']);
    expect((await repo().search('cursors or quota', { limit: 10 })).map((h) => h.title).sort()).toEqual(['Pagination', 'Quotas']);
  });

  it('returns nothing for stop words only or nonsense, and respects the limit', async () => {
    expect(await repo().search('the and of', { limit: 10 })).toEqual([]);
    expect(await repo().search('xylophone', { limit: 10 })).toEqual([]);
    expect(await repo().search('rate', { limit: 2 })).toHaveLength(2);
  });

  it('treats SQL and tsquery metacharacters as text', async () => {
    for (const q of ["'; drop table kb_entries; --", 'rate & | ! ( :*', '\\', '?']) await repo().search(q, { limit: 5 });
    expect((await repo().list({ limit: 10 })).total).toBe(4);
  });

  it('stops when its signal aborts', async () => {
    await expect(repo().search('rate', { limit: 5, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
