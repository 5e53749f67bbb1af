import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, postData, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { expectResponsesMatchDocument } from '../testing/openapi.ts';

/**
 * What a neighbour of Harmonic relies on: keys sent as `Authorization: Bearer`, CORS for pages on
 * other origins, a reference page at the URL we print, and examples that name this server.
 */
const APP = 'https://app.example.com';

let configured: TestServer;
let plain: TestServer;
let user: UserWithKey;
beforeAll(async () => {
  [configured, plain] = await Promise.all([
    startTestServer({ env: { CORS_ORIGINS: `${APP}, http://localhost:5173`, PUBLIC_URL: 'https://api.example.com/' } }),
    startTestServer(),
  ]);
  user = await createUserWithKey(configured.services);
});
afterAll(() => Promise.all([configured?.close(), plain?.close()]));

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('Authorization: Bearer', () => {
  it('is accepted like X-API-Key on REST, and is never served as a demo call', async () => {
    const res = await postData(configured.url, { query: 'x', sources: 'kb' }, undefined, bearer(user.key));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-user-id')).toBe(user.userId);
    expect(res.headers.get('x-demo-mode')).toBeNull();

    const usage = await fetch(`${configured.url}/api/v1/usage?action=current`, { headers: bearer(user.key) });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ userId: user.userId });

    const wrong = await postData(configured.url, { query: 'x', sources: 'kb' }, undefined, bearer('hm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
    expect(wrong.status).toBe(401);
    const empty = await postData(configured.url, { query: 'x', sources: 'kb' }, undefined, { authorization: 'Bearer' });
    expect(empty.status).toBe(401);
  });

  it('is accepted on tRPC keyed procedures', async () => {
    const res = await fetch(`${configured.url}/trpc/usage.current`, { headers: bearer(user.key) });
    expect(res.status).toBe(200);
    expect((await res.json()).result.data).toMatchObject({ userId: user.userId });
  });

  it('together with X-API-Key: the same key is fine, two different keys are a 400 naming both headers', async () => {
    const same = await postData(configured.url, { query: 'x', sources: 'kb' }, user.key, bearer(user.key));
    expect(same.status).toBe(200);

    const other = await createUserWithKey(configured.services);
    const rest = await postData(configured.url, { query: 'x', sources: 'kb' }, user.key, bearer(other.key));
    expect(rest.status).toBe(400);
    const { error } = await rest.json();
    expect(error).toMatchObject({ code: 'BAD_REQUEST', headers: ['X-API-Key', 'Authorization'] });
    expect(error.message).toMatch(/X-API-Key and Authorization: Bearer carry different keys/);

    const trpc = await fetch(`${configured.url}/trpc/usage.current`, { headers: { 'x-api-key': user.key, ...bearer(other.key) } });
    expect(trpc.status).toBe(400);
    expect((await trpc.json()).error.message).toMatch(/X-API-Key and Authorization: Bearer carry different keys/);
  });

  it('other Authorization schemes are not keys: a Basic header alone is a demo call', async () => {
    const res = await postData(configured.url, { query: 'x', sources: 'kb' }, undefined, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-demo-mode')).toBe('true');
  });
});

const preflight = (base: string, path: string, origin: string, method = 'POST') =>
  fetch(`${base}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'x-api-key, content-type' },
  });

describe('CORS for /api/v1 (CORS_ORIGINS)', () => {
  it('answers a preflight from an allowed origin with the methods, headers and a max age', async () => {
    const res = await preflight(configured.url, '/api/v1/data', APP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(res.headers.get('access-control-allow-headers')).toBe('X-API-Key, Authorization, Content-Type');
    expect(res.headers.get('access-control-max-age')).toBe('7200');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();

    const revoke = await preflight(configured.url, `/api/v1/keys/${user.keyId}`, 'http://localhost:5173', 'DELETE');
    expect(revoke.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(revoke.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
  });

  it("lets the page read its quota headers, on successes and on errors", async () => {
    const res = await postData(configured.url, { query: 'x', sources: 'kb' }, user.key, { origin: APP });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('vary')).toMatch(/Origin/i);
    const exposed = res.headers.get('access-control-expose-headers')?.split(', ');
    expect(exposed).toEqual(
      expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Used', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'RateLimit', 'RateLimit-Policy', 'Retry-After', 'X-User-Id', 'X-Demo-Mode', 'X-Request-Id']),
    );

    const denied = await fetch(`${configured.url}/api/v1/usage?action=current`, { headers: { origin: APP, 'x-api-key': 'hm_nope' } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('gives other origins nothing', async () => {
    const res = await preflight(configured.url, '/api/v1/data', 'https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const call = await postData(configured.url, { query: 'x', sources: 'kb' }, user.key, { origin: 'https://evil.example.com' });
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('still documents the API on a plain OPTIONS, which is not a preflight', async () => {
    for (const headers of [{}, { origin: APP }] as Record<string, string>[]) {
      const res = await fetch(`${configured.url}/api/v1/data`, { method: 'OPTIONS', headers });
      expect(res.status).toBe(200);
      expect((await res.json()).authentication.header).toBe('X-API-Key');
    }
  });

  it('never answers cross-origin on the cookie-authenticated tRPC and admin routes', async () => {
    for (const path of ['/trpc/auth.signIn', '/trpc/admin.users.list', '/trpc/usage.current']) {
      const res = await preflight(configured.url, path, APP);
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
    const signIn = await fetch(`${configured.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(12) }),
    });
    expect(signIn.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('is off by default', async () => {
    const res = await preflight(plain.url, '/api/v1/data', APP);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const call = await postData(plain.url, { query: 'x', sources: 'kb' }, undefined, { origin: APP });
    expect(call.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('the reference page', () => {
  it('works at /api/v1/docs and /api/v1/docs/: every asset its HTML loads is served, from this server', async () => {
    for (const path of ['/api/v1/docs', '/api/v1/docs/']) {
      const res = await fetch(`${plain.url}${path}`);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(assets.length, path).toBeGreaterThan(2);
      for (const asset of assets) {
        expect(asset, `${path} loads ${asset}`).not.toMatch(/^(https?:)?\/\//);
        const loaded = await fetch(new URL(asset, `${plain.url}${path}`));
        expect(loaded.status, `${path} loads ${asset}`).toBe(200);
      }
    }
  });
});

describe('OPTIONS /api/v1/data examples', () => {
  it('use PUBLIC_URL', async () => {
    const body = await (await fetch(`${configured.url}/api/v1/data`, { method: 'OPTIONS' })).json();
    expect(body.examples).toHaveLength(2);
    for (const example of body.examples) expect(example).toContain('curl -X POST https://api.example.com/api/v1/data ');
  });

  it('default to http://localhost and the port the server listens on', async () => {
    const port = new URL(plain.url).port;
    const body = await (await fetch(`${plain.url}/api/v1/data`, { method: 'OPTIONS' })).json();
    for (const example of body.examples) expect(example).toContain(`curl -X POST http://localhost:${port}/api/v1/data `);
  });
});

// Last: every response the tests above received, CORS answers included.
it('every /api/v1 response above matches the OpenAPI document exactly', async () => {
  expect((await expectResponsesMatchDocument(configured)) + (await expectResponsesMatchDocument(plain))).toBeGreaterThan(0);
});
