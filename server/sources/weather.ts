import { z } from 'zod';
import type { SourceItem, WeatherConditions, WeatherDay, WeatherExtra, WeatherPlace } from '../../shared/data.ts';
import type { SourcesConfig } from './config.ts';
import { httpError, jsonErrorField, parseJson, SourceError, type UpstreamClient, type UpstreamResponse } from './http.ts';
import { extractPlace, hasWeatherIntent, type PlaceQuery } from './place.ts';
import type { Source, SourceOptions, SourceResult } from './source.ts';

/**
 * Weather from Open-Meteo: read the place from the query (./place.ts),
 * geocode it, then fetch current conditions and the daily forecast. Always
 * one item (the place's forecast), whatever `limit` says.
 */

/** WMO weather interpretation codes, as Open-Meteo documents them. */
const WMO: Record<number, string> = {
  0: 'Clear sky',
  1: 'Mainly clear',
  2: 'Partly cloudy',
  3: 'Overcast',
  45: 'Fog',
  48: 'Depositing rime fog',
  51: 'Light drizzle',
  53: 'Moderate drizzle',
  55: 'Dense drizzle',
  56: 'Light freezing drizzle',
  57: 'Dense freezing drizzle',
  61: 'Slight rain',
  63: 'Moderate rain',
  65: 'Heavy rain',
  66: 'Light freezing rain',
  67: 'Heavy freezing rain',
  71: 'Slight snowfall',
  73: 'Moderate snowfall',
  75: 'Heavy snowfall',
  77: 'Snow grains',
  80: 'Slight rain showers',
  81: 'Moderate rain showers',
  82: 'Violent rain showers',
  85: 'Slight snow showers',
  86: 'Heavy snow showers',
  95: 'Thunderstorm',
  96: 'Thunderstorm with slight hail',
  99: 'Thunderstorm with heavy hail',
};
export const describeWeatherCode = (code: number) => WMO[code] ?? `Weather code ${code}`;

const geocodingSchema = z.object({
  results: z
    .array(
      z.object({
        name: z.string().min(1),
        latitude: z.number(),
        longitude: z.number(),
        elevation: z.number().nullish(),
        feature_code: z.string().nullish(),
        country_code: z.string().nullish(),
        country: z.string().nullish(),
        admin1: z.string().nullish(),
        admin2: z.string().nullish(),
        timezone: z.string().nullish(),
        population: z.number().nullish(),
      }),
    )
    .default([]),
});
type GeoResult = z.infer<typeof geocodingSchema>['results'][number];

const num = z.number().nullable();
const forecastSchema = z.object({
  utc_offset_seconds: z.number().default(0),
  timezone: z.string().nullish(),
  current_units: z.object({ temperature_2m: z.string(), wind_speed_10m: z.string() }).nullish(),
  current: z.object({ time: z.string(), temperature_2m: num, weather_code: num, wind_speed_10m: num }).nullish(),
  daily_units: z.object({ temperature_2m_max: z.string() }).nullish(),
  daily: z
    .object({ time: z.array(z.string()), temperature_2m_max: z.array(num), temperature_2m_min: z.array(num), weather_code: z.array(num) })
    .nullish(),
});
type Forecast = z.infer<typeof forecastSchema>;

/** Open-Meteo's error body is `{ "error": true, "reason": "…" }`. */
const openMeteoReason = (res: UpstreamResponse) => jsonErrorField(res, 'reason');

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .trim();

/** Common ways of writing a country that are not its ISO code or its name. */
const COUNTRY_ALIASES: Record<string, string> = { uk: 'gb', england: 'gb', scotland: 'gb', wales: 'gb', usa: 'us', america: 'us' };

/** The result the query most likely means; without a weather word only an exact name counts, so "Java" asks no village. */
export function choosePlace(results: readonly GeoResult[], place: PlaceQuery, exactOnly: boolean): GeoResult | undefined {
  const candidates = exactOnly ? results.filter((r) => fold(r.name) === fold(place.name)) : results;
  if (!place.qualifier) return candidates[0];
  const q = fold(place.qualifier);
  const code = COUNTRY_ALIASES[q] ?? q;
  const matches = (r: GeoResult) =>
    [r.country, r.admin1, r.admin2].some((v) => v && fold(v).startsWith(q)) ||
    (r.country_code != null && fold(r.country_code) === code) ||
    // "Springfield, IL": the admin1 is "Illinois"; accept its initials too.
    (q.length === 2 && r.admin1 != null && initials(r.admin1) === q);
  return candidates.find(matches) ?? candidates[0];
}

const initials = (s: string) => {
  const words = fold(s).split(/\s+/);
  return words.length > 1 ? words.map((w) => w[0]).join('') : fold(s).slice(0, 2);
};

