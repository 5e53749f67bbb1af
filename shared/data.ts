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
    .preprocess(
      // A single name is a list of one, so an unknown name is reported by its position like any other.
      (v) => (typeof v === 'string' ? [v] : v),
      z
        .array(sourceNameSchema, { error: 'must be a source name or a list of source names' })
        .min(1, 'must name at least one source')
        .max(DATA_LIMITS.maxSources, `must name at most ${DATA_LIMITS.maxSources} sources`),
    )
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

/** One normalised result from any source. */
export interface SourceItem {
  title: string;
  snippet: string;
  url: string;
  source: SourceName;
  /** ISO 8601, where the source knows it. */
  publishedAt: string | null;
  updatedAt: string | null;
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
