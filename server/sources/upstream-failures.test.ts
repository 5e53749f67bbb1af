import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SourceName } from '../../shared/data.ts';
import { createHarness } from './testing/harness.ts';
import { delayed, fixture, hang, ReplayServer, reply, resetConnection, truncated, type Handler } from './testing/replay-server.ts';

/**
 * What every upstream source does when its upstream misbehaves in ways no
 * recording shows: it hangs, drops the connection, stops half-way, fails, or
 * asks us to back off. Each case runs against each source.
 */
interface Case {
  name: string;
  source: SourceName;
  env?: Record<string, string>;
  query: string;
  /** The first upstream path the source calls, where the failure is staged. */
  path: string;
  label: string;
  /** Routes that make the source succeed. */
  succeed: (replay: ReplayServer) => void;
  /** A recorded body to cut short. */
  recording: string;
}

const CASES: Case[] = [
  {
    name: 'wiki',
    source: 'wiki',
    env: { WIKI_SUMMARIES: 'false' },
    query: 'shell',
    path: '/w/rest.php/v1/search/page',
    label: 'Wikipedia',
    recording: 'wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json',
    succeed: (r) => r.route('/w/rest.php/v1/search/page', fixture('wikipedia/rest-v1-search-page-linksto-shell-computing-limit5.json')),
  },
  {
    name: 'arxiv',
    source: 'arxiv',
    query: 'testing',
    path: '/api/query',
    label: 'arXiv',
    recording: 'arxiv/search-all-testing-start0-max10.xml',
    succeed: (r) => r.route('/api/query', fixture('arxiv/search-all-testing-start0-max10.xml')),
  },
  {
    name: 'news (Hacker News)',
    source: 'news',
    query: 'claude',
    path: '/api/v1/search',
    label: 'Hacker News search',
    recording: 'hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json',
    succeed: (r) => r.route('/api/v1/search', fixture('hn-algolia/search-query-anthropic-or-claude-ai-tags-story.json')),
  },
  {
    name: 'news (GDELT)',
    source: 'news',
    env: { NEWS_PROVIDER: 'gdelt' },
    query: 'vizhinjam',
    path: '/api/v2/doc/doc',
    label: 'GDELT',
    recording: 'gdelt/doc-artlist-vizhinjam-2024.json',
    succeed: (r) => r.route('/api/v2/doc/doc', fixture('gdelt/doc-artlist-vizhinjam-2024.json')),
  },
  {
    name: 'weather',
    source: 'weather',
    query: 'weather in London',
    path: '/v1/search',
    label: 'Open-Meteo geocoding',
    recording: 'open-meteo/geocoding-london.json',
    succeed: (r) => r.route('/v1/search', fixture('open-meteo/geocoding-london.json')).route('/v1/forecast', fixture('open-meteo/forecast-current-daily-london.json')),
  },
];

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

describe.each(CASES)('$name when its upstream misbehaves', (c) => {
  // Only the timeout cases get a short timeout; the others keep the harness's generous one, so load cannot turn them into timeouts.
  const run = async (handler: Handler, opts: { now?: () => number; timeoutMs?: number } = {}) => {
    replay.route(c.path, handler);
    const { service } = createHarness(replay, { env: { ...(opts.timeoutMs ? { SOURCE_TIMEOUT_MS: String(opts.timeoutMs) } : {}), ...c.env }, ...(opts.now ? { now: opts.now } : {}) });
    const answer = await service.answer({ query: c.query, sources: [c.source], limit: 5 });
    return { service, report: answer.sources[c.source] };
  };

  it('times out on a hanging upstream, through the AbortSignal', async () => {
    // The upstream never answers, so only the timeout can end the call; it waited the timeout, not less.
    const { report } = await run(hang(), { timeoutMs: 200 });
    expect(report).toMatchObject({ status: 'timeout', count: 0, items: [], error: 'No answer within 200 ms.', cached: false });
    expect(report?.tookMs).toBeGreaterThanOrEqual(190);
  });

  it('times out on an upstream slower than the timeout', async () => {
    const { report } = await run(delayed(500, fixture(c.recording)), { timeoutMs: 200 });
    expect(report?.status).toBe('timeout');
  });

  it('reports a reset connection (after one retry, as for a stale keep-alive socket)', async () => {
    const { report } = await run(resetConnection());
    expect(report).toMatchObject({ status: 'error', error: expect.stringMatching(new RegExp(`^Could not reach ${c.label}: the connection was (reset|closed before the response was complete)$`)) });
    expect(replay.calls(c.path)).toHaveLength(2);
  });

  it('recovers when only the first attempt meets a dropped connection', async () => {
    let calls = 0;
    c.succeed(replay);
    const ok = fixture(c.recording);
    const { report } = await run((req, res, url) => (++calls === 1 ? resetConnection()(req, res, url) : ok(req, res, url)));
    expect(report?.status).toBe('ok');
  });

  it('reports a body cut off half-way', async () => {
    const { report } = await run(truncated(c.recording, 200));
    expect(report).toMatchObject({ status: 'error', error: `${c.label} stopped sending its response: the connection was closed before the response was complete` });
  });

  it('reports a 503 with Retry-After, then skips the source without calling upstream until then', async () => {
    let now = Date.parse('2026-07-02T10:00:00Z');
    const { service, report } = await run(reply(503, 'Service Unavailable', { 'retry-after': '120' }), { now: () => now });
    expect(report?.status).toBe('error');
    // GDELT's errors are plain text, so its message quotes the body; the others' only say the status.
    expect(report?.error).toMatch(new RegExp(`^${c.label} answered HTTP 503(: Service Unavailable)?\\. Harmonic will not call it again before 2026-07-02T10:02:00Z$`));

    const skipped = (await service.answer({ query: `${c.query} again`, sources: [c.source], limit: 5 })).sources[c.source];
    expect(skipped).toMatchObject({ status: 'skipped', count: 0, error: `${c.label} asked Harmonic to slow down (HTTP 503); this source is skipped until 2026-07-02T10:02:00Z.` });
    expect(replay.calls(c.path)).toHaveLength(1);
    expect(service.describeSources().find((s) => s.name === c.source)?.skippedUntil).toBe('2026-07-02T10:02:00.000Z');

    now += 120_000;
    replay.reset();
    c.succeed(replay);
    const back = (await service.answer({ query: `${c.query} later`, sources: [c.source], limit: 5 })).sources[c.source];
    expect(back?.status).toBe('ok');
  });

  it('honours a Retry-After given as an HTTP date on a 429', async () => {
    const now = Date.parse('2026-07-02T10:00:00Z');
    const { service } = await run(reply(429, 'Too Many Requests', { 'retry-after': 'Thu, 02 Jul 2026 10:00:30 GMT' }), { now: () => now });
    const skipped = (await service.answer({ query: `${c.query} again`, sources: [c.source], limit: 5 })).sources[c.source];
    expect(skipped?.error).toMatch(/skipped until 2026-07-02T10:00:30Z\.$/);
  });

  it('reports a 5xx without backing off when no Retry-After came with it', async () => {
    const { service, report } = await run(reply(500, 'Internal error'));
    expect(report?.status).toBe('error');
    expect(report?.error).toMatch(new RegExp(`^${c.label} answered HTTP 500`));
    await service.answer({ query: `${c.query} again`, sources: [c.source], limit: 5 });
    expect(replay.calls(c.path)).toHaveLength(2);
  });
});
