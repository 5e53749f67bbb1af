import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sourceReportSchema } from '../../shared/data.ts';
import { gdeltDate } from './news.ts';
import { createHarness } from './testing/harness.ts';
import { fixture, ReplayServer, reply } from './testing/replay-server.ts';

const HN = '/api/v1/search';
const GDELT = '/api/v2/doc/doc';
const json = { 'content-type': 'application/json; charset=utf-8' };

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

const ask = async (query: string, limit = 5, env: Record<string, string> = {}) => {
  const { service } = createHarness(replay, { env });
  const report = (await service.answer({ query, sources: ['news'], limit })).sources.news;
  if (!report) throw new Error('no news report');
  return report;
};

describe('news source: Hacker News (default)', () => {
  it('returns stories with points, comments, author and the discussion link', async () => {
    replay.route(HN, fixture('hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json'));
    const report = await ask('anthropic OR "claude ai"', 20);
    expect(report).toMatchObject({ status: 'ok', count: 6, error: null });
    expect(report.items[0]).toEqual({
      title: 'Show HN: We open-sourced our internal tool for scoring PRs with Claude AI',
      snippet: expect.stringMatching(/^Hi HN! I'm sharing MergeMint, an open-source platform .*…$/),
      url: 'https://github.com/MergeMint/mergemint-app',
      source: 'news',
      publishedAt: '2025-12-10T18:19:51Z',
      updatedAt: expect.any(String),
      extra: { kind: 'hn', storyId: '46221321', points: 3, comments: 1, author: 'textcortex', discussionUrl: 'https://news.ycombinator.com/item?id=46221321' },
    });
    expect(Object.fromEntries(replay.calls(HN)[0]?.query ?? [])).toEqual({ query: 'anthropic OR "claude ai"', tags: 'story', hitsPerPage: '20' });
  });

  it('links an Ask HN post, which has no URL of its own, to its discussion', async () => {
    replay.route(HN, fixture('hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json'));
    const report = await ask('anthropic', 20);
    const ask_ = report.items.find((i) => i.title.startsWith('Ask HN'));
    expect(ask_?.extra.kind).toBe('hn');
    expect(ask_?.url).toBe(ask_?.extra.kind === 'hn' ? ask_.extra.discussionUrl : 'not hn');
    expect(ask_?.snippet).not.toMatch(/<|&#x27;/);
  });

  it('keeps at most `limit` stories', async () => {
    replay.route(HN, fixture('hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json'));
    expect((await ask('anthropic', 2)).count).toBe(2);
  });

  it('is empty when nothing matches', async () => {
    replay.route(HN, reply(200, JSON.stringify({ hits: [], nbHits: 0, page: 0, nbPages: 0, hitsPerPage: 5, query: 'zzqx' }), json));
    expect(await ask('zzqx')).toMatchObject({ status: 'empty', count: 0 });
  });

  it("reports an upstream 4xx with Algolia's message", async () => {
    replay.route(HN, reply(400, JSON.stringify({ message: 'Invalid value for parameter hitsPerPage', status: 400 }), json));
    expect(await ask('x')).toMatchObject({ status: 'error', error: 'Hacker News search answered HTTP 400: Invalid value for parameter hitsPerPage' });
  });

  it('reports an upstream 5xx', async () => {
    replay.route(HN, reply(500, 'Internal Server Error'));
    expect(await ask('x')).toMatchObject({ status: 'error', error: 'Hacker News search answered HTTP 500' });
  });

  it.each([
    ['HTML', '<html>oops</html>', 'Hacker News search sent a response that is not valid JSON'],
    ['hits not a list', '{"hits":"none"}', 'Hacker News search sent a response without a list of hits'],
    ['hits of the wrong shape', '{"hits":[{"id":1}]}', 'Hacker News search sent hits in a shape Harmonic cannot read'],
  ])('reports a malformed body (%s)', async (_case, body, error) => {
    replay.route(HN, reply(200, body, json));
    expect(await ask('x')).toMatchObject({ status: 'error', error });
  });
});

describe('news source: GDELT (NEWS_PROVIDER=gdelt)', () => {
  const gdelt = { NEWS_PROVIDER: 'gdelt' };

  it('returns articles with domain, language, country and the time GDELT saw them', async () => {
    replay.route(GDELT, fixture('gdelt/doc-artlist-vizhinjam-2024.json'));
    const report = await ask('Vizhinjam port', 10, gdelt);
    expect(report).toMatchObject({ status: 'ok', count: 4 });
    expect(report.items[0]).toEqual({
      title: 'Customs grants approval to Vizhinjam International Seaport',
      snippet: 'thehindu.com (India, English), seen 2024-06-15.',
      url: 'https://www.thehindu.com/news/national/kerala/customs-grants-approval-to-vizhinjam-international-seaport/article68293772.ece',
      source: 'news',
      publishedAt: '2024-06-15T17:00:00Z',
      updatedAt: null,
      extra: { kind: 'gdelt', domain: 'thehindu.com', language: 'English', sourceCountry: 'India', imageUrl: 'https://www.thehindu.com/theme/images/og-image.png' },
    });
    expect(report.items[1]?.extra).toMatchObject({ language: 'Malayalam', imageUrl: null });
    expect(() => sourceReportSchema.parse(report)).not.toThrow();
    expect(Object.fromEntries(replay.calls(GDELT)[0]?.query ?? [])).toEqual({
      query: 'Vizhinjam port',
      mode: 'artlist',
      format: 'json',
      maxrecords: '10',
      sort: 'hybridrel',
      timespan: '7d',
    });
    expect(replay.calls(HN)).toEqual([]);
  });

  it('reads a plain-text error sent with HTTP 200 as an error', async () => {
    replay.route(GDELT, fixture('gdelt/error-keyword-too-short-200.txt'));
    expect(await ask('BR', 5, gdelt)).toMatchObject({
      status: 'error',
      error: 'GDELT rejected the query: One or more of your keywords were too short, too long or too common: (locationcc:br)',
    });
  });

  it('backs off after its plain-text 429, even without Retry-After, and skips the next query', async () => {
    replay.route(GDELT, fixture('gdelt/error-rate-limited-429.txt', { status: 429 }));
    const now = Date.parse('2026-07-02T10:00:00Z');
    const { service } = createHarness(replay, { env: gdelt, now: () => now });
    const first = (await service.answer({ query: 'ports', sources: ['news'], limit: 5 })).sources.news;
    expect(first?.status).toBe('error');
    expect(first?.error).toMatch(/^GDELT answered HTTP 429: Please limit requests to one every 5 seconds .*\. Harmonic will not call it again before 2026-07-02T10:01:00Z$/);
    const second = (await service.answer({ query: 'harbours', sources: ['news'], limit: 5 })).sources.news;
    expect(second).toMatchObject({ status: 'skipped', error: 'GDELT asked Harmonic to slow down (HTTP 429); this source is skipped until 2026-07-02T10:01:00Z.' });
    expect(replay.calls(GDELT)).toHaveLength(1);
  });

  it('is empty when GDELT answers with an empty object', async () => {
    replay.route(GDELT, reply(200, '{}', json));
    expect(await ask('zzqx', 5, gdelt)).toMatchObject({ status: 'empty', count: 0 });
  });

  it('reports a 5xx with its plain-text reason, and a malformed body', async () => {
    replay.route(GDELT, reply(502, 'Upstream connect error'));
    expect(await ask('ports', 5, gdelt)).toMatchObject({ status: 'error', error: 'GDELT answered HTTP 502: Upstream connect error' });
    replay.reset();
    replay.route(GDELT, reply(200, '{"articles": [{"url": "https://x.example/"', json));
    expect(await ask('ports', 5, gdelt)).toMatchObject({ status: 'error', error: 'GDELT sent a response that is not valid JSON' });
  });

  it('reads GDELT dates', () => {
    expect(gdeltDate('20240706T093000Z')).toBe('2024-07-06T09:30:00Z');
    expect(gdeltDate('2024-07-06')).toBeNull();
    expect(gdeltDate(undefined)).toBeNull();
  });
});
