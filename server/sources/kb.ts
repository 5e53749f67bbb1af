import type { KbExtra, SourceItem } from '../../shared/data.ts';
import type { Orm } from '../db/orm.ts';
import { KbEntry } from '../kb/entity.ts';
import type { KbSearchHit } from '../kb/repository.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';
import { MARK_END, MARK_START, markdownToText, stripMarks, toHighlight, truncateMarked } from './text.ts';

/** Where a caller can read the whole entry: `GET /api/v1/kb/{id}`, with the same key (or in demo mode). */
export const kbEntryUrl = (id: string) => `/api/v1/kb/${id}`;

export function toKbItem(hit: KbSearchHit): SourceItem {
  const marked = truncateMarked(markdownToText(hit.headline));
  const extra: KbExtra = { kind: 'kb', id: hit.id, tags: hit.tags, rank: hit.rank, highlight: toHighlight(marked) };
  return {
    title: hit.title,
    snippet: stripMarks(marked),
    url: kbEntryUrl(hit.id),
    source: 'kb',
    publishedAt: hit.createdAt.toISOString(),
    updatedAt: hit.updatedAt.toISOString(),
    extra,
  };
}

/** The internal knowledge base: PostgreSQL full-text search over kb_entries. */
export class KbSource implements Source {
  readonly name = 'kb' as const;
  readonly upstreams = [] as const;
  readonly variant = 'fts-english';
  private readonly orm: Orm;

  constructor(deps: { orm: Orm }) {
    this.orm = deps.orm;
  }

  async fetch(query: string, { limit }: SourceOptions, signal: AbortSignal): Promise<SourceResult> {
    const repo = this.orm.em.fork().getRepository(KbEntry);
    const hits = await repo.search(query, { limit, signal, marks: { start: MARK_START, end: MARK_END } });
    return { items: hits.map(toKbItem) };
  }
}
