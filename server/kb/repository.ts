import { EntityRepository } from '@mikro-orm/postgresql';
import type { KbEntry } from './entity.ts';

export interface KbEntryInput {
  title: string;
  /** Markdown. */
  body: string;
  tags?: string[];
}

export interface KbSearchHit {
  id: string;
  title: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  /** ts_rank; higher is better. */
  rank: number;
  /** The best passage of the body (Markdown), matched words between the `marks` asked for. */
  headline: string;
}

/** Lower-case, trimmed, each once, in the order given. */
export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/**
 * A fenced Markdown code block; the headline is taken from the prose around
 * code, which reads better as a passage. (No `?` in it: MikroORM would read
 * one as a placeholder.)
 */
const CODE_BLOCK = '```([^`]|`[^`]|``[^`])*```';

// One search in PostgreSQL: websearch_to_tsquery accepts what people type
// ("rate limit" -header, quotes, or); ts_rank orders by the weighted tsvector
// (title A, tags B, body C); ts_headline runs only on the rows kept.
const SEARCH_SQL = `
  with q as (select websearch_to_tsquery('english', ?) as q),
  top as (
    select e.id, e.title, e.body, e.tags, e.created_at, e.updated_at, ts_rank(e.search, q.q) as rank
      from kb_entries e, q
     where e.search @@ q.q
     order by rank desc, e.updated_at desc, e.id
     limit ?
  )
  select top.id, top.title, top.tags, to_json(top.created_at) #>> '{}' as created_at, to_json(top.updated_at) #>> '{}' as updated_at, top.rank,
         ts_headline('english', regexp_replace(top.body, '${CODE_BLOCK}', ' ', 'g'), q.q, ?) as headline
    from top, q
   order by top.rank desc, top.updated_at desc, top.id`;

const headlineOptions = (marks: { start: string; end: string }) =>
  `StartSel="${marks.start}", StopSel="${marks.end}", MaxWords=35, MinWords=15, ShortWord=0, MaxFragments=2, FragmentDelimiter=" … "`;

interface SearchRow {
  id: string;
  title: string;
  tags: string[];
  /** ISO 8601: raw queries get timestamps as PostgreSQL text, so the SQL formats them. */
  created_at: string;
  updated_at: string;
  rank: number;
  headline: string;
}

export class KbEntryRepository extends EntityRepository<KbEntry> {
  /**
   * Full-text search, best first. `marks` wrap the matched words in the
   * headline (Markdown bold by default). The signal cancels the query in
   * PostgreSQL, not only the wait for it.
   */
  async search(query: string, opts: { limit: number; signal?: AbortSignal; marks?: { start: string; end: string } }): Promise<KbSearchHit[]> {
    const marks = opts.marks ?? { start: '**', end: '**' };
    if (/["\s,]/.test(marks.start + marks.end)) throw new Error('headline marks may not contain quotes, commas or spaces');
    const rows = await this.getEntityManager().execute<SearchRow[]>(SEARCH_SQL, [query, opts.limit, headlineOptions(marks)], {
      ...(opts.signal ? { signal: opts.signal, inflightQueryAbortStrategy: 'cancel query' as const } : {}),
    });
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      tags: r.tags,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
      rank: Number(r.rank),
      headline: r.headline,
    }));
  }

  /** Newest changes first; `tag` filters to entries carrying it. */
  async list(opts: { limit: number; offset?: number; tag?: string }): Promise<{ entries: KbEntry[]; total: number }> {
    const where = opts.tag ? { tags: { $contains: normaliseTags([opts.tag]) } } : {};
    const [entries, total] = await this.findAndCount(where, {
      orderBy: { updatedAt: 'desc', id: 'asc' },
      limit: opts.limit,
      offset: opts.offset ?? 0,
    });
    return { entries, total };
  }

  async createEntry(input: KbEntryInput): Promise<KbEntry> {
    const entry = this.create({ title: input.title.trim(), body: input.body, tags: normaliseTags(input.tags ?? []) });
    await this.getEntityManager().flush();
    return entry;
  }

  /** Null when there is no such entry. */
  async updateEntry(id: string, patch: Partial<KbEntryInput>): Promise<KbEntry | null> {
    const entry = await this.findOne({ id });
    if (!entry) return null;
    if (patch.title !== undefined) entry.title = patch.title.trim();
    if (patch.body !== undefined) entry.body = patch.body;
    if (patch.tags !== undefined) entry.tags = normaliseTags(patch.tags);
    await this.getEntityManager().flush();
    return entry;
  }

  /** False when there was no such entry. */
  async deleteEntry(id: string): Promise<boolean> {
    const deleted = await this.nativeDelete({ id });
    return deleted > 0;
  }
}
