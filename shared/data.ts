import { z } from 'zod';

/**
 * The `/api/v1/data` contract, shared by the server (REST and tRPC), the SPA
 * playground and the typed client.
 */
export const SOURCE_NAMES = ['wiki', 'arxiv', 'news', 'weather', 'kb'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];

export const DATA_LIMITS = {
  queryMaxLength: 500,
  maxSources: 5,
  defaultResultsPerSource: 5,
  maxResultsPerSource: 20,
} as const;

export const sourceNameSchema = z.enum(SOURCE_NAMES, {
  error: (issue) =>
    `Unknown source ${JSON.stringify(issue.input)}. Valid sources: ${SOURCE_NAMES.join(', ')}`,
});

export const dataQuerySchema = z.strictObject({
  query: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(DATA_LIMITS.queryMaxLength, `must be at most ${DATA_LIMITS.queryMaxLength} characters`),
  /** One name or a list; omitted means every source. Duplicates are ignored. */
  sources: z
    .union([
      sourceNameSchema,
      z
        .array(sourceNameSchema, { error: 'must be a source name or a list of source names' })
        .min(1, 'must name at least one source')
        .max(DATA_LIMITS.maxSources, `must name at most ${DATA_LIMITS.maxSources} sources`),
    ])
    .optional()
    .transform((v): SourceName[] => (v === undefined ? [...SOURCE_NAMES] : Array.isArray(v) ? [...new Set(v)] : [v])),
  /** Results per source. */
  limit: z
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(DATA_LIMITS.maxResultsPerSource, `must be at most ${DATA_LIMITS.maxResultsPerSource}`)
    .default(DATA_LIMITS.defaultResultsPerSource),
});

export type DataQueryInput = z.input<typeof dataQuerySchema>;
export type DataQuery = z.output<typeof dataQuerySchema>;

export const SOURCE_STATUSES = ['ok', 'empty', 'error', 'timeout', 'skipped'] as const;
export type SourceStatus = (typeof SOURCE_STATUSES)[number];

/**
 * What only one source knows about an item, discriminated by `kind`. The news
 * source has one kind per provider (`hn`, `gdelt`), so `kind` says which.
 */
export interface WikiExtra {
  kind: 'wiki';
  /** The page key, as in https://<language>.wikipedia.org/wiki/<key>. */
  key: string;
  pageId: number | null;
  language: string;
  /** Wikidata's short description, e.g. "Capital and largest city of Russia". */
  description: string | null;
  /** The page summary's lead paragraph, plain text; null when the summary was unavailable. */
  extract: string | null;
  thumbnailUrl: string | null;
  coordinates: { lat: number; lon: number } | null;
  /** The search excerpt as HTML-escaped text with the matched words in `<mark>`; null when the search gave none. */
  highlight: string | null;
}

export interface ArxivExtra {
  kind: 'arxiv';
  /** e.g. "2202.12139v1". */
  arxivId: string;
  authors: string[];
  categories: string[];
  primaryCategory: string | null;
  abstract: string;
  pdfUrl: string | null;
  doi: string | null;
  journalRef: string | null;
  comment: string | null;
}

export interface HnExtra {
  kind: 'hn';
  storyId: string;
  points: number | null;
  comments: number | null;
  author: string | null;
  /** The Hacker News discussion page; also the item's `url` for Ask HN posts, which link nowhere else. */
  discussionUrl: string;
}

export interface GdeltExtra {
  kind: 'gdelt';
  domain: string | null;
  language: string | null;
  sourceCountry: string | null;
  imageUrl: string | null;
}

export interface WeatherPlace {
  name: string;
  /** First-level region (state, province, nation of the UK…). */
  region: string | null;
  country: string | null;
  /** ISO 3166-1 alpha-2. */
  countryCode: string | null;
  latitude: number;
  longitude: number;
  elevation: number | null;
  /** IANA time zone of the place; daily dates and local times are in it. */
  timezone: string | null;
  population: number | null;
}

export interface WeatherConditions {
  /** ISO 8601 instant (UTC) the observation is for. */
  time: string;
  /** Local wall-clock time at the place, e.g. "2026-07-02T10:30". */
  localTime: string;
  temperature: number;
  windSpeed: number;
  /** WMO weather interpretation code. */
  weatherCode: number;
  /** The WMO code in words, e.g. "Partly cloudy". */
  conditions: string;
}

export interface WeatherDay {
  /** Local date at the place, YYYY-MM-DD. */
  date: string;
  temperatureMin: number;
  temperatureMax: number;
  weatherCode: number;
  conditions: string;
}

export interface WeatherExtra {
  kind: 'weather';
  /** The place name as read from the query, before geocoding. */
  placeQuery: string;
  place: WeatherPlace;
  current: WeatherConditions | null;
  /** Today first, then the following days. */
  daily: WeatherDay[];
  /** Units as the forecast service states them, e.g. { temperature: "°C", windSpeed: "km/h" }. */
  units: { temperature: string; windSpeed: string };
}

export interface KbExtra {
  kind: 'kb';
  id: string;
  tags: string[];
  /** PostgreSQL ts_rank of the entry for the query; higher is better. */
  rank: number;
  /** The best passage as HTML-escaped text with the matched words in `<mark>` (ts_headline). */
  highlight: string;
}

export type SourceExtra = WikiExtra | ArxivExtra | HnExtra | GdeltExtra | WeatherExtra | KbExtra;
export type SourceExtraKind = SourceExtra['kind'];

/** One normalised result from any source. */
export interface SourceItem {
  title: string;
  /** Plain text (no HTML), at most a few hundred characters. */
  snippet: string;
  url: string;
  source: SourceName;
  /** ISO 8601, where the source knows it. */
  publishedAt: string | null;
  updatedAt: string | null;
  extra: SourceExtra;
}

/** What one source did for one query. */
export interface SourceReport {
  source: SourceName;
  status: SourceStatus;
  tookMs: number;
  count: number;
  /** True when this answer came from the response cache. */
  cached: boolean;
  /** Human-readable reason for `error`, `timeout` and `skipped`; null otherwise. */
  error: string | null;
  /**
   * A human-readable note on an `ok` or `empty` answer, e.g. why the weather
   * source found nothing ("No place named in the query…"); null when there is nothing to say.
   */
  message: string | null;
  items: SourceItem[];
}

export interface MergedItem extends SourceItem {
  /** Reciprocal rank fusion score; higher is better. */
  score: number;
  /** Every source that returned this URL. */
  foundIn: SourceName[];
}

export interface DataAnswer {
  query: string;
  /** One report per requested source, keyed by source name. */
  sources: Partial<Record<SourceName, SourceReport>>;
  /** All sources' items, ranked by reciprocal rank fusion and deduplicated by URL. */
  merged: MergedItem[];
  cachedSources: SourceName[];
  tookMs: number;
}
