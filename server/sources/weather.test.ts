import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './testing/harness.ts';
import { fixture, ReplayServer, reply } from './testing/replay-server.ts';
import { describeWeatherCode } from './weather.ts';

const GEO = '/v1/search';
const FORECAST = '/v1/forecast';
const json = { 'content-type': 'application/json; charset=utf-8' };

let replay: ReplayServer;
beforeAll(async () => {
  replay = await ReplayServer.start();
});
afterEach(() => replay.reset());
afterAll(() => replay.close());

const ask = async (query: string) => {
  const { service } = createHarness(replay);
  const report = (await service.answer({ query, sources: ['weather'], limit: 5 })).sources.weather;
  if (!report) throw new Error('no weather report');
  return report;
};

const london = () => replay.route(GEO, fixture('open-meteo/geocoding-london.json')).route(FORECAST, fixture('open-meteo/forecast-current-daily-london.json'));

describe('weather source', () => {
  it('finds the place in the query, geocodes it and returns current conditions and the daily forecast with units', async () => {
    london();
    const report = await ask('weather in London tomorrow');
    expect(report).toMatchObject({ status: 'ok', count: 1, error: null, message: null });
    const item = report.items[0];
    expect(item).toMatchObject({
      title: 'Weather in London, England, United Kingdom',
      snippet: 'Now 21.6 °C, partly cloudy, wind 16.6 km/h. Today overcast, 16.9 °C to 24.9 °C. Tomorrow overcast, 15.1 °C to 26.0 °C.',
      source: 'weather',
      publishedAt: null,
      // 10:30 local (UTC+1) is 09:30 UTC.
      updatedAt: '2026-07-02T09:30:00Z',
      extra: {
        kind: 'weather',
        placeQuery: 'London',
        place: { name: 'London', region: 'England', country: 'United Kingdom', countryCode: 'GB', latitude: 51.50853, longitude: -0.12574, timezone: 'Europe/London', population: 8961989 },
        current: { time: '2026-07-02T09:30:00Z', localTime: '2026-07-02T10:30', temperature: 21.6, windSpeed: 16.6, weatherCode: 2, conditions: 'Partly cloudy' },
        units: { temperature: '°C', windSpeed: 'km/h' },
      },
    });
    expect(item?.url).toMatch(/^https:\/\/open-meteo\.com\/en\/docs\?latitude=51\.50853&longitude=-0\.12574&/);
    const extra = item?.extra;
    expect(extra?.kind === 'weather' && extra.daily).toHaveLength(7);
    expect(extra?.kind === 'weather' && extra.daily[6]).toEqual({ date: '2026-07-08', temperatureMin: 19.2, temperatureMax: 29, weatherCode: 0, conditions: 'Clear sky' });

    expect(Object.fromEntries(replay.calls(GEO)[0]?.query ?? [])).toEqual({ name: 'London', count: '10', language: 'en', format: 'json' });
    expect(Object.fromEntries(replay.calls(FORECAST)[0]?.query ?? [])).toEqual({
      latitude: '51.50853',
      longitude: '-0.12574',
      current: 'temperature_2m,weather_code,wind_speed_10m',
      daily: 'temperature_2m_max,temperature_2m_min,weather_code',
      temperature_unit: 'celsius',
      wind_speed_unit: 'kmh',
      timezone: 'auto',
      forecast_days: '7',
    });
  });

  it('uses the text after a comma to choose between places of the same name', async () => {
    london();
    const report = await ask('forecast for London, Canada');
    expect(report.items[0]?.title).toBe('Weather in London, Ontario, Canada');
    expect(replay.calls(FORECAST)[0]?.query.get('latitude')).toBe('42.98339');
  });

  it("takes the geocoder's best match: the town, not its airport", async () => {
    replay.route(GEO, fixture('open-meteo/geocoding-enschede-count2.json')).route(FORECAST, fixture('open-meteo/forecast-current-only-london.json'));
    const report = await ask('Enschede weather');
    expect(report.items[0]?.title).toBe('Weather in Enschede, Overijssel, The Netherlands');
  });

  it('works with current conditions only', async () => {
    replay.route(GEO, fixture('open-meteo/geocoding-london.json')).route(FORECAST, fixture('open-meteo/forecast-current-only-london.json'));
    const report = await ask('London temperature now');
    expect(report.items[0]).toMatchObject({ snippet: 'Now 20.4 °C, mainly clear, wind 12.2 km/h.', updatedAt: '2026-06-29T22:00:00Z', extra: { daily: [] } });
  });

  it('answers "no place found" as empty with a clear message, without calling Open-Meteo', async () => {
    const report = await ask('what will the weather be like tomorrow?');
    expect(report).toMatchObject({ status: 'empty', count: 0, error: null, message: expect.stringMatching(/^No place found in the query/) });
    expect(replay.requests).toEqual([]);
  });

  it('answers an unknown place as empty, naming it', async () => {
    replay.route(GEO, fixture('open-meteo/geocoding-no-results.json'));
    expect(await ask('weather in Zzyzxqrt')).toMatchObject({ status: 'empty', message: 'No place called "Zzyzxqrt" was found, so there is no forecast.' });
    expect(replay.calls(FORECAST)).toEqual([]);
  });

  it('without a weather word, accepts only a place of exactly that name', async () => {
    london();
    expect(await ask('London')).toMatchObject({ status: 'ok', count: 1 });
    replay.reset();
    london();
    // The geocoder matches prefixes; "Londo" is not a place someone asked the weather for.
    expect(await ask('Londo')).toMatchObject({ status: 'empty', message: 'No place called "Londo" was found, so there is no forecast.' });
    replay.reset();
    london();
    expect(await ask('weather in Londo')).toMatchObject({ status: 'ok' });
  });

  it("reports Open-Meteo's 400 with its reason", async () => {
    replay.route(GEO, fixture('open-meteo/geocoding-error-400-missing-name.json', { status: 400 }));
    expect(await ask('weather in London')).toMatchObject({
      status: 'error',
      error: "Open-Meteo geocoding answered HTTP 400: No value found (expected type 'String') at path 'name'.",
    });
  });

  it('reports a forecast 5xx', async () => {
    replay.route(GEO, fixture('open-meteo/geocoding-london.json')).route(FORECAST, reply(502, 'Bad Gateway'));
    expect(await ask('weather in London')).toMatchObject({ status: 'error', error: 'Open-Meteo forecast answered HTTP 502' });
  });

  it.each([
    ['not JSON', '<html>', 'Open-Meteo forecast sent a response that is not valid JSON'],
    ['the wrong shape', '{"current":"warm","daily":[]}', 'Open-Meteo sent a forecast in a shape Harmonic cannot read'],
    ['no values', '{"utc_offset_seconds":0}', 'Open-Meteo sent a forecast without any values'],
  ])('reports a malformed forecast (%s)', async (_case, body, error) => {
    replay.route(GEO, fixture('open-meteo/geocoding-london.json')).route(FORECAST, reply(200, body, json));
    expect(await ask('weather in London')).toMatchObject({ status: 'error', error });
  });

  it('names WMO weather codes', () => {
    expect(describeWeatherCode(0)).toBe('Clear sky');
    expect(describeWeatherCode(95)).toBe('Thunderstorm');
    expect(describeWeatherCode(42)).toBe('Weather code 42');
  });
});
