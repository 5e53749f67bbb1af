import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, postData, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { expectResponsesMatchDocument } from '../testing/openapi.ts';

let server: TestServer;
let user: UserWithKey;
beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: '4096' } });
  user = await createUserWithKey(server.services);
});
afterAll(() => server.close());

const raw = (path: string, init: RequestInit) => fetch(`${server.url}/api/v1${path}`, init);

describe('GET and OPTIONS /api/v1/data', () => {
  it('GET answers the service status and the sources, without a key', async () => {
    const res = await raw('/data', { method: 'GET' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: 'ok', demo: { enabled: true } });
    expect(body.sources.map((s: { name: string }) => s.name)).toEqual(['wiki', 'arxiv', 'news', 'weather', 'kb']);
    expect(body.sources[0]).toMatchObject({ enabled: true, timeoutMs: 3000, skippedUntil: null });
  });

  it('OPTIONS explains authentication, the quotas and gives examples', async () => {
    const res = await raw('/data', { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
    const body = await res.json();
    expect(body.authentication.header).toBe('X-API-Key');
    expect(body.quotas.tiers).toEqual([
      { name: 'Free', monthlyQuota: 1000, priceCents: 0 },
      { name: 'Pro', monthlyQuota: 10000, priceCents: 2900 },
      { name: 'Enterprise', monthlyQuota: 'unlimited', priceCents: null },
    ]);
    expect(body.examples[0]).toMatch(/^curl -X POST/);
  });
});

describe('bad requests get a clear 4xx JSON error', () => {
  const expectError = async (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
    return body.error;
  };

  it('405 with Allow for a method the resource does not support', async () => {
    for (const [path, method, allow] of [
      ['/data', 'PUT', 'GET, HEAD, POST, OPTIONS'],
      ['/data', 'DELETE', 'GET, HEAD, POST, OPTIONS'],
      ['/keys', 'PATCH', 'GET, HEAD, POST, OPTIONS'],
      ['/usage', 'POST', 'GET, HEAD, OPTIONS'],
    ] as const) {
      const res = await raw(path, { method, headers: { 'x-api-key': user.key } });
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      await expectError(res, 405, 'METHOD_NOT_ALLOWED');
    }
  });

  it('413 for a body over the limit', async () => {
    const res = await postData(server.url, { query: 'x'.repeat(5000) }, user.key);
    const error = await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/larger than 4096 bytes/);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await raw('/data', { method: 'POST', headers: { 'x-api-key': user.key, 'content-type': 'text/plain' }, body: 'query=x' });
    await expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('400 for malformed JSON, and for a body that is not an object', async () => {
    const broken = await raw('/data', { method: 'POST', headers: { 'x-api-key': user.key, 'content-type': 'application/json' }, body: '{"query": ' });
    await expectError(broken, 400, 'BAD_REQUEST');
    for (const body of ['null', '[]', '"query"', '42', 'true']) {
      const res = await raw('/data', { method: 'POST', headers: { 'x-api-key': user.key, 'content-type': 'application/json' }, body });
      await expectError(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('400 naming each field for wrong types, lengths and unknown sources', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{}, 'query', /string/],
      [{ query: 42 }, 'query', /must be a string/],
      [{ query: '   ' }, 'query', /must not be empty/],
      [{ query: 'x'.repeat(501) }, 'query', /at most 500/],
      [{ query: 'x', sources: 'moon' }, 'sources.0', /Unknown source "moon"\. Valid sources: wiki, arxiv, news, weather, kb/],
      [{ query: 'x', sources: ['kb', 'kb', 'wiki', 'news', 'arxiv', 'weather'] }, 'sources', /at most 5/],
      [{ query: 'x', sources: [] }, 'sources', /at least one/],
      [{ query: 'x', limit: 21 }, 'limit', /at most 20/],
      [{ query: 'x', limit: 1.5 }, 'limit', /whole number/],
      [{ query: 'x', surprise: true }, '', /surprise/],
    ];
    for (const [body, field, message] of cases) {
      const res = await postData(server.url, body, user.key);
      const error = await expectError(res, 400, 'VALIDATION_FAILED');
      const issue = error.issues.find((i: { field: string }) => i.field === field);
      expect(issue, JSON.stringify(body)).toBeDefined();
      expect(issue.message, JSON.stringify(body)).toMatch(message);
    }
  });

  it('SQL-looking input is just text', async () => {
    const res = await postData(server.url, { query: "'; drop table users; --", sources: 'kb' }, user.key);
    expect(res.status).toBe(200);
    const [row] = await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from users`);
    expect(row?.n).toBeGreaterThan(0);
  });
});

describe('knowledge-base links', () => {
  it("every kb item's url serves the whole entry, metered like a data call", async () => {
    const answer = await (await postData(server.url, { query: 'rate limit headers', sources: 'kb', limit: 1 }, user.key)).json();
    const url: string = answer.sources.kb.items[0].url;
    expect(url).toMatch(/^\/api\/v1\/kb\/[0-9a-f-]{36}$/);
    const res = await fetch(`${server.url}${url}`, { headers: { 'x-api-key': user.key } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ title: answer.sources.kb.items[0].title, body: expect.any(String), tags: expect.any(Array) });
    expect(res.headers.get('x-ratelimit-used')).toBe(String(Number(res.headers.get('x-ratelimit-limit')) - Number(res.headers.get('x-ratelimit-remaining'))));
    const demo = await fetch(`${server.url}${url}`);
    expect(demo.headers.get('x-demo-mode')).toBe('true');
    const missing = await fetch(`${server.url}/api/v1/kb/00000000-0000-4000-8000-000000000000`, { headers: { 'x-api-key': user.key } });
    expect(missing.status).toBe(404);
    const bad = await fetch(`${server.url}/api/v1/kb/nope`, { headers: { 'x-api-key': user.key } });
    expect(bad.status).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  it('describes every /api/v1 route, generated from the shared zod schemas', async () => {
    const res = await raw('/openapi.json', { method: 'GET' });
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/billing/lemonsqueezy',
      '/data',
      '/kb/{id}',
      '/keys',
      '/keys/{id}',
      '/keys/{id}/rotate',
      '/tiers',
      '/usage',
      '/usage/track',
      '/users',
      '/users/{id}',
      '/users/{id}/reactivate',
      '/users/{id}/suspend',
    ]);
    // Management keys have a security scheme of their own, and the routes they call name the scope they need.
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['ApiKey', 'BearerKey', 'ManagementKey', 'ManagementBearer']);
    expect(doc.paths['/users'].post.security).toEqual([{ ManagementKey: ['users:write'] }, { ManagementBearer: ['users:write'] }]);
    expect(doc.paths['/keys'].post.security).toEqual([{ ApiKey: [] }, { BearerKey: [] }, { ManagementKey: ['keys:write'] }, { ManagementBearer: ['keys:write'] }]);
    const body = doc.paths['/data'].post.requestBody.content['application/json'].schema;
    const resolved = body.$ref ? doc.components.schemas[body.$ref.split('/').pop()] : body;
    expect(resolved.properties.query).toMatchObject({ type: 'string', maxLength: 500 });
    expect(doc.paths['/data'].post.responses['429'].headers['Retry-After']).toBeDefined();
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  });

  it('has an interactive reference page, served locally', async () => {
    const res = await fetch(`${server.url}/api/v1/docs/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger/i);
  });
});

// Last: every response the tests above received.
it('every /api/v1 response above matches the OpenAPI document exactly', async () => {
  expect(await expectResponsesMatchDocument(server)).toBeGreaterThan(0);
});
