import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../testing/clock.ts';
import { dataAnswerSchema, type SourceItem } from '../../shared/data.ts';
import type { Source } from './source.ts';
import { createHarness } from './testing/harness.ts';
import { byLastSegment, fixture, hang, ReplayServer, reply } from './testing/replay-server.ts';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

const notFound = reply(404, '{}', { 'content-type': 'application/json' });

/** Every upstream answering from its recording. */
function allUpstreams() {
  replay
    .route('/w/rest.php/v1/search/page', fixture('wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json'))
    .route('/api/rest_v1/page/summary/*', notFound)
    .route('/api/query', fixture('arxiv/search-all-testing-start0-max10.xml'))
    .route('/api/v1/search', fixture('hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json'))
    .route('/v1/search', fixture('open-meteo/geocoding-london.json'))
    .route('/v1/forecast', fixture('open-meteo/forecast-current-daily-london.json'));
}

const kbItem = (id: string, url = `/api/v1/kb/${id}`): SourceItem => ({
  title: `Entry ${id}`,
  snippet: '',
  url,
  source: 'kb',
  publishedAt: null,
  updatedAt: null,
  extra: { kind: 'kb', id, tags: [], rank: 0.5, highlight: '' },
});

/** A stand-in for the database-backed kb source (that one is covered by kb.int.test.ts). */
function fakeKb(fetch: Source['fetch']): Source {
  return { name: 'kb', upstreams: [], variant: 'fake', fetch };
}

const UPSTREAM_SOURCES = ['wiki', 'arxiv', 'news', 'weather'] as const;

