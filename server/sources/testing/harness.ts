import pino, { type Logger } from 'pino';
import type { Orm } from '../../db/orm.ts';
import type { Clock } from '../politeness.ts';
import { parseSourcesEnv, type SourcesConfig } from '../config.ts';
import { SourceService } from '../service.ts';
import type { Source } from '../source.ts';
import type { ReplayServer } from './replay-server.ts';

/**
 * Sources configured against the replay server. The timeouts are ceilings for
 * a hang, generous enough that a busy machine never turns a recorded answer into
 * a timeout; a test of a hanging or slow upstream sets its own short timeout.
 */
export function replayConfig(replay: ReplayServer, env: Record<string, string> = {}): SourcesConfig {
  return parseSourcesEnv({
    WIKI_BASE_URL: replay.url,
    ARXIV_BASE_URL: replay.url,
    HN_BASE_URL: replay.url,
    GDELT_BASE_URL: replay.url,
    OPEN_METEO_GEOCODING_URL: replay.url,
    OPEN_METEO_FORECAST_URL: replay.url,
    SOURCE_CONTACT_URL: 'https://harmonic.example/contact',
    SOURCE_TIMEOUT_MS: '10000',
    // Tests make many calls in a row; the spacing itself has its own test.
    ARXIV_MIN_INTERVAL_MS: '0',
    GDELT_MIN_INTERVAL_MS: '0',
    WIKI_SUMMARY_TIMEOUT_MS: '5000',
    ...env,
  });
}

/** Unit tests have no database; the knowledge-base source fails loudly if a test asks it anything. */
export const noDatabase = new Proxy({} as Orm, {
  get(_target, prop) {
    throw new Error(`This unit test has no database (tried orm.${String(prop)}); use an *.int.test.ts for the kb source`);
  },
});

export interface Harness {
  service: SourceService;
  config: SourcesConfig;
  /** Captured log records. */
  logs: Record<string, unknown>[];
}

export function createHarness(
  replay: ReplayServer,
  opts: { env?: Record<string, string>; now?: () => number; clock?: Clock; sources?: Source[]; orm?: Orm } = {},
): Harness {
  const config = replayConfig(replay, opts.env);
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const service = new SourceService({
    config,
    logger,
    orm: opts.orm ?? noDatabase,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.sources ? { sources: opts.sources } : {}),
  });
  return { service, config, logs };
}
