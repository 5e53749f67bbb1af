import { z } from 'zod';
import type { GdeltExtra, HnExtra, SourceItem } from '../../shared/data.ts';
import type { SourcesConfig, Upstream } from './config.ts';
import { httpError, jsonErrorField, parseJson, SourceError, type UpstreamClient, type UpstreamResponse } from './http.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';
import { collapseWhitespace, htmlToText, truncate } from './text.ts';

/**
 * News, from one of two providers chosen by NEWS_PROVIDER: the Hacker News
 * search API (Algolia; no key; the default) or the GDELT DOC 2.0 API.
 */

const HN_ITEM_URL = 'https://news.ycombinator.com/item?id=';

const hnEnvelope = z.object({ hits: z.array(z.unknown()) });
const hnHit = z.object({
  objectID: z.string().min(1),
  title: z.string().min(1),
  url: z.string().nullish(),
  author: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  created_at: z.string().nullish(),
  updated_at: z.string().nullish(),
  story_text: z.string().nullish(),
});
type HnHit = z.infer<typeof hnHit>;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function hnItem(hit: HnHit): SourceItem {
  const discussionUrl = `${HN_ITEM_URL}${encodeURIComponent(hit.objectID)}`;
  const text = hit.story_text ? htmlToText(hit.story_text) : '';
  const stats = [
    hit.points != null ? plural(hit.points, 'point') : null,
    hit.num_comments != null ? plural(hit.num_comments, 'comment') : null,
  ].filter(Boolean);
  const extra: HnExtra = {
    kind: 'hn',
    storyId: hit.objectID,
    points: hit.points ?? null,
    comments: hit.num_comments ?? null,
    author: hit.author ?? null,
    discussionUrl,
  };
  return {
    title: collapseWhitespace(hit.title),
    snippet: truncate(text || `${stats.join(' and ') || 'A story'} on Hacker News${hit.author ? `, posted by ${hit.author}` : ''}.`),
    // Ask HN and Show HN text posts link nowhere but their discussion.
    url: hit.url || discussionUrl,
    source: 'news',
    publishedAt: hit.created_at ?? null,
    updatedAt: hit.updated_at ?? null,
    extra,
  };
}

export function parseHn(res: UpstreamResponse, limit: number): SourceItem[] {
  const envelope = hnEnvelope.safeParse(parseJson(res));
  if (!envelope.success) throw new SourceError('Hacker News search sent a response without a list of hits');
  const items = envelope.data.hits.flatMap((h) => {
    const parsed = hnHit.safeParse(h);
    return parsed.success ? [hnItem(parsed.data)] : [];
  });
  if (envelope.data.hits.length > 0 && items.length === 0) throw new SourceError('Hacker News search sent hits in a shape Harmonic cannot read');
  return items.slice(0, limit);
}

const gdeltEnvelope = z.object({ articles: z.array(z.unknown()).default([]) });
const gdeltArticle = z.object({
  url: z.string().min(1),
  title: z.string().min(1),
  seendate: z.string().nullish(),
  socialimage: z.string().nullish(),
  domain: z.string().nullish(),
  language: z.string().nullish(),
  sourcecountry: z.string().nullish(),
});
type GdeltArticle = z.infer<typeof gdeltArticle>;

/** GDELT's "20240615T170000Z" as ISO 8601. */
export function gdeltDate(seen: string | null | undefined): string | null {
  const m = seen ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(seen) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z` : null;
}

function gdeltItem(a: GdeltArticle): SourceItem {
  const extra: GdeltExtra = {
    kind: 'gdelt',
    domain: a.domain || null,
    language: a.language || null,
    sourceCountry: a.sourcecountry || null,
    imageUrl: a.socialimage || null,
  };
  const where = [a.sourcecountry, a.language].filter(Boolean).join(', ');
  const published = gdeltDate(a.seendate);
  return {
    title: collapseWhitespace(a.title),
    snippet: `${a.domain || new URL(a.url).hostname}${where ? ` (${where})` : ''}${published ? `, seen ${published.slice(0, 10)}` : ''}.`,
    url: a.url,
    source: 'news',
    publishedAt: published,
    updatedAt: null,
    extra,
  };
}

/**
 * GDELT answers errors in plain text, with an error status or with HTTP 200
 * ("One or more of your keywords were too short…"), so anything that is not
 * a JSON object is its error message.
 */
export function parseGdelt(res: UpstreamResponse, limit: number): SourceItem[] {
  const body = res.body.trim();
  const isJson = body.startsWith('{');
  if (!res.ok) throw httpError(res, isJson ? undefined : truncate(collapseWhitespace(body), 200) || undefined);
  if (!isJson) {
    if (!body) throw new SourceError('GDELT sent an empty response');
    throw new SourceError(`GDELT rejected the query: ${truncate(collapseWhitespace(body), 200)}`);
  }
  const envelope = gdeltEnvelope.safeParse(parseJson(res));
  if (!envelope.success) throw new SourceError('GDELT sent a response without a list of articles');
  const items = envelope.data.articles.flatMap((a) => {
    const parsed = gdeltArticle.safeParse(a);
    if (!parsed.success || !URL.canParse(parsed.data.url)) return [];
    return [gdeltItem(parsed.data)];
  });
  if (envelope.data.articles.length > 0 && items.length === 0) throw new SourceError('GDELT sent articles in a shape Harmonic cannot read');
  return items.slice(0, limit);
}

export class NewsSource implements Source {
  readonly name = 'news' as const;
  readonly upstreams: readonly ('hn' | 'gdelt')[];
  readonly variant: string;
  private readonly http: UpstreamClient;
  private readonly config: SourcesConfig;

  constructor(deps: { http: UpstreamClient; config: SourcesConfig }) {
    this.http = deps.http;
    this.config = deps.config;
    const provider = deps.config.news.provider;
    this.upstreams = [provider];
    this.variant = provider === 'gdelt' ? `gdelt:${deps.config.news.gdeltTimespan}` : 'hn';
  }

  async fetch(query: string, { limit }: SourceOptions, signal: AbortSignal): Promise<SourceResult> {
    if (this.config.news.provider === 'gdelt') {
      const upstream: Upstream = this.config.upstreams.gdelt;
      const res = await this.http.get(
        upstream,
        '/api/v2/doc/doc',
        { query, mode: 'artlist', format: 'json', maxrecords: limit, sort: 'hybridrel', timespan: this.config.news.gdeltTimespan },
        signal,
      );
      return { items: parseGdelt(res, limit) };
    }
    const res = await this.http.get(this.config.upstreams.hn, '/api/v1/search', { query, tags: 'story', hitsPerPage: limit }, signal);
    // Algolia's error body is { "message": …, "status": … }.
    if (!res.ok) throw httpError(res, jsonErrorField(res, 'message'));
    return { items: parseHn(res, limit) };
  }
}
