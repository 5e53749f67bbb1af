import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './testing/harness.ts';
import { byLastSegment, delayed, fixture, readFixture, ReplayServer, reply } from './testing/replay-server.ts';
import { parseSummary, toWikiItem } from './wiki.ts';

const SEARCH = '/w/rest.php/v1/search/page';
const SUMMARY = '/api/rest_v1/page/summary/*';
const notFound = reply(404, '{"type":"https://mediawiki.org/wiki/HyperSwitch/errors/not_found","title":"Not found."}', { 'content-type': 'application/json' });

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

const ask = async (query: string, limit = 5, env: Record<string, string> = {}) => {
  const { service } = createHarness(replay, { env });
  const answer = await service.answer({ query, sources: ['wiki'], limit });
  const report = answer.sources.wiki;
  if (!report) throw new Error('no wiki report');
  return report;
};

describe('wiki source', () => {
  it('searches Wikipedia (REST) and returns the pages in order, with description and thumbnail', async () => {
    replay.route(SEARCH, fixture('wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json')).route(SUMMARY, notFound);
    const report = await ask('linksto:Shell_(computing)', 5);
    expect(report).toMatchObject({ status: 'ok', count: 5, error: null, cached: false });
    expect(report.items.map((i) => i.title)).toEqual(['North Korea', 'Microsoft Windows', 'MacOS', 'Linux', 'Operating system']);
    expect(report.items[3]).toMatchObject({
      url: `${replay.url}/wiki/Linux`,
      source: 'wiki',
      snippet: expect.stringMatching(/^Linux \(\/ˈlɪnʊks\/ LIN-uuks\) is a family of open-source Unix-like operating systems/),
      extra: {
        kind: 'wiki',
        key: 'Linux',
        pageId: 6097297,
        language: 'en',
        description: 'Family of Unix-like operating systems',
        // Search thumbnails are protocol-relative; ours are absolute.
        thumbnailUrl: 'https://upload.wikimedia.org/wikipedia/commons/thumb/3/35/Tux.svg/60px-Tux.svg.png',
        extract: null,
      },
    });
    const [search] = replay.calls(SEARCH);
    expect(search?.query.get('q')).toBe('linksto:Shell_(computing)');
    expect(search?.query.get('limit')).toBe('5');
    expect(search?.headers['user-agent']).toMatch(/^Harmonic\/\S+ \(\+https:\/\/harmonic\.example\/contact\)$/);
    // One summary per page, each tried; a 404 leaves the search excerpt in place.
    expect(replay.calls(SUMMARY).map((r) => r.path)).toHaveLength(5);
  });

  it('enriches each page with its summary: lead paragraph, canonical URL, coordinates, last edit', async () => {
    // Made up in this test, since no recorded search lists Moscow; the summary is the recorded one.
    const listing = { pages: [{ id: 19004, key: 'Moscow', title: 'Moscow', excerpt: '<span class="searchmatch">Moscow</span> is the capital &amp; largest city', description: 'Capital of Russia', thumbnail: null }] };
    replay.route(SEARCH, reply(200, JSON.stringify(listing), { 'content-type': 'application/json' }));
    replay.route(SUMMARY, byLastSegment({ Moscow: fixture('wikipedia/rest-v1-page-summary-moscow.json') }, notFound));
    const report = await ask('moscow', 3);
    expect(report.status).toBe('ok');
    expect(report.items[0]).toMatchObject({
      title: 'Moscow',
      url: 'https://en.wikipedia.org/wiki/Moscow',
      snippet: expect.stringMatching(/^Moscow is the capital and largest city of Russia\. The city stands on the Moskva River/),
      updatedAt: '2021-03-30T08:43:22Z',
      extra: {
        description: 'Capital and largest city of Russia',
        coordinates: { lat: 55.75583333, lon: 37.61722222 },
        thumbnailUrl: expect.stringMatching(/^https:\/\/upload\.wikimedia\.org\/.*Spasskaya_Tower/),
        highlight: '<mark>Moscow</mark> is the capital &amp; largest city',
      },
    });
    expect(report.items[0]?.snippet.length).toBeLessThanOrEqual(300);
  });

  it('reads the current summary format (2025) too', () => {
    const summary = parseSummary(JSON.parse(readFixture('wikipedia/rest-v1-page-summary-17th-battalion-australia.json').toString()));
    expect(summary).toBeDefined();
    const item = toWikiItem({ key: '17th_Battalion_(Australia)', title: '17th Battalion (Australia)', id: 6342535 }, summary, { language: 'en', siteUrl: 'https://en.wikipedia.org' });
    expect(item).toMatchObject({
      title: '17th Battalion (Australia)',
      url: 'https://en.wikipedia.org/wiki/17th_Battalion_(Australia)',
      updatedAt: '2025-11-05T12:05:00Z',
      extra: { pageId: 6342535, description: 'Australian Army infantry battalion', coordinates: null, highlight: null },
    });
    expect(item.extra.kind === 'wiki' && item.extra.extract).toMatch(/^The 17th Battalion was an infantry battalion of the Australian Army\./);
  });

  it('keeps the search excerpt when summaries are slow, within the source timeout', async () => {
    replay.route(SEARCH, fixture('wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json'));
    // The summaries would come after 5 s, well within the source's 10 s timeout: an excerpt-only answer means the 150 ms summary budget cut them off.
    replay.route(SUMMARY, delayed(5_000, fixture('wikipedia/rest-v1-page-summary-moscow.json')));
    const report = await ask('linksto:Shell_(computing)', 2, { WIKI_SUMMARY_TIMEOUT_MS: '150' });
    expect(report).toMatchObject({ status: 'ok', count: 2 });
    expect(report.items[0]?.extra).toMatchObject({ extract: null, description: 'Country in East Asia' });
  });

  it('skips summaries altogether when WIKI_SUMMARIES=false', async () => {
    replay.route(SEARCH, fixture('wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json'));
    const report = await ask('linksto:Shell_(computing)', 5, { WIKI_SUMMARIES: 'false' });
    expect(report.status).toBe('ok');
    expect(replay.calls(SUMMARY)).toEqual([]);
  });

  it('is empty when the search finds no page', async () => {
    // No recorded empty search exists; this is its documented shape.
    replay.route(SEARCH, reply(200, '{"pages":[]}', { 'content-type': 'application/json' }));
    expect(await ask('qwzxv plorkt')).toMatchObject({ status: 'empty', count: 0, items: [], error: null });
  });

  it('reports an upstream 4xx with what Wikipedia said', async () => {
    replay.route(
      SEARCH,
      reply(400, JSON.stringify({ errorKey: 'rest-invalid-limit', messageTranslations: { en: 'Invalid value for parameter limit.' }, httpCode: 400, httpReason: 'Bad Request' })),
    );
    expect(await ask('x')).toMatchObject({ status: 'error', count: 0, error: 'Wikipedia answered HTTP 400: Invalid value for parameter limit.' });
  });

  it('reports an upstream 5xx', async () => {
    replay.route(SEARCH, reply(502, '<html><body>Bad Gateway</body></html>', { 'content-type': 'text/html' }));
    expect(await ask('x')).toMatchObject({ status: 'error', error: 'Wikipedia answered HTTP 502' });
  });

  it.each([
    ['truncated JSON', '{"pages":[{"id":1,', 'Wikipedia sent a response that is not valid JSON'],
    ['an HTML page', '<!DOCTYPE html><title>Wikimedia Error</title>', 'Wikipedia sent a response that is not valid JSON'],
    ['JSON without pages', '{"results":[]}', 'Wikipedia sent a search response without a list of pages'],
    ['pages of the wrong shape', '{"pages":[{"name":"x"}]}', 'Wikipedia sent search results in a shape Harmonic cannot read'],
  ])('reports a malformed body (%s)', async (_case, body, error) => {
    replay.route(SEARCH, reply(200, body, { 'content-type': 'application/json' }));
    expect(await ask('x')).toMatchObject({ status: 'error', error });
  });
});
