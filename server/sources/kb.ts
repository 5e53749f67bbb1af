import type { KbExtra, SourceItem } from '../../shared/data.ts';
import type { Orm } from '../db/orm.ts';
import { KbEntry } from '../kb/entity.ts';
import type { KbSearchHit } from '../kb/repository.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';
import { MARK_END, MARK_START, markdownToText, stripMarks, toHighlight, truncateMarked } from './text.ts';

/** Where an entry can be read; the admin SPA and API serve knowledge-base entries under this path. */
export const kbEntryUrl = (id: string) => `/kb/${id}`;

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
