import pg from 'pg';
import { dataAnswerSchema } from '../../shared/data.ts';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initOrm, type Orm } from '../db/orm.ts';
import { KbEntry } from '../kb/entity.ts';
import { createTestDatabase, type TestDatabase } from '../testing/database.ts';
import { parseSourcesEnv } from './config.ts';
import { SourceService } from './service.ts';
import { MARK_START } from './text.ts';

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

const service = (env: Record<string, string> = {}) =>
  new SourceService({ config: parseSourcesEnv({ SOURCE_CONTACT_URL: 'https://harmonic.example/contact', ...env }), logger: pino({ level: 'silent' }), orm });

let entryId: string;
beforeEach(async () => {
  await orm.em.fork().getConnection().execute('delete from kb_entries');
  const repo = orm.em.fork().getRepository(KbEntry);
  const entry = await repo.createEntry({
    title: 'Key rotation',
    body: '## Rotating a key\n\nCall **rotate** to get a new key; the old one keeps working for a grace period you choose.\n\nNever paste keys into `<script>` tags.',
    tags: ['keys', 'security'],
  });
  entryId = entry.id;
  await repo.createEntry({ title: 'Unrelated', body: 'Nothing about that here.', tags: [] });
});

describe('kb source on PostgreSQL', () => {
  it('answers from full-text search with a plain snippet, an escaped highlight and the entry link', async () => {
    const answer = await service().answer({ query: 'rotate keys', sources: ['kb'], limit: 5 });
    expect(answer.sources.kb).toMatchObject({ status: 'ok', count: 1, error: null });
    const item = answer.sources.kb?.items[0];
    expect(item).toMatchObject({ title: 'Key rotation', url: `/api/v1/kb/${entryId}`, source: 'kb', publishedAt: expect.any(String), updatedAt: expect.any(String) });
    expect(item?.snippet).not.toMatch(/[*#`]/);
    expect(item?.snippet).not.toContain(MARK_START);
    expect(item?.snippet).toMatch(/Call rotate to get a new key/);
    expect(item?.extra).toMatchObject({ kind: 'kb', id: entryId, tags: ['keys', 'security'], rank: expect.any(Number) });
    const highlight = item?.extra.kind === 'kb' ? item.extra.highlight : '';
    expect(highlight).toMatch(/<mark>rotate<\/mark>/);
    expect(highlight).not.toMatch(/<script>/);
    expect(answer.merged[0]).toMatchObject({ url: `/api/v1/kb/${entryId}`, foundIn: ['kb'] });
    expect(() => dataAnswerSchema.parse(answer)).not.toThrow();
  });

  it('is empty when nothing matches, and caches that for KB_CACHE_TTL_S', async () => {
    const s = service();
    expect((await s.answer({ query: 'photosynthesis', sources: ['kb'], limit: 5 })).sources.kb).toMatchObject({ status: 'empty', count: 0 });
    expect((await s.answer({ query: 'Photosynthesis', sources: ['kb'], limit: 5 })).cachedSources).toEqual(['kb']);
  });

  it('times out on a blocked query and cancels it in PostgreSQL', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table kb_entries in access exclusive mode');
      const answer = await service({ KB_TIMEOUT_MS: '200' }).answer({ query: 'rotate', sources: ['kb'], limit: 5 });
      expect(answer.sources.kb).toMatchObject({ status: 'timeout', error: 'No answer within 200 ms.' });
      // The query itself was cancelled in PostgreSQL, not left queued behind the lock.
      await expect
        .poll(async () => {
          const { rows } = await locker.query<{ n: string }>(
            `select count(*) as n from pg_stat_activity
              where datname = current_database() and query like '%websearch_to_tsquery%' and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
          );
          return Number(rows[0]?.n);
        }, { timeout: 30_000 })
        .toBe(0);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
  });
});
