import { z } from 'zod';
import { text } from './text.ts';

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
  // Only a primitive is quoted back: stringifying a nested or huge value could overflow the stack or bloat the answer.
  error: (issue) =>
    `Unknown source ${typeof issue.input === 'object' && issue.input !== null ? (Array.isArray(issue.input) ? '(a list)' : '(an object)') : JSON.stringify(issue.input)?.slice(0, 100)}. Valid sources: ${SOURCE_NAMES.join(', ')}`,
});

export const dataQuerySchema = z.strictObject({
  query: text()
    .trim()
    .min(1, 'must not be empty')
    .max(DATA_LIMITS.queryMaxLength, `must be at most ${DATA_LIMITS.queryMaxLength} characters`),
  /** One name or a list; omitted means every source. Duplicates are ignored. */
  sources: z
    .preprocess(
      // A single name is a list of one, so an unknown name is reported by its position like any other.
      // The parameter's type is the input type callers see (preprocess alone would make it `unknown`);
      // at run time anything arrives, and the array schema judges it.
      (v: SourceName | SourceName[]) => (typeof v === 'string' ? [v] : v),
      z
        .array(sourceNameSchema, { error: 'must be a source name or a list of source names' })
        .min(1, 'must name at least one source')
        .max(DATA_LIMITS.maxSources, `must name at most ${DATA_LIMITS.maxSources} sources`),
    )
    // The document says what is accepted: one name, or a list (the preprocess alone would render as the list only).
    .meta({
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        const list = { ...jsonSchema };
        for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
        jsonSchema.anyOf = [{ type: 'string', enum: [...SOURCE_NAMES], description: 'One source' }, list];
        jsonSchema.description = 'One source name or a list of them; omitted means every source. Duplicates are ignored.';
      },
    })
    .optional()
    .transform((v): SourceName[] => (v === undefined ? [...SOURCE_NAMES] : [...new Set(v)])),
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

/*
 * The answer, as zod schemas with the TypeScript types inferred from them, so
 * the OpenAPI document and tests can use the very shape the types promise.
 * Strict objects: a field the contract does not declare is a bug.
 */
const nullableString = text().nullable();
/** ISO 8601, where the source knows it. */
const isoTime = text().nullable();

/**
 * What only one source knows about an item, discriminated by `kind`. The news
 * source has one kind per provider (`hn`, `gdelt`), so `kind` says which.
 */
export const wikiExtraSchema = z.strictObject({
  kind: z.literal('wiki'),
  /** The page key, as in https://<language>.wikipedia.org/wiki/<key>. */
  key: text(),
  pageId: z.number().nullable(),
  language: text(),
  /** Wikidata's short description, e.g. "Capital and largest city of Russia". */
  description: nullableString,
  /** The page summary's lead paragraph, plain text; null when the summary was unavailable. */
  extract: nullableString,
  thumbnailUrl: nullableString,
  coordinates: z.strictObject({ lat: z.number(), lon: z.number() }).nullable(),
  /** The search excerpt as HTML-escaped text with the matched words in `<mark>`; null when the search gave none. */
  highlight: nullableString,
});
export type WikiExtra = z.infer<typeof wikiExtraSchema>;

export const arxivExtraSchema = z.strictObject({
  kind: z.literal('arxiv'),
  /** e.g. "2202.12139v1". */
  arxivId: text(),
  authors: z.array(text()),
  categories: z.array(text()),
  primaryCategory: nullableString,
  abstract: text(),
  pdfUrl: nullableString,
  doi: nullableString,
  journalRef: nullableString,
  comment: nullableString,
});
export type ArxivExtra = z.infer<typeof arxivExtraSchema>;

export const hnExtraSchema = z.strictObject({
  kind: z.literal('hn'),
  storyId: text(),
  points: z.number().nullable(),
  comments: z.number().nullable(),
  author: nullableString,
  /** The Hacker News discussion page; also the item's `url` for Ask HN posts, which link nowhere else. */
  discussionUrl: text(),
});
export type HnExtra = z.infer<typeof hnExtraSchema>;

export const gdeltExtraSchema = z.strictObject({
  kind: z.literal('gdelt'),
  domain: nullableString,
  language: nullableString,
  sourceCountry: nullableString,
  imageUrl: nullableString,
});
export type GdeltExtra = z.infer<typeof gdeltExtraSchema>;

export const weatherPlaceSchema = z.strictObject({
  name: text(),
  /** First-level region (state, province, nation of the UK…). */
  region: nullableString,
  country: nullableString,
  /** ISO 3166-1 alpha-2. */
  countryCode: nullableString,
  latitude: z.number(),
  longitude: z.number(),
  elevation: z.number().nullable(),
  /** IANA time zone of the place; daily dates and local times are in it. */
  timezone: nullableString,
  population: z.number().nullable(),
});
export type WeatherPlace = z.infer<typeof weatherPlaceSchema>;

export const weatherConditionsSchema = z.strictObject({
  /** ISO 8601 instant (UTC) the observation is for. */
  time: text(),
  /** Local wall-clock time at the place, e.g. "2026-07-02T10:30". */
  localTime: text(),
  temperature: z.number(),
  windSpeed: z.number(),
  /** WMO weather interpretation code. */
  weatherCode: z.number(),
  /** The WMO code in words, e.g. "Partly cloudy". */
  conditions: text(),
});
export type WeatherConditions = z.infer<typeof weatherConditionsSchema>;

export const weatherDaySchema = z.strictObject({
  /** Local date at the place, YYYY-MM-DD. */
  date: text(),
  temperatureMin: z.number(),
  temperatureMax: z.number(),
  weatherCode: z.number(),
  conditions: text(),
});
export type WeatherDay = z.infer<typeof weatherDaySchema>;

export const weatherExtraSchema = z.strictObject({
  kind: z.literal('weather'),
  /** The place name as read from the query, before geocoding. */
  placeQuery: text(),
  place: weatherPlaceSchema,
  current: weatherConditionsSchema.nullable(),
  /** Today first, then the following days. */
  daily: z.array(weatherDaySchema),
  /** Units as the forecast service states them, e.g. { temperature: "°C", windSpeed: "km/h" }. */
  units: z.strictObject({ temperature: text(), windSpeed: text() }),
});
export type WeatherExtra = z.infer<typeof weatherExtraSchema>;

export const kbExtraSchema = z.strictObject({
  kind: z.literal('kb'),
  id: text(),
  tags: z.array(text()),
  /** PostgreSQL ts_rank of the entry for the query; higher is better. */
  rank: z.number(),
  /** The best passage as HTML-escaped text with the matched words in `<mark>` (ts_headline). */
  highlight: text(),
});
export type KbExtra = z.infer<typeof kbExtraSchema>;

export const sourceExtraSchema = z.discriminatedUnion('kind', [
  wikiExtraSchema,
  arxivExtraSchema,
  hnExtraSchema,
  gdeltExtraSchema,
  weatherExtraSchema,
  kbExtraSchema,
]);
export type SourceExtra = z.infer<typeof sourceExtraSchema>;
export type SourceExtraKind = SourceExtra['kind'];

const sourceItemShape = {
  title: text(),
  /** Plain text (no HTML), at most a few hundred characters. */
  snippet: text(),
  url: text(),
  source: z.enum(SOURCE_NAMES),
  /** ISO 8601, where the source knows it. */
  publishedAt: isoTime,
  updatedAt: isoTime,
  extra: sourceExtraSchema,
};

/** One normalised result from any source. */
export const sourceItemSchema = z.strictObject(sourceItemShape);
export type SourceItem = z.infer<typeof sourceItemSchema>;

/** What one source did for one query. */
export const sourceReportSchema = z.strictObject({
  source: z.enum(SOURCE_NAMES),
  status: z.enum(SOURCE_STATUSES),
  tookMs: z.number(),
  count: z.number(),
  /** True when this answer came from the response cache. */
  cached: z.boolean(),
  /** Human-readable reason for `error`, `timeout` and `skipped`; null otherwise. */
  error: nullableString,
  /**
   * A human-readable note on an `ok` or `empty` answer, e.g. why the weather
   * source found nothing ("No place found in the query…"); null when there is nothing to say.
   */
  message: nullableString,
  items: z.array(sourceItemSchema),
});
export type SourceReport = z.infer<typeof sourceReportSchema>;

export const mergedItemSchema = z.strictObject({
  ...sourceItemShape,
  /** Reciprocal rank fusion score; higher is better. */
  score: z.number(),
  /** Every source that returned this URL. */
  foundIn: z.array(z.enum(SOURCE_NAMES)),
});
export type MergedItem = z.infer<typeof mergedItemSchema>;

export const dataAnswerSchema = z.strictObject({
  query: text(),
  /** One report per requested source, keyed by source name. */
  sources: z.partialRecord(z.enum(SOURCE_NAMES), sourceReportSchema),
  /** All sources' items, ranked by reciprocal rank fusion and deduplicated by URL. */
  merged: z.array(mergedItemSchema),
  cachedSources: z.array(z.enum(SOURCE_NAMES)),
  tookMs: z.number(),
});
export type DataAnswer = z.infer<typeof dataAnswerSchema>;

/** The hosts Harmonic calls. Backoff and the concurrency limit are per upstream, not per source. */
export const UPSTREAM_NAMES = ['wikipedia', 'arxiv', 'hn', 'gdelt', 'open-meteo-geocoding', 'open-meteo-forecast'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

/** Per source, for a status page such as `GET /api/v1/data`. */
export const sourceInfoSchema = z.object({
  name: z.enum(SOURCE_NAMES),
  enabled: z.boolean(),
  /** The upstream hosts it calls; empty for the knowledge base. */
  upstreams: z.array(z.enum(UPSTREAM_NAMES)),
  timeoutMs: z.number(),
  cacheTtlSeconds: z.number(),
  /** While an upstream asked us to back off: until when (ISO 8601). */
  skippedUntil: z.iso.datetime().nullable(),
});
export type SourceInfo = z.infer<typeof sourceInfoSchema>;
