import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('sources configuration', () => {
  it('has working defaults: 3 s timeouts, 1 h cache (weather 10 min, kb 1 min), real upstreams, Hacker News', () => {
    const { sources } = loadConfig({});
    expect(sources.timeoutMs).toBe(3_000);
    expect(Object.values(sources.perSource).map((s) => s.timeoutMs)).toEqual([3_000, 3_000, 3_000, 3_000, 3_000]);
    expect(sources.perSource.wiki.cacheTtlMs).toBe(3_600_000);
    expect(sources.perSource.weather.cacheTtlMs).toBe(600_000);
    expect(sources.perSource.kb.cacheTtlMs).toBe(60_000);
    expect(Object.values(sources.perSource).every((s) => s.enabled)).toBe(true);
    expect(sources.news.provider).toBe('hn');
    expect(Object.fromEntries(Object.values(sources.upstreams).map((u) => [u.name, u.baseUrl]))).toEqual({
      wikipedia: 'https://en.wikipedia.org',
      arxiv: 'https://export.arxiv.org',
      hn: 'https://hn.algolia.com',
      gdelt: 'https://api.gdeltproject.org',
      'open-meteo-geocoding': 'https://geocoding-api.open-meteo.com',
      'open-meteo-forecast': 'https://api.open-meteo.com',
    });
    expect(sources.upstreams.arxiv.maxConcurrency).toBe(1);
    expect(sources.upstreams.hn.maxConcurrency).toBe(4);
    expect([sources.upstreams.arxiv.minIntervalMs, sources.upstreams.gdelt.minIntervalMs, sources.upstreams.wikipedia.minIntervalMs]).toEqual([3_000, 5_000, 0]);
    expect(sources.politeness.userAgent).toMatch(/^Harmonic\/\d+\.\d+\.\d+ /);
  });

  it('reads every override', () => {
    const { sources } = loadConfig({
      SOURCE_TIMEOUT_MS: '2000',
      ARXIV_TIMEOUT_MS: '5000',
      SOURCE_CACHE_TTL_S: '120',
      NEWS_CACHE_TTL_S: '30',
      SOURCES_DISABLED: 'news, Weather',
      WIKI_LANGUAGE: 'de',
      WIKI_BASE_URL: 'http://wiki.internal:8080/{lang}/',
      NEWS_PROVIDER: 'gdelt',
      SOURCE_CONTACT_URL: 'mailto:ops@example.com',
      SOURCE_MAX_CONCURRENCY: '2',
      WEATHER_TEMPERATURE_UNIT: 'fahrenheit',
    });
    expect(sources.perSource.wiki.timeoutMs).toBe(2_000);
    expect(sources.perSource.arxiv.timeoutMs).toBe(5_000);
    expect(sources.perSource.wiki.cacheTtlMs).toBe(120_000);
    expect(sources.perSource.news.cacheTtlMs).toBe(30_000);
    expect(sources.perSource.news.enabled).toBe(false);
    expect(sources.perSource.weather.enabled).toBe(false);
    expect(sources.upstreams.wikipedia.baseUrl).toBe('http://wiki.internal:8080/de');
    expect(sources.wiki.language).toBe('de');
    expect(sources.news.provider).toBe('gdelt');
    expect(sources.politeness.userAgent).toMatch(/\(\+mailto:ops@example\.com\)$/);
    expect(sources.upstreams.hn.maxConcurrency).toBe(2);
    expect(sources.weather.temperatureUnit).toBe('fahrenheit');
  });

  it('names each bad variable and says what is allowed', () => {
    try {
      loadConfig({ SOURCE_TIMEOUT_MS: 'fast', SOURCES_DISABLED: 'wiki,twitter', NEWS_PROVIDER: 'reddit', ARXIV_BASE_URL: 'ftp://arxiv.org', WIKI_LANGUAGE: 'English' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const issues = (err as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^SOURCE_TIMEOUT_MS="fast": must be a whole number from 50 to 60000/m);
      expect(issues).toMatch(/^SOURCES_DISABLED="wiki,twitter": unknown source twitter; valid sources: wiki, arxiv, news, weather, kb/m);
      expect(issues).toMatch(/^NEWS_PROVIDER="reddit": must be hn or gdelt/m);
      expect(issues).toMatch(/^ARXIV_BASE_URL="ftp:\/\/arxiv.org": must be an http\(s\) URL/m);
      expect(issues).toMatch(/^WIKI_LANGUAGE="English": must be a Wikipedia language code/m);
    }
  });
});
