import type { FastifyInstance } from 'fastify';
import { buildApp, type SentResponse } from '../app.ts';
import { loadConfig, type Config } from '../config.ts';
import { createContextInner, type CookieRequest } from '../context.ts';
import { createLogger } from '../logger.ts';
import { initOrm, type Orm } from '../db/orm.ts';
import { createCallerFactory } from '../trpc.ts';
import { appRouter } from '../routers/root.ts';
import { createServices, startServices, stopServices, type Services } from '../services.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/**
 * Every upstream source pointed at a closed loopback port, so a test that asks
 * for them gets a quick `error` report instead of reaching for the internet
 * (tests that exercise the sources use the replay server instead).
 */
export const OFFLINE_UPSTREAMS: Record<string, string> = Object.fromEntries(
  ['WIKI_BASE_URL', 'ARXIV_BASE_URL', 'HN_BASE_URL', 'GDELT_BASE_URL', 'OPEN_METEO_GEOCODING_URL', 'OPEN_METEO_FORECAST_URL'].map((k) => [k, 'http://127.0.0.1:9']),
);

export interface TestServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  app: FastifyInstance;
  services: Services;
  orm: Orm;
  db: TestDatabase;
  config: Config;
  /** Captured log lines (JSON strings), for assertions about what was logged. */
  logs: string[];
  /** What the server printed on the console outside the log: emails, when SMTP_URL is unset. */
  printed: string[];
  /** Every response the server sent, for checking against the OpenAPI document (server/testing/openapi.ts). */
  responses: SentResponse[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Extra environment, parsed exactly as in production. */
  env?: Record<string, string>;
  /** Reuse a database (e.g. for a second instance); by default each server gets a fresh one. */
  db?: TestDatabase;
  /** The billing clock (grace periods, ends_at), for tests that move time; the wall clock by default. */
  now?: () => Date;
}

/** The endpoint secrets' key of every test server (base64 of 32 bytes), so none writes a key file. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** The real HTTP server on a real PostgreSQL database of this test's own, on a free port. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const db = opts.db ?? (await createTestDatabase());
  // bcrypt cost 4 keeps tests fast; production defaults to 10 (see config.test.ts).
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', BCRYPT_COST: '4', DATABASE_URL: db.url, HARMONIC_SECRET_KEY: TEST_SECRET_KEY, ...OFFLINE_UPSTREAMS, ...opts.env });
  const logs: string[] = [];
  // The production logger, redaction included, writing into memory.
  const logger = createLogger(config, { write: (line: string) => void logs.push(line) });
  const orm = await initOrm({ clientUrl: db.url, poolMax: config.dbPoolMax, logger });
  const printed: string[] = [];
  const services = createServices({ config, logger, orm, mailConsole: (text) => void printed.push(text), ...(opts.now ? { now: opts.now } : {}) });
  await startServices(services);
  const responses: SentResponse[] = [];
  const app = await buildApp({ services, onResponse: (r) => void responses.push(r) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('server has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    services,
    orm,
    db,
    config,
    logs,
    printed,
    responses,
    async close() {
      await app.close();
      await stopServices(services);
      await orm.close();
      if (!opts.db) await db.drop();
    },
  };
}

/** A tRPC caller with a context built by createContextInner, without HTTP. */
export function createTestCaller(services: Services, ctx: { apiKeyHeader?: string | undefined; ip?: string; cookies?: CookieRequest } = {}) {
  return createCallerFactory(appRouter)(
    createContextInner({ em: services.orm.em.fork(), services, ip: ctx.ip ?? '127.0.0.1', apiKeyHeader: ctx.apiKeyHeader, cookies: ctx.cookies ?? {} }),
  );
}
