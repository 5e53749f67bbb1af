import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import type { ArxivExtra, SourceItem } from '../../shared/data.ts';
import type { SourcesConfig, Upstream } from './config.ts';
import { httpError, SourceError, type UpstreamClient } from './http.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';
import { collapseWhitespace, truncate } from './text.ts';

/**
 * arXiv: the export API's Atom feed (`/api/query`). arXiv reports a bad query
 * as a feed with one entry titled "Error" whose id points into
 * `arxiv.org/api/errors` (with HTTP 400, and sometimes 200), so that entry is
 * read as an error, never as a paper.
 */
const ARRAY_TAGS = new Set(['entry', 'author', 'category', 'link']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  isArray: (name) => ARRAY_TAGS.has(name),
  // Keep every value a string: "1707.08567" must not become a number.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: true,
});

/** Element text whether the parser gave a string or `{ '#text', …attributes }`. */
const text = z.union([z.string(), z.number(), z.object({ '#text': z.union([z.string(), z.number()]).optional() })]).transform((v) => {
  const raw = typeof v === 'object' ? v['#text'] : v;
  return raw === undefined ? '' : collapseWhitespace(String(raw));
});

const linkSchema = z.object({ '@_href': z.string(), '@_rel': z.string().optional(), '@_type': z.string().optional(), '@_title': z.string().optional() });

const entrySchema = z.object({
  id: text,
  title: text,
  summary: text.optional(),
  published: text.optional(),
  updated: text.optional(),
  link: z.array(linkSchema).default([]),
  category: z.array(z.object({ '@_term': z.string() })).default([]),
  author: z.array(z.object({ name: text })).default([]),
  'arxiv:primary_category': z.object({ '@_term': z.string() }).optional(),
  'arxiv:comment': text.optional(),
  'arxiv:journal_ref': text.optional(),
  'arxiv:doi': text.optional(),
});
type Entry = z.infer<typeof entrySchema>;

const feedSchema = z.object({
  feed: z.object({ entry: z.array(z.unknown()).default([]) }),
});

const ERROR_ID = /arxiv\.org\/api\/errors/;

/** Words that only make an AND query stricter without saying anything about the paper. */
const STOPWORDS = new Set(
  'a an and are as at be by can do does for from how i in into is it latest new of on or paper papers recent research show study the their this to what which with about'.split(' '),
);
const FIELD_PREFIX = /\b(ti|au|abs|co|jr|cat|rn|id|all):/;

/**
 * A free-text query in arXiv's search syntax: every significant word (or
 * quoted phrase) must appear somewhere (`all:`), which ranks far better than
 * arXiv's default OR. A query already written in that syntax (`au:hinton`) is passed through.
 */
export function toArxivQuery(query: string): string | undefined {
  if (FIELD_PREFIX.test(query)) return query;
  const terms: string[] = [];
  for (const m of query.matchAll(/"([^"]+)"|(\S+)/g)) {
    const phrase = m[1] ? m[1].replace(/[^\p{L}\p{N}\s.-]/gu, ' ').trim().replace(/\s+/g, ' ') : undefined;
    if (phrase) {
      terms.push(`all:"${phrase}"`);
      continue;
    }
    const word = (m[2] ?? '').replace(/[^\p{L}\p{N}.-]/gu, '').replace(/^[.-]+|[.-]+$/g, '');
    if (word && !STOPWORDS.has(word.toLowerCase())) terms.push(`all:${word}`);
  }
  return terms.length ? terms.slice(0, 12).join(' AND ') : undefined;
}

const https = (url: string) => url.replace(/^http:\/\//, 'https://');

function toItem(entry: Entry): SourceItem {
  const id = entry.id;
  const abs = entry.link.find((l) => l['@_rel'] === 'alternate')?.['@_href'] ?? id;
  const pdf = entry.link.find((l) => l['@_title'] === 'pdf' || l['@_type'] === 'application/pdf')?.['@_href'] ?? null;
  const abstract = entry.summary ?? '';
  const extra: ArxivExtra = {
    kind: 'arxiv',
    arxivId: id.replace(/^.*\/abs\//, ''),
    authors: entry.author.map((a) => a.name).filter(Boolean),
    categories: entry.category.map((c) => c['@_term']),
    primaryCategory: entry['arxiv:primary_category']?.['@_term'] ?? null,
    abstract,
    pdfUrl: pdf ? https(pdf) : null,
    doi: entry['arxiv:doi'] || null,
    journalRef: entry['arxiv:journal_ref'] || null,
    comment: entry['arxiv:comment'] || null,
  };
  return {
    title: entry.title,
    snippet: truncate(abstract),
    url: https(abs),
    source: 'arxiv',
    publishedAt: entry.published || null,
    updatedAt: entry.updated || null,
    extra,
  };
}

/** The feed's entries, or SourceError for a body that is not an arXiv Atom feed. */
export function parseArxivFeed(xml: string): { entries: Entry[]; error: string | undefined } {
  if (XMLValidator.validate(xml) !== true) throw new SourceError('arXiv sent a feed that is not well-formed XML');
  const feed = feedSchema.safeParse(parser.parse(xml));
  if (!feed.success) throw new SourceError('arXiv sent a response that is not an Atom feed');
  const entries: Entry[] = [];
  for (const raw of feed.data.feed.entry) {
    const parsed = entrySchema.safeParse(raw);
    if (!parsed.success) continue;
    if (ERROR_ID.test(parsed.data.id)) return { entries: [], error: parsed.data.summary || parsed.data.title };
    entries.push(parsed.data);
  }
  if (feed.data.feed.entry.length > 0 && entries.length === 0) throw new SourceError('arXiv sent entries in a shape Harmonic cannot read');
  return { entries, error: undefined };
}

export class ArxivSource implements Source {
  readonly name = 'arxiv' as const;
  readonly upstreams = ['arxiv'] as const;
  readonly variant = 'relevance';
  private readonly http: UpstreamClient;
  private readonly upstream: Upstream;

  constructor(deps: { http: UpstreamClient; config: SourcesConfig }) {
    this.http = deps.http;
    this.upstream = deps.config.upstreams.arxiv;
  }

  async fetch(query: string, { limit }: SourceOptions, signal: AbortSignal): Promise<SourceResult> {
    const searchQuery = toArxivQuery(query);
    if (!searchQuery) return { items: [], message: 'The query has no words arXiv can search for.' };
    const res = await this.http.get(
      this.upstream,
      '/api/query',
      { search_query: searchQuery, start: 0, max_results: limit, sortBy: 'relevance', sortOrder: 'descending' },
      signal,
      'application/atom+xml',
    );
    // A 400 carries an error feed worth reading; other failures (5xx HTML pages…) only their status.
    const readable = res.ok || (res.status >= 400 && res.status < 500 && res.body.trimStart().startsWith('<'));
    if (!readable) throw httpError(res);
    let parsed: ReturnType<typeof parseArxivFeed>;
    try {
      parsed = parseArxivFeed(res.body);
    } catch (err) {
      if (!res.ok) throw httpError(res);
      throw err;
    }
    if (parsed.error) throw res.ok ? new SourceError(`arXiv rejected the query: ${parsed.error}`) : httpError(res, parsed.error);
    if (!res.ok) throw httpError(res);
    return { items: parsed.entries.slice(0, limit).map(toItem) };
  }
}
