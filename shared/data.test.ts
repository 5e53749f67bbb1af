import { describe, expect, it } from 'vitest';
import { dataAnswerSchema, sourceItemSchema, type SourceItem } from './data.ts';

const item: SourceItem = {
  title: 'Rotating an API key',
  snippet: 'Rotation replaces a key with a new one for the same owner.',
  url: '/api/v1/kb/8b64b6ed-d984-5477-9a87-7eb80f3746e9',
  source: 'kb',
  publishedAt: '2026-11-24T00:00:00.000Z',
  updatedAt: '2026-11-24T00:00:00.000Z',
  extra: { kind: 'kb', id: '8b64b6ed-d984-5477-9a87-7eb80f3746e9', tags: ['keys'], rank: 0.6, highlight: '<mark>Rotation</mark> replaces a key' },
};

describe('the data answer schemas', () => {
  it('accept what the types describe', () => {
    const answer = {
      query: 'rotate',
      sources: { kb: { source: 'kb', status: 'ok', tookMs: 3, count: 1, cached: false, error: null, message: null, items: [item] } },
      merged: [{ ...item, score: 0.016393, foundIn: ['kb'] }],
      cachedSources: [],
      tookMs: 4,
    };
    expect(dataAnswerSchema.parse(answer)).toEqual(answer);
  });

  it('tell the extras apart by kind, and refuse what the contract does not declare', () => {
    expect(sourceItemSchema.safeParse({ ...item, extra: { ...item.extra, kind: 'wiki' } }).success).toBe(false);
    expect(sourceItemSchema.safeParse({ ...item, html: '<b>x</b>' }).success).toBe(false);
    expect(sourceItemSchema.safeParse({ ...item, source: 'web' }).success).toBe(false);
  });
});
