import { describe, expect, it } from 'vitest';
import { excerptRuns, kbEntryIdFromUrl } from './kb.ts';

describe('excerptRuns', () => {
  it('splits highlighted words out and drops Markdown syntax', () => {
    expect(excerptRuns('## Rate limits\n\nEvery **key** shares the `quota`, see [docs](https://x.example).')).toEqual([
      { text: 'Rate limits Every ', mark: false },
      { text: 'key', mark: true },
      { text: ' shares the quota, see docs.', mark: false },
    ]);
  });
  it('drops code blocks, even an unterminated one', () => {
    expect(excerptRuns('Intro\n```ts\nconst a = 1;\n```\nafter')).toEqual([{ text: 'Intro after', mark: false }]);
    expect(excerptRuns('Intro ```ts\nconst a')).toEqual([{ text: 'Intro', mark: false }]);
  });
  it('treats ** as bold, not a match, outside a search, and flattens tables', () => {
    expect(excerptRuns('A **bold** claim', false)).toEqual([{ text: 'A bold claim', mark: false }]);
    expect(excerptRuns('| Code | Meaning |\n|---|---|\n| 200 | OK |', false)).toEqual([{ text: 'Code · Meaning 200 · OK', mark: false }]);
  });
  it('highlights a match that was already bold once', () => {
    expect(excerptRuns('The ****finch**** eats')).toEqual([
      { text: 'The ', mark: false },
      { text: 'finch', mark: true },
      { text: ' eats', mark: false },
    ]);
  });
});

describe('kbEntryIdFromUrl', () => {
  it('reads the entry id of a kb result', () => {
    const id = '8736f132-781b-4f77-8aa4-8c0f8c2e5099';
    expect(kbEntryIdFromUrl(`/api/v1/kb/${id}`)).toBe(id);
    expect(kbEntryIdFromUrl(`/kb/${id}`)).toBe(id);
    expect(kbEntryIdFromUrl('https://en.wikipedia.org/wiki/Rate_limiting')).toBeUndefined();
    expect(kbEntryIdFromUrl(`/api/v1/kb/${id}/x`)).toBeUndefined();
  });
});
