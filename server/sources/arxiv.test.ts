import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseArxivFeed, toArxivQuery } from './arxiv.ts';
import { createHarness } from './testing/harness.ts';
import { fixture, readFixture, ReplayServer, reply } from './testing/replay-server.ts';

const QUERY = '/api/query';

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

const ask = async (query: string, limit = 5) => {
  const { service } = createHarness(replay);
  const report = (await service.answer({ query, sources: ['arxiv'], limit })).sources.arxiv;
  if (!report) throw new Error('no arxiv report');
  return report;
};

describe('arxiv source', () => {
  it('parses the Atom feed into papers with authors, categories, abstract, PDF link and DOI', async () => {
    replay.route(QUERY, fixture('arxiv/search-all-testing-start0-max10.xml'));
    const report = await ask('testing', 3);
    expect(report).toMatchObject({ status: 'ok', count: 3, error: null });
    expect(report.items[0]).toEqual({
      title: 'Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques',
      snippet: expect.stringMatching(/^Deep Learning \(DL\) has revolutionized the capabilities of vision-based systems .*…$/),
      url: 'https://arxiv.org/abs/2202.12139v1',
      source: 'arxiv',
      publishedAt: '2022-02-24T15:05:19Z',
      updatedAt: '2022-02-24T15:05:19Z',
      extra: {
        kind: 'arxiv',
        arxivId: '2202.12139v1',
        authors: ['Mohit Kumar Ahuja', 'Arnaud Gotlieb', 'Helge Spieker'],
        categories: ['cs.SE', 'cs.LG'],
        primaryCategory: 'cs.SE',
        abstract: expect.stringMatching(/^Deep Learning \(DL\) has .* discuss its results\.$/),
        pdfUrl: 'https://arxiv.org/pdf/2202.12139v1',
        doi: '10.1109/ICSTW55395.2022.00035',
        journalRef: expect.stringMatching(/^Artificial Intelligence in Software Testing @ 2022 IEEE/),
        comment: 'Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022',
      },
    });
    const [call] = replay.calls(QUERY);
    expect(Object.fromEntries(call?.query ?? [])).toEqual({
      search_query: 'all:testing',
      start: '0',
      max_results: '3',
      sortBy: 'relevance',
      sortOrder: 'descending',
    });
    expect(call?.headers['accept']).toBe('application/atom+xml');
  });

  it('reads a paper with many authors and a comment', async () => {
    replay.route(QUERY, fixture('arxiv/id-list-1707.08567.xml'));
    const report = await ask('AEW10 information theory');
    expect(report.count).toBe(1);
    expect(report.items[0]?.extra).toMatchObject({
      kind: 'arxiv',
      arxivId: '1707.08567v1',
      categories: ['cs.IT'],
      comment: '44 pages, editors for the proceedings: Yanling Chen and A. J. Han Vinck',
      doi: null,
      journalRef: null,
    });
    const extra = report.items[0]?.extra;
    expect(extra?.kind === 'arxiv' && extra.authors).toHaveLength(34);
    expect(replay.calls(QUERY)[0]?.query.get('search_query')).toBe('all:AEW10 AND all:information AND all:theory');
  });

  it('is empty for an empty feed', async () => {
    replay.route(QUERY, fixture('arxiv/empty-id-list-0000.0000.xml'));
    expect(await ask('0000.0000')).toMatchObject({ status: 'empty', count: 0, items: [], error: null });
  });

  it('is empty, without calling arXiv, when no searchable word is left', async () => {
    expect(await ask('the of and ???')).toMatchObject({ status: 'empty', message: 'The query has no words arXiv can search for.' });
    expect(replay.requests).toEqual([]);
  });

  it("reads arXiv's HTTP 400 error feed as an error, not as a paper called Error", async () => {
    replay.route(QUERY, fixture('arxiv/error-400-malformed-id-abc.xml', { status: 400 }));
    expect(await ask('abc')).toMatchObject({ status: 'error', count: 0, error: 'arXiv answered HTTP 400: incorrect id format for abc' });
  });

  it('reads the same error feed when it comes with HTTP 200', async () => {
    replay.route(QUERY, fixture('arxiv/error-400-malformed-id-abc.xml'));
    expect(await ask('abc')).toMatchObject({ status: 'error', error: 'arXiv rejected the query: incorrect id format for abc' });
  });

  it('reports an upstream 5xx without reading its body as a feed', async () => {
    replay.route(QUERY, reply(500, '<html><body><h1>500 Internal Server Error</h1></body></html>', { 'content-type': 'text/html' }));
    expect(await ask('testing')).toMatchObject({ status: 'error', error: 'arXiv answered HTTP 500' });
  });

  it.each([
    ['a truncated feed', readFixture('arxiv/search-all-testing-start0-max10.xml').subarray(0, 3000).toString(), 'arXiv sent a feed that is not well-formed XML'],
    ['an HTML page', '<html><body><p>Down for maintenance</p></body></html>', 'arXiv sent a response that is not an Atom feed'],
    ['plain text', 'Rate exceeded.', 'arXiv sent a feed that is not well-formed XML'],
  ])('reports a malformed body (%s)', async (_case, body, error) => {
    replay.route(QUERY, reply(200, body, { 'content-type': 'application/atom+xml' }));
    expect(await ask('testing')).toMatchObject({ status: 'error', error });
  });

  it('turns free text into an AND of terms, keeps phrases, and passes arXiv syntax through', () => {
    expect(toArxivQuery('recent papers on transformer attention')).toBe('all:transformer AND all:attention');
    expect(toArxivQuery('"large language models" evaluation')).toBe('all:"large language models" AND all:evaluation');
    expect(toArxivQuery('au:hinton AND ti:boltzmann')).toBe('au:hinton AND ti:boltzmann');
    expect(toArxivQuery('C++ (templates), 2.0!')).toBe('all:C AND all:templates AND all:2.0');
    expect(toArxivQuery('what is the')).toBeUndefined();
  });

  it('refuses a feed whose entries cannot be read at all', () => {
    expect(() => parseArxivFeed('<feed xmlns="http://www.w3.org/2005/Atom"><entry><foo/></entry></feed>')).toThrow(/cannot read/);
  });
});