describe('SourceService', () => {
  it('queries the sources in parallel and reports each one, keyed by name, in the order asked', async () => {
    allUpstreams();
    const { service } = createHarness(replay, { sources: [fakeKb(async () => ({ items: [kbItem('1')] }))] });
    const answer = await service.answer({ query: 'weather in London', sources: ['kb', 'weather', 'news', 'arxiv', 'wiki'], limit: 3 });
    expect(Object.keys(answer.sources)).toEqual(['kb', 'weather', 'news', 'arxiv', 'wiki']);
    expect(Object.values(answer.sources).map((r) => [r.source, r.status, r.count])).toEqual([
      ['kb', 'ok', 1],
      ['weather', 'ok', 1],
      ['news', 'ok', 3],
      ['arxiv', 'ok', 3],
      ['wiki', 'ok', 3],
    ]);
    expect(answer).toMatchObject({ query: 'weather in London', cachedSources: [] });
    // Exactly the shape the contract declares, no more and no less, extras included.
    expect(() => dataAnswerSchema.parse(answer)).not.toThrow();
    expect(answer.merged).toHaveLength(11);
    // The five first places tie at 1/61 and keep the order the sources were asked in.
    expect(answer.merged.slice(0, 5).map((m) => [m.source, m.score])).toEqual([
      ['kb', 0.016393],
      ['weather', 0.016393],
      ['news', 0.016393],
      ['arxiv', 0.016393],
      ['wiki', 0.016393],
    ]);
  });

  it('answers with what it has when one source fails, one is slow and one is disabled', async () => {
    allUpstreams();
    replay.route('/w/rest.php/v1/search/page', reply(500, 'boom')).route('/api/v1/search', hang());
    // Only the hanging source has a short timeout: the answer comes back although it never answers.
    const { service } = createHarness(replay, { env: { NEWS_TIMEOUT_MS: '200', SOURCES_DISABLED: 'kb' } });
    const answer = await service.answer({ query: 'weather in London', sources: ['wiki', 'arxiv', 'news', 'weather', 'kb'], limit: 2 });
    expect(Object.values(answer.sources).map((r) => [r.source, r.status, r.error])).toEqual([
      ['wiki', 'error', 'Wikipedia answered HTTP 500'],
      ['arxiv', 'ok', null],
      ['news', 'timeout', 'No answer within 200 ms.'],
      ['weather', 'ok', null],
      ['kb', 'skipped', 'This source is disabled on this server.'],
    ]);
    expect(new Set(answer.merged.map((m) => m.source))).toEqual(new Set(['arxiv', 'weather']));
    expect(() => dataAnswerSchema.parse(answer)).not.toThrow();
  });

  it('serves an identical query from the cache, says so, and does not call upstream again', async () => {
    allUpstreams();
    const { service } = createHarness(replay);
    const first = await service.answer({ query: 'Weather in London', sources: [...UPSTREAM_SOURCES], limit: 2 });
    expect(first.cachedSources).toEqual([]);
    const calls = replay.requests.length;

    const second = await service.answer({ query: '  weather   in LONDON ', sources: [...UPSTREAM_SOURCES], limit: 2 });
    expect(second.cachedSources).toEqual([...UPSTREAM_SOURCES]);
    expect(Object.values(second.sources).every((r) => r.cached)).toBe(true);
    expect(replay.requests.length).toBe(calls);
    expect(second.sources.weather?.items).toEqual(first.sources.weather?.items);
    expect(second.merged).toEqual(first.merged);
    expect(second.query).toBe('  weather   in LONDON ');

    // Another limit is another question.
    const third = await service.answer({ query: 'weather in london', sources: ['arxiv'], limit: 3 });
    expect(third.cachedSources).toEqual([]);
  });

  it('caches empty answers with their message, but never errors or timeouts', async () => {
    replay.route('/api/query', reply(500, 'down'));
    const { service } = createHarness(replay);
    const weather1 = await service.answer({ query: 'weather', sources: ['weather', 'arxiv'], limit: 5 });
    expect(weather1.sources.weather).toMatchObject({ status: 'empty', cached: false });
    expect(weather1.sources.arxiv?.status).toBe('error');

    replay.route('/api/query', fixture('arxiv/search-all-testing-start0-max10.xml'));
    const again = await service.answer({ query: 'weather', sources: ['weather', 'arxiv'], limit: 5 });
    expect(again.sources.weather).toMatchObject({ status: 'empty', cached: true, message: weather1.sources.weather?.message });
    expect(again.sources.arxiv).toMatchObject({ status: 'ok', cached: false });
    expect(again.cachedSources).toEqual(['weather']);
  });

  it('expires cached answers per source: weather after 10 minutes, the others after an hour', async () => {
    allUpstreams();
    let now = Date.parse('2026-07-02T10:00:00Z');
    const { service } = createHarness(replay, { now: () => now });
    const ask = () => service.answer({ query: 'weather in London', sources: ['weather', 'arxiv'], limit: 1 });
    await ask();
    now += 10 * 60_000 + 1;
    expect((await ask()).cachedSources).toEqual(['arxiv']);
    now += 50 * 60_000;
    expect((await ask()).cachedSources).toEqual([]);
  });

  it('deduplicates the merged list by URL across sources, keeping every source it was found in', async () => {
    const listing = { pages: [{ id: 19004, key: 'Moscow', title: 'Moscow', excerpt: 'Moscow', description: null, thumbnail: null }] };
    replay.route('/w/rest.php/v1/search/page', reply(200, JSON.stringify(listing), { 'content-type': 'application/json' }));
    replay.route('/api/rest_v1/page/summary/*', byLastSegment({ Moscow: fixture('wikipedia/rest-v1-page-summary-moscow.json') }, notFound));
    const kb = fakeKb(async () => ({ items: [kbItem('a'), kbItem('moscow', 'http://en.m.wikipedia.org/wiki/Moscow#History')] }));
    const { service } = createHarness(replay, { sources: [kb] });
    const answer = await service.answer({ query: 'moscow', sources: ['kb', 'wiki'], limit: 5 });
    expect(answer.merged.map((m) => [m.url, m.foundIn, m.score])).toEqual([
      // 1/(60+1) from wiki + 1/(60+2) from kb
      ['https://en.wikipedia.org/wiki/Moscow', ['kb', 'wiki'], 0.032522],
      ['/api/v1/kb/a', ['kb'], 0.016393],
    ]);
    expect(answer.merged[0]).toMatchObject({ source: 'wiki', title: 'Moscow' });
  });

  it('turns an unexpected exception in a source into an error report, and logs it', async () => {
    const { service, logs } = createHarness(replay, {
      sources: [
        fakeKb(async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'rows')");
        }),
      ],
    });
    const answer = await service.answer({ query: 'x', sources: ['kb'], limit: 5 });
    expect(answer.sources.kb).toMatchObject({ status: 'error', error: 'The source failed unexpectedly; the error has been logged.' });
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'source failed unexpectedly', source: 'kb', err: expect.objectContaining({ type: 'TypeError' }) }));
  });

  it('times out a source that ignores its signal', async () => {
    const { service } = createHarness(replay, { env: { KB_TIMEOUT_MS: '100' }, sources: [fakeKb(() => new Promise(() => undefined))] });
    const answer = await service.answer({ query: 'x', sources: ['kb'], limit: 5 });
    expect(answer.sources.kb).toMatchObject({ status: 'timeout', error: 'No answer within 100 ms.' });
  });

  it("stops at once when the caller's signal aborts: a deadline reads as timeout, a disconnect as cancelled", async () => {
    replay.route('/api/query', hang()).route('/api/v1/search', hang());
    const { service } = createHarness(replay, { env: { SOURCE_TIMEOUT_MS: '5000' } });

    // The upstreams hang and the sources' own timeout is 5 s: a report that says "deadline" came from the caller's signal.
    const deadline = await service.answer({ query: 'x', sources: ['arxiv', 'news'], limit: 5 }, { signal: AbortSignal.timeout(100) });
    expect(deadline.sources.arxiv).toMatchObject({ status: 'timeout', error: 'The request deadline passed before this source answered.' });

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const gone = await service.answer({ query: 'y', sources: ['arxiv'], limit: 5 }, { signal: controller.signal });
    expect(gone.sources.arxiv).toMatchObject({ status: 'error', error: 'The request was cancelled before this source answered.' });

    const already = await service.answer({ query: 'z', sources: ['news'], limit: 5 }, { signal: AbortSignal.abort() });
    expect(already.sources.news?.status).toBe('error');
    expect(replay.calls('/api/v1/search').map((r) => r.query.get('query'))).toEqual(['x']);
  });

  it('keeps to the per-upstream concurrency limit', async () => {
    let active = 0;
    let peak = 0;
    const ok = fixture('arxiv/empty-id-list-0000.0000.xml');
    replay.route('/api/query', (req, res, url) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        void ok(req, res, url);
      }, 30);
    });
    const { service } = createHarness(replay, { env: { ARXIV_MAX_CONCURRENCY: '1' } });
    const answers = await Promise.all(['alpha', 'beta', 'gamma', 'delta'].map((q) => service.answer({ query: q, sources: ['arxiv'], limit: 1 })));
    expect(answers.map((a) => a.sources.arxiv?.status)).toEqual(['empty', 'empty', 'empty', 'empty']);
    expect(peak).toBe(1);
    expect(replay.calls('/api/query')).toHaveLength(4);
  });

  it("spaces out calls to an upstream that asks for it (arXiv: one every 3 s by default)", async () => {
    // The spacing runs on a manual clock: each call's start is recorded on it, so the gaps are exact whatever the machine's load.
    const clock = new ManualClock();
    const starts: { query: string | null; at: number }[] = [];
    const ok = fixture('arxiv/empty-id-list-0000.0000.xml');
    replay.route('/api/query', (req, res, url) => {
      starts.push({ query: url.searchParams.get('search_query'), at: clock.now() });
      return ok(req, res, url);
    });
    const { service } = createHarness(replay, { clock, env: { ARXIV_MIN_INTERVAL_MS: '100', ARXIV_MAX_CONCURRENCY: '4' } });
    const answers = Promise.all(['alpha', 'beta', 'gamma'].map((q) => service.answer({ query: q, sources: ['arxiv'], limit: 1 })));
    await vi.waitFor(() => expect(starts.length).toBeGreaterThan(0), { timeout: 20_000 });
    expect(clock.pending, 'the second and third calls wait their turn').toBe(2);
    clock.advance(99);
    expect(clock.pending, 'no call before its interval has passed').toBe(2);
    clock.advance(1);
    await vi.waitFor(() => expect(starts.length).toBeGreaterThan(1), { timeout: 20_000 });
    expect(clock.pending).toBe(1);
    clock.advance(100);
    expect((await answers).map((a) => a.sources.arxiv?.status)).toEqual(['empty', 'empty', 'empty']);
    // In the order asked, exactly one interval apart.
    expect(starts.map((s) => s.at)).toEqual([0, 100, 200]);
    expect(starts.map((s) => s.query)).toEqual([expect.stringContaining('alpha'), expect.stringContaining('beta'), expect.stringContaining('gamma')]);

    // A wait longer than the source's timeout ends as a timeout, without calling arXiv.
    const { service: strict } = createHarness(replay, { clock, env: { ARXIV_MIN_INTERVAL_MS: '2000', SOURCE_TIMEOUT_MS: '150' } });
    await strict.answer({ query: 'delta', sources: ['arxiv'], limit: 1 });
    const second = await strict.answer({ query: 'epsilon', sources: ['arxiv'], limit: 1 });
    expect(second.sources.arxiv).toMatchObject({ status: 'timeout', error: 'No answer within 150 ms.' });
    expect(clock.pending, 'the wait was given up').toBe(0);
    expect(starts.map((s) => s.query)).not.toContainEqual(expect.stringContaining('epsilon'));
  });

  it('describes its sources for a status page', () => {
    const { service } = createHarness(replay, { env: { SOURCES_DISABLED: 'news' } });
    expect(service.describeSources()).toEqual([
      { name: 'wiki', enabled: true, upstreams: ['wikipedia'], timeoutMs: 10000, cacheTtlSeconds: 3600, skippedUntil: null },
      { name: 'arxiv', enabled: true, upstreams: ['arxiv'], timeoutMs: 10000, cacheTtlSeconds: 3600, skippedUntil: null },
      { name: 'news', enabled: false, upstreams: ['hn'], timeoutMs: 10000, cacheTtlSeconds: 3600, skippedUntil: null },
      { name: 'weather', enabled: true, upstreams: ['open-meteo-geocoding', 'open-meteo-forecast'], timeoutMs: 10000, cacheTtlSeconds: 600, skippedUntil: null },
      { name: 'kb', enabled: true, upstreams: [], timeoutMs: 10000, cacheTtlSeconds: 60, skippedUntil: null },
    ]);
  });

  it('close() stops calls in flight and forgets the cache', async () => {
    replay.route('/api/query', hang());
    const { service } = createHarness(replay, { env: { SOURCE_TIMEOUT_MS: '5000' } });
    const pending = service.answer({ query: 'x', sources: ['arxiv'], limit: 5 });
    await vi.waitFor(() => expect(replay.calls('/api/query')).toHaveLength(1), { timeout: 20_000 });
    // The upstream hangs and the timeout is 5 s: only close() can end this call with this report.
    await service.close();
    const answer = await pending;
    expect(answer.sources.arxiv).toMatchObject({ status: 'error', error: 'Harmonic is shutting down; the source call was stopped.' });
  });

  it('invalidate() forgets one source’s cached answers', async () => {
    const kb = fakeKb(async () => ({ items: [kbItem('1')] }));
    const { service } = createHarness(replay, { sources: [kb] });
    await service.answer({ query: 'x', sources: ['kb'], limit: 5 });
    expect((await service.answer({ query: 'x', sources: ['kb'], limit: 5 })).cachedSources).toEqual(['kb']);
    service.invalidate('kb');
    expect((await service.answer({ query: 'x', sources: ['kb'], limit: 5 })).cachedSources).toEqual([]);
  });
});
