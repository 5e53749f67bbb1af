import { z } from 'zod';
import { envFlag } from '../env-flag.ts';
import packageJson from '../../package.json' with { type: 'json' };
import { SOURCE_NAMES, type SourceName, type UpstreamName } from '../../shared/data.ts';

/**
 * Environment for the data sources. Its shape is merged into the one schema in
 * server/config.ts, so it is parsed once, at start-up, with everything else.
 * docs/sources.md lists every variable.
 */
const int = (min: number, max: number, message = `must be a whole number from ${min} to ${max}`) =>
  z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);

const ms = (fallback: number) => int(50, 60_000).default(fallback);
/** Unset means "use the general setting", so each source can override one default. */
const optionalMs = () => int(50, 60_000).optional();
const seconds = (fallback: number) => int(0, 7 * 24 * 3600).default(fallback);
const optionalSeconds = () => int(0, 7 * 24 * 3600).optional();
const concurrency = (fallback: number) => int(1, 64).default(fallback);

const httpUrl = (fallback: string) =>
  z
    .url({ error: 'must be an http(s) URL' })
    .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL')
    .transform((v) => v.replace(/\/+$/, ''))
    .default(fallback);


const sourceList = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const names = v
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const unknown = names.filter((n) => !(SOURCE_NAMES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown source ${unknown.join(', ')}; valid sources: ${SOURCE_NAMES.join(', ')}` });
      return z.NEVER;
    }
    return [...new Set(names)] as SourceName[];
  });

export const sourcesEnvShape = {
  SOURCE_TIMEOUT_MS: ms(3_000),
  WIKI_TIMEOUT_MS: optionalMs(),
  ARXIV_TIMEOUT_MS: optionalMs(),
  NEWS_TIMEOUT_MS: optionalMs(),
  WEATHER_TIMEOUT_MS: optionalMs(),
  KB_TIMEOUT_MS: optionalMs(),

  SOURCE_CACHE_TTL_S: seconds(3_600),
  WIKI_CACHE_TTL_S: optionalSeconds(),
  ARXIV_CACHE_TTL_S: optionalSeconds(),
  NEWS_CACHE_TTL_S: optionalSeconds(),
  WEATHER_CACHE_TTL_S: seconds(600),
  KB_CACHE_TTL_S: seconds(60),
  SOURCE_CACHE_MAX_ENTRIES: int(0, 1_000_000).default(2_000),
  SOURCE_CACHE_MAX_MB: int(1, 4_096).default(32),

  SOURCES_DISABLED: sourceList,
  SOURCE_CONTACT_URL: z.url({ error: 'must be a URL (e.g. https://example.com/contact or mailto:ops@example.com)' }).optional(),
  SOURCE_MAX_CONCURRENCY: concurrency(4),
  ARXIV_MAX_CONCURRENCY: concurrency(1),
  GDELT_MAX_CONCURRENCY: concurrency(1),
  /** arXiv's terms ask for at most one request every 3 s; GDELT's rate-limit answer asks for one every 5 s. */
  ARXIV_MIN_INTERVAL_MS: int(0, 60_000).default(3_000),
  GDELT_MIN_INTERVAL_MS: int(0, 60_000).default(5_000),
  SOURCE_BACKOFF_DEFAULT_S: int(0, 86_400).default(60),
  SOURCE_BACKOFF_MAX_S: int(1, 7 * 86_400).default(3_600),

  WIKI_LANGUAGE: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be a Wikipedia language code such as en, de or zh-yue')
    .default('en'),
  /** `{lang}` is replaced by WIKI_LANGUAGE. */
  WIKI_BASE_URL: httpUrl('https://{lang}.wikipedia.org'),
  WIKI_SUMMARIES: envFlag(true),
  WIKI_SUMMARY_TIMEOUT_MS: ms(1_500),

  ARXIV_BASE_URL: httpUrl('https://export.arxiv.org'),

  NEWS_PROVIDER: z.enum(['hn', 'gdelt'], { error: 'must be hn or gdelt' }).default('hn'),
  HN_BASE_URL: httpUrl('https://hn.algolia.com'),
  GDELT_BASE_URL: httpUrl('https://api.gdeltproject.org'),
  /** GDELT's own `timespan` syntax: 15min, 24h, 7d, 3m (months)… */
  GDELT_TIMESPAN: z
    .string()
    .regex(/^\d+(min|h|d|w|m)$/, 'must be a GDELT timespan such as 24h, 7d or 3m')
    .default('7d'),

  OPEN_METEO_GEOCODING_URL: httpUrl('https://geocoding-api.open-meteo.com'),
  OPEN_METEO_FORECAST_URL: httpUrl('https://api.open-meteo.com'),
  WEATHER_FORECAST_DAYS: int(1, 16).default(7),
  /** Language of place names from geocoding. */
  WEATHER_LANGUAGE: z.string().regex(/^[a-z]{2}$/, 'must be a two-letter language code such as en or de').default('en'),
  WEATHER_TEMPERATURE_UNIT: z.enum(['celsius', 'fahrenheit'], { error: 'must be celsius or fahrenheit' }).default('celsius'),
  WEATHER_WIND_SPEED_UNIT: z.enum(['kmh', 'ms', 'mph', 'kn'], { error: 'must be kmh, ms, mph or kn' }).default('kmh'),
};

const sourcesEnvSchema = z.object(sourcesEnvShape);
export type SourcesEnv = z.output<typeof sourcesEnvSchema>;

export { UPSTREAM_NAMES, type UpstreamName } from '../../shared/data.ts';

export interface Upstream {
  name: UpstreamName;
  /** For people: "Wikipedia", "the arXiv API"… */
  label: string;
  /** No trailing slash. */
  baseUrl: string;
  maxConcurrency: number;
  /** Least time between the starts of two calls; 0 for none. */
  minIntervalMs: number;
}

export interface PerSourceConfig {
  enabled: boolean;
  timeoutMs: number;
  /** 0 disables caching for the source. */
  cacheTtlMs: number;
}

export interface SourcesConfig {
  /** The default per-source timeout; `perSource` holds the effective ones. */
  timeoutMs: number;
  perSource: Record<SourceName, PerSourceConfig>;
  cache: { maxEntries: number; maxBytes: number };
  upstreams: Record<UpstreamName, Upstream>;
  politeness: {
    userAgent: string;
    contactUrl: string | undefined;
    /** How long to leave an upstream alone after a 429 that says nothing about when to come back. */
    defaultBackoffMs: number;
    /** Cap on a Retry-After, so one odd header cannot switch a source off for days. */
    maxBackoffMs: number;
  };
  wiki: { language: string; summaries: boolean; summaryTimeoutMs: number };
  news: { provider: 'hn' | 'gdelt'; gdeltTimespan: string };
  weather: {
    forecastDays: number;
    language: string;
    temperatureUnit: 'celsius' | 'fahrenheit';
    windSpeedUnit: 'kmh' | 'ms' | 'mph' | 'kn';
  };
}

export function userAgent(contactUrl: string | undefined): string {
  // Wikimedia's and arXiv's policies ask for "<client>/<version> (<contact>)".
  return contactUrl ? `Harmonic/${packageJson.version} (+${contactUrl})` : `Harmonic/${packageJson.version} (self-hosted; operator contact not configured)`;
}

export function toSourcesConfig(env: SourcesEnv): SourcesConfig {
  const disabled = new Set(env.SOURCES_DISABLED);
  const perSource = (name: SourceName, timeoutMs: number | undefined, ttlS: number | undefined): PerSourceConfig => ({
    enabled: !disabled.has(name),
    timeoutMs: timeoutMs ?? env.SOURCE_TIMEOUT_MS,
    cacheTtlMs: (ttlS ?? env.SOURCE_CACHE_TTL_S) * 1000,
  });
  const upstream = (name: UpstreamName, label: string, baseUrl: string, maxConcurrency = env.SOURCE_MAX_CONCURRENCY, minIntervalMs = 0): Upstream => ({
    name,
    label,
    baseUrl,
    maxConcurrency,
    minIntervalMs,
  });
  return {
    timeoutMs: env.SOURCE_TIMEOUT_MS,
    perSource: {
      wiki: perSource('wiki', env.WIKI_TIMEOUT_MS, env.WIKI_CACHE_TTL_S),
      arxiv: perSource('arxiv', env.ARXIV_TIMEOUT_MS, env.ARXIV_CACHE_TTL_S),
      news: perSource('news', env.NEWS_TIMEOUT_MS, env.NEWS_CACHE_TTL_S),
      weather: perSource('weather', env.WEATHER_TIMEOUT_MS, env.WEATHER_CACHE_TTL_S),
      kb: perSource('kb', env.KB_TIMEOUT_MS, env.KB_CACHE_TTL_S),
    },
    cache: { maxEntries: env.SOURCE_CACHE_MAX_ENTRIES, maxBytes: env.SOURCE_CACHE_MAX_MB * 1024 * 1024 },
    upstreams: {
      wikipedia: upstream('wikipedia', 'Wikipedia', env.WIKI_BASE_URL.replaceAll('{lang}', env.WIKI_LANGUAGE)),
      arxiv: upstream('arxiv', 'arXiv', env.ARXIV_BASE_URL, env.ARXIV_MAX_CONCURRENCY, env.ARXIV_MIN_INTERVAL_MS),
      hn: upstream('hn', 'Hacker News search', env.HN_BASE_URL),
      gdelt: upstream('gdelt', 'GDELT', env.GDELT_BASE_URL, env.GDELT_MAX_CONCURRENCY, env.GDELT_MIN_INTERVAL_MS),
      'open-meteo-geocoding': upstream('open-meteo-geocoding', 'Open-Meteo geocoding', env.OPEN_METEO_GEOCODING_URL),
      'open-meteo-forecast': upstream('open-meteo-forecast', 'Open-Meteo forecast', env.OPEN_METEO_FORECAST_URL),
    },
    politeness: {
      userAgent: userAgent(env.SOURCE_CONTACT_URL),
      contactUrl: env.SOURCE_CONTACT_URL,
      defaultBackoffMs: env.SOURCE_BACKOFF_DEFAULT_S * 1000,
      maxBackoffMs: env.SOURCE_BACKOFF_MAX_S * 1000,
    },
    wiki: { language: env.WIKI_LANGUAGE, summaries: env.WIKI_SUMMARIES, summaryTimeoutMs: env.WIKI_SUMMARY_TIMEOUT_MS },
    news: { provider: env.NEWS_PROVIDER, gdeltTimespan: env.GDELT_TIMESPAN },
    weather: {
      forecastDays: env.WEATHER_FORECAST_DAYS,
      language: env.WEATHER_LANGUAGE,
      temperatureUnit: env.WEATHER_TEMPERATURE_UNIT,
      windSpeedUnit: env.WEATHER_WIND_SPEED_UNIT,
    },
  };
}

/** Parses just the sources' variables, the way server/config.ts does with the whole environment. */
export function parseSourcesEnv(env: Record<string, string | undefined>): SourcesConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return toSourcesConfig(sourcesEnvSchema.parse(present));
}
