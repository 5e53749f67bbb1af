import { z } from 'zod';
import type { SourceItem, WikiExtra } from '../../shared/data.ts';
import type { SourcesConfig, Upstream } from './config.ts';
import { httpError, parseJson, SourceError, tryParseJson, type UpstreamClient } from './http.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';
import { htmlToText, stripMarks, toHighlight, truncate, truncateMarked } from './text.ts';

/**
 * Wikipedia: the REST search endpoint (`/w/rest.php/v1/search/page`) ranks the
 * pages, then each page's REST summary (`/api/rest_v1/page/summary/{title}`)
 * adds the lead paragraph, thumbnail, coordinates and last-edit time. A summary
 * that fails or is slow only costs that enrichment: the item keeps the search excerpt.
 */
const searchSchema = z.object({ pages: z.array(z.unknown()) });

const pageSchema = z.object({
  id: z.number().nullish(),
  key: z.string().min(1),
  title: z.string().min(1),
  excerpt: z.string().nullish(),
  description: z.string().nullish(),
  thumbnail: z.object({ url: z.string() }).nullish(),
});
type SearchPage = z.infer<typeof pageSchema>;

const summarySchema = z.object({
  title: z.string(),
  pageid: z.number().nullish(),
  description: z.string().nullish(),
  extract: z.string().nullish(),
  timestamp: z.string().nullish(),
  thumbnail: z.object({ source: z.string() }).nullish(),
  coordinates: z.object({ lat: z.number(), lon: z.number() }).nullish(),
  content_urls: z.object({ desktop: z.object({ page: z.string() }) }).nullish(),
});
export type WikiSummary = z.infer<typeof summarySchema>;

/** MediaWiki REST errors: `{ messageTranslations: { en }, httpReason }`; RESTBase: `{ title, detail }`. */
const errorSchema = z.object({
  messageTranslations: z.record(z.string(), z.string()).optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
  httpReason: z.string().optional(),
});

const SEARCHMATCH = /<span class="searchmatch">([\s\S]*?)<\/span>/g;

/** Titles in paths: `/` and `:` stay readable in page URLs, as Wikipedia writes them. */
const pagePath = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/').replace(/%3A/g, ':');

/** Thumbnails in search results are protocol-relative (`//upload.wikimedia.org/…`). */
const absolute = (url: string) => (url.startsWith('//') ? `https:${url}` : url);

export function parseSummary(json: unknown): WikiSummary | undefined {
  const parsed = summarySchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** One search result as an item, enriched by its summary when there is one. */
export function toWikiItem(page: SearchPage, summary: WikiSummary | undefined, ctx: { language: string; siteUrl: string }): SourceItem {
  const marked = page.excerpt ? htmlToText(page.excerpt, SEARCHMATCH) : '';
  const extract = summary?.extract ? summary.extract.trim() : null;
  const extra: WikiExtra = {
    kind: 'wiki',
    key: page.key,
    pageId: summary?.pageid ?? page.id ?? null,
    language: ctx.language,
    description: summary?.description ?? page.description ?? null,
    extract,
    thumbnailUrl: summary?.thumbnail?.source ?? (page.thumbnail ? absolute(page.thumbnail.url) : null),
    coordinates: summary?.coordinates ?? null,
    highlight: marked ? toHighlight(truncateMarked(marked)) : null,
  };
  return {
    title: page.title,
    snippet: truncate(extract || stripMarks(marked) || page.description || ''),
    url: summary?.content_urls?.desktop.page ?? `${ctx.siteUrl}/wiki/${pagePath(page.key)}`,
    source: 'wiki',
    publishedAt: null,
    updatedAt: summary?.timestamp ?? null,
    extra,
  };
}

export class WikiSource implements Source {
  readonly name = 'wiki' as const;
  readonly upstreams = ['wikipedia'] as const;
  readonly variant: string;
  private readonly http: UpstreamClient;
  private readonly upstream: Upstream;
  private readonly config: SourcesConfig['wiki'];

  constructor(deps: { http: UpstreamClient; config: SourcesConfig }) {
    this.http = deps.http;
    this.upstream = deps.config.upstreams.wikipedia;
    this.config = deps.config.wiki;
    this.variant = `${this.config.language}:${this.config.summaries ? 'summaries' : 'search'}`;
  }

  async fetch(query: string, { limit }: SourceOptions, signal: AbortSignal): Promise<SourceResult> {
    const res = await this.http.get(this.upstream, '/w/rest.php/v1/search/page', { q: query, limit }, signal);
    if (!res.ok) throw httpError(res, errorDetail(res.body));
    const envelope = searchSchema.safeParse(parseJson(res));
    if (!envelope.success) throw new SourceError('Wikipedia sent a search response without a list of pages');
    const pages = envelope.data.pages.flatMap((p) => {
      const parsed = pageSchema.safeParse(p);
      return parsed.success ? [parsed.data] : [];
    });
    if (envelope.data.pages.length > 0 && pages.length === 0) throw new SourceError('Wikipedia sent search results in a shape Harmonic cannot read');
    const top = pages.slice(0, limit);
    const summaries = this.config.summaries ? await Promise.all(top.map((p) => this.summary(p.key, signal))) : [];
    const ctx = { language: this.config.language, siteUrl: this.upstream.baseUrl };
    return { items: top.map((page, i) => toWikiItem(page, summaries[i], ctx)) };
  }

  /** Undefined when the summary cannot be had in time; the caller's abort still propagates. */
  private async summary(key: string, signal: AbortSignal): Promise<WikiSummary | undefined> {
    const own = AbortSignal.any([signal, AbortSignal.timeout(this.config.summaryTimeoutMs)]);
    try {
      const res = await this.http.get(this.upstream, `/api/rest_v1/page/summary/${encodeURIComponent(key)}`, {}, own);
      return res.ok ? parseSummary(tryParseJson(res.body)) : undefined;
    } catch (err) {
      if (signal.aborted) throw err;
      return undefined;
    }
  }
}

function errorDetail(body: string): string | undefined {
  const parsed = errorSchema.safeParse(tryParseJson(body));
  if (!parsed.success) return undefined;
  const e = parsed.data;
  const said = e.messageTranslations?.['en'] ?? Object.values(e.messageTranslations ?? {})[0] ?? e.message ?? e.detail ?? e.httpReason;
  return said === undefined ? undefined : truncate(said, 200);
}
