import { describe, expect, it } from 'vitest';
import type { SourceItem, SourceName } from '../../shared/data.ts';
import { fuse, normaliseUrl, RRF_K } from './fusion.ts';

const item = (source: SourceName, url: string, title = url): SourceItem => ({
  title,
  snippet: '',
  url,
  source,
  publishedAt: null,
  updatedAt: null,
  extra: { kind: 'kb', id: title, tags: [], rank: 0, highlight: '' },
});

describe('normaliseUrl', () => {
  it('treats trivially different spellings of one page as one', () => {
    const same = [
      'https://en.wikipedia.org/wiki/Moscow',
      'http://en.wikipedia.org/wiki/Moscow/',
      'https://EN.Wikipedia.org/wiki/Moscow#History',
      'https://en.m.wikipedia.org/wiki/Moscow',
      'https://en.wikipedia.org/wiki/Moscow?utm_source=x&utm_medium=y',
    ];
    expect(new Set(same.map(normaliseUrl))).toEqual(new Set(['https://en.wikipedia.org/wiki/Moscow']));
    expect(normaliseUrl('https://www.example.com/a?b=2&a=1')).toBe(normaliseUrl('https://example.com/a?a=1&b=2'));
    expect(normaliseUrl('https://arxiv.org/abs/2202.12139v1')).toBe(normaliseUrl('http://arxiv.org/abs/2202.12139v3'));
  });

  it('keeps what does change the page: path case, real parameters, ports', () => {
    expect(normaliseUrl('https://example.com/A')).not.toBe(normaliseUrl('https://example.com/a'));
    expect(normaliseUrl('https://news.ycombinator.com/item?id=1')).not.toBe(normaliseUrl('https://news.ycombinator.com/item?id=2'));
    expect(normaliseUrl('https://example.com:8443/')).not.toBe(normaliseUrl('https://example.com/'));
    expect(normaliseUrl('/kb/abc')).toBe('/kb/abc');
  });
});

describe('fuse (reciprocal rank fusion, k = 60)', () => {
  it('scores 1/(k + rank) per source and sums agreement across sources', () => {
    const merged = fuse([
      { source: 'wiki', items: [item('wiki', 'https://a.example/'), item('wiki', 'https://b.example/')] },
      { source: 'kb', items: [item('kb', 'https://b.example/'), item('kb', 'https://c.example/')] },
    ]);
    expect(merged.map((m) => [m.url, m.foundIn, m.score])).toEqual([
      // b: rank 2 in wiki + rank 1 in kb beats a, first in only one source.
      ['https://b.example/', ['wiki', 'kb'], Math.round((1 / (RRF_K + 2) + 1 / (RRF_K + 1)) * 1e6) / 1e6],
      ['https://a.example/', ['wiki'], Math.round((1 / (RRF_K + 1)) * 1e6) / 1e6],
      ['https://c.example/', ['kb'], Math.round((1 / (RRF_K + 2)) * 1e6) / 1e6],
    ]);
  });

  it('deduplicates by normalised URL and keeps the best-ranked copy of the item', () => {
    const merged = fuse([
      { source: 'news', items: [item('news', 'https://x.example/', 'x'), item('news', 'http://www.example.org/page/', 'news copy')] },
      { source: 'wiki', items: [item('wiki', 'https://example.org/page', 'wiki copy')] },
    ]);
    expect(merged).toHaveLength(2);
    const page = merged.find((m) => m.foundIn.length === 2);
    expect(page).toMatchObject({ title: 'wiki copy', source: 'wiki', foundIn: ['news', 'wiki'] });
  });

  it('breaks ties by the better single rank, then by the order the sources were asked for', () => {
    const merged = fuse([
      { source: 'arxiv', items: [item('arxiv', 'https://p1.example/'), item('arxiv', 'https://p2.example/')] },
      { source: 'news', items: [item('news', 'https://n1.example/'), item('news', 'https://n2.example/')] },
      { source: 'kb', items: [item('kb', 'https://k1.example/')] },
    ]);
    expect(merged.map((m) => m.url)).toEqual([
      'https://p1.example/',
      'https://n1.example/',
      'https://k1.example/',
      'https://p2.example/',
      'https://n2.example/',
    ]);
  });

  it('counts a URL a source lists twice once, at its better rank', () => {
    const merged = fuse([{ source: 'news', items: [item('news', 'https://x.example/'), item('news', 'https://x.example/#comments')] }]);
    expect(merged).toEqual([expect.objectContaining({ foundIn: ['news'], score: Math.round((1 / (RRF_K + 1)) * 1e6) / 1e6 })]);
  });

  it('returns nothing for nothing', () => {
    expect(fuse([])).toEqual([]);
    expect(fuse([{ source: 'wiki', items: [] }])).toEqual([]);
  });
});
