import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { initOrm } from './db/orm.ts';
import { createServices } from './services.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('health', () => {
  it('GET /healthz says the process is up, as JSON', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /readyz says the database is reachable, as JSON', async () => {
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ready', database: { up: true } });
  });

  it('GET /readyz answers 503 JSON when the database cannot be reached', async () => {
    // Port 9 (discard) has nothing listening: every connection attempt is refused.
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none', LOG_LEVEL: 'silent' });
    const logger = pino({ level: 'silent' });
    const orm = await initOrm({ clientUrl: config.databaseUrl ?? '', logger });
    const app = await buildApp({ services: createServices({ config, logger, orm }) });
    try {
      // The probe bounds itself (2 s, server/db/health.ts); the test checks what it answers, not how fast on a loaded machine.
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'not_ready', database: { up: false } });
      expect(res.json().database.error).toEqual(expect.any(String));
    } finally {
      await app.close();
      await orm.close().catch(() => undefined);
    }
  });

  it('the tRPC system.health query reports the same readiness', async () => {
    const res = await fetch(`${server.url}/trpc/system.health`);
    expect(res.status).toBe(200);
    expect((await res.json()).result.data).toMatchObject({ status: 'ready', database: { up: true } });
  });
});

describe('HTTP basics', () => {
  it('answers unknown API paths with a JSON 404 naming the route', async () => {
    const res = await fetch(`${server.url}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/v1/nothing-here' } });
  });

  it('serves the apps for browser navigation to client-side routes (server/spa.test.ts has the details)', async () => {
    for (const path of ['/app/keys', '/admin/users/123']) {
      const res = await fetch(`${server.url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(await res.text(), path).toMatch(/<html/i);
    }
  });

  it('sets security headers and a request id on every response', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one structured JSON line per request', async () => {
    await fetch(`${server.url}/healthz?probe=1`);
    const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', url: '/healthz', status: 200 }));
  });
});