/** "2026-07-02T10:30" at UTC+1 → "2026-07-02T09:30:00Z". */
function utcInstant(localTime: string, offsetSeconds: number): string {
  const asUtc = Date.parse(`${localTime.length === 16 ? `${localTime}:00` : localTime}Z`);
  if (Number.isNaN(asUtc)) return localTime;
  return new Date(asUtc - offsetSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export function toWeather(forecast: Forecast): { current: WeatherConditions | null; daily: WeatherDay[]; units: WeatherExtra['units'] } {
  const c = forecast.current;
  const current: WeatherConditions | null =
    c && c.temperature_2m !== null && c.wind_speed_10m !== null && c.weather_code !== null
      ? {
          time: utcInstant(c.time, forecast.utc_offset_seconds),
          localTime: c.time,
          temperature: c.temperature_2m,
          windSpeed: c.wind_speed_10m,
          weatherCode: c.weather_code,
          conditions: describeWeatherCode(c.weather_code),
        }
      : null;
  const d = forecast.daily;
  const daily: WeatherDay[] = [];
  d?.time.forEach((date, i) => {
    const max = d.temperature_2m_max[i];
    const min = d.temperature_2m_min[i];
    const code = d.weather_code[i];
    if (max == null || min == null || code == null) return;
    daily.push({ date, temperatureMin: min, temperatureMax: max, weatherCode: code, conditions: describeWeatherCode(code) });
  });
  return {
    current,
    daily,
    units: {
      temperature: forecast.current_units?.temperature_2m ?? forecast.daily_units?.temperature_2m_max ?? '',
      windSpeed: forecast.current_units?.wind_speed_10m ?? '',
    },
  };
}

function describe(place: WeatherPlace, weather: ReturnType<typeof toWeather>): string {
  const t = (v: number) => `${Number.isInteger(v) ? v.toFixed(1) : v} ${weather.units.temperature}`.trim();
  const parts: string[] = [];
  const now = weather.current;
  if (now) parts.push(`Now ${t(now.temperature)}, ${now.conditions.toLowerCase()}, wind ${now.windSpeed} ${weather.units.windSpeed}.`);
  const [today, tomorrow] = weather.daily;
  if (today) parts.push(`Today ${today.conditions.toLowerCase()}, ${t(today.temperatureMin)} to ${t(today.temperatureMax)}.`);
  if (tomorrow) parts.push(`Tomorrow ${tomorrow.conditions.toLowerCase()}, ${t(tomorrow.temperatureMin)} to ${t(tomorrow.temperatureMax)}.`);
  return parts.join(' ') || `No forecast values for ${place.name} right now.`;
}

const placeLabel = (p: WeatherPlace) => [p.name, p.region !== p.name ? p.region : null, p.country].filter(Boolean).join(', ');

export class WeatherSource implements Source {
  readonly name = 'weather' as const;
  readonly upstreams = ['open-meteo-geocoding', 'open-meteo-forecast'] as const;
  readonly variant: string;
  private readonly http: UpstreamClient;
  private readonly config: SourcesConfig;

  constructor(deps: { http: UpstreamClient; config: SourcesConfig }) {
    this.http = deps.http;
    this.config = deps.config;
    const w = deps.config.weather;
    this.variant = `${w.language}:${w.temperatureUnit}:${w.windSpeedUnit}:${w.forecastDays}`;
  }

  async fetch(query: string, _options: SourceOptions, signal: AbortSignal): Promise<SourceResult> {
    const placeQuery = extractPlace(query);
    if (!placeQuery) {
      return { items: [], message: 'No place found in the query, so there is no forecast. Name one, e.g. "weather in London tomorrow".' };
    }
    const geo = await this.http.get(
      this.config.upstreams['open-meteo-geocoding'],
      '/v1/search',
      { name: placeQuery.name, count: 10, language: this.config.weather.language, format: 'json' },
      signal,
    );
    if (!geo.ok) throw httpError(geo, openMeteoReason(geo));
    const parsed = geocodingSchema.safeParse(parseJson(geo));
    if (!parsed.success) throw new SourceError('Open-Meteo geocoding sent results in a shape Harmonic cannot read');
    const found = choosePlace(parsed.data.results, placeQuery, !hasWeatherIntent(query));
    if (!found) return { items: [], message: `No place called "${placeQuery.name}" was found, so there is no forecast.` };

    const w = this.config.weather;
    const forecastQuery = {
      latitude: found.latitude,
      longitude: found.longitude,
      current: 'temperature_2m,weather_code,wind_speed_10m',
      daily: 'temperature_2m_max,temperature_2m_min,weather_code',
      temperature_unit: w.temperatureUnit,
      wind_speed_unit: w.windSpeedUnit,
      timezone: 'auto',
      forecast_days: w.forecastDays,
    };
    const res = await this.http.get(this.config.upstreams['open-meteo-forecast'], '/v1/forecast', forecastQuery, signal);
    if (!res.ok) throw httpError(res, openMeteoReason(res));
    const forecast = forecastSchema.safeParse(parseJson(res));
    if (!forecast.success) throw new SourceError('Open-Meteo sent a forecast in a shape Harmonic cannot read');
    const weather = toWeather(forecast.data);
    if (!weather.current && weather.daily.length === 0) throw new SourceError('Open-Meteo sent a forecast without any values');

    const place: WeatherPlace = {
      name: found.name,
      region: found.admin1 ?? null,
      country: found.country ?? null,
      countryCode: found.country_code ?? null,
      latitude: found.latitude,
      longitude: found.longitude,
      elevation: found.elevation ?? null,
      timezone: found.timezone ?? forecast.data.timezone ?? null,
      population: found.population ?? null,
    };
    const extra: WeatherExtra = { kind: 'weather', placeQuery: placeQuery.name, place, ...weather };
    // Open-Meteo's own page for these coordinates and variables: stable, public, and one per place.
    const page = new URL('https://open-meteo.com/en/docs');
    for (const k of ['latitude', 'longitude', 'current', 'daily', 'timezone'] as const) page.searchParams.set(k, String(forecastQuery[k]));
    const item: SourceItem = {
      title: `Weather in ${placeLabel(place)}`,
      snippet: describe(place, weather),
      url: page.href,
      source: 'weather',
      publishedAt: null,
      updatedAt: weather.current?.time ?? null,
      extra,
    };
    return { items: [item] };
  }
}
