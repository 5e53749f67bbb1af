import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, type UserWithKey } from '../../server/testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../server/testing/server.ts';
import { procedures } from '../../server/testing/guards.ts';

/**
 * Property-based fuzzing of every REST route and every tRPC procedure: random
 * and malformed bodies, headers, query strings and methods. The property:
 * the answer is never a 5xx, any body is JSON, and the server stays up.
 */
let server: TestServer;
let user: UserWithKey;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal', BODY_LIMIT_BYTES: '65536', DEMO_MONTHLY_QUOTA: '100000' } });
  user = await createUserWithKey(server.services, { tier: 'Enterprise' });
});
afterAll(() => server.close());

const REST_PATHS = ['/api/v1/data', '/api/v1/usage', '/api/v1/usage/track', '/api/v1/keys', '/api/v1/keys/{id}', '/api/v1/keys/{id}/rotate'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/**
 * Checks one answer; returns a description of what was wrong, or null. REST
 * errors must have our shape, `{ error: { code, message } }`; tRPC errors have
 * tRPC's own envelope.
 */
async function verdict(res: Response, method: string, api: 'rest' | 'trpc' = 'rest'): Promise<string | null> {
  const text = await res.text();
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 300)}`;
  if (method === 'HEAD' || res.status === 204 || text === '') return null;
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) return `not JSON (${res.headers.get('content-type')}): ${text.slice(0, 200)}`;
  let body: { error?: { code?: unknown; message?: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    return `unparseable JSON: ${text.slice(0, 200)}`;
  }
  if (res.status >= 400 && api === 'rest' && (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string')) {
    return `error body without { error: { code, message } }: ${text.slice(0, 200)}`;
  }
  return null;
}

const jsonish = fc.oneof(
  fc.anything({ maxDepth: 4, withNullPrototype: true, withBigInt: false, withDate: true, withMap: false, withSet: false }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.record({ query: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.integer(), fc.constant(null)), sources: fc.anything({ maxDepth: 2 }), limit: fc.anything({ maxDepth: 1 }) }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.integer({ min: 1, max: 400 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1000, max: 20000 }).map((d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d)),
  fc.constant(`{"query":"${'x'.repeat(70000)}"}`),
  fc.constantFrom("{\"query\": \"'; drop table users; --\", \"sources\": \"kb\"}", '{"query":"\\u0000\\ud800"}', '{"__proto__":{"admin":true},"query":"x"}'),
);

const headerValue = fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('', ' ', 'hm_', `hm_${'A'.repeat(32)}`, 'a'.repeat(4000)));
const safeHeaderValue = headerValue.map((v) => v.replace(/[^\x20-\x7e]/g, '?'));

describe('fuzzing the REST API', () => {
  it('never answers 5xx or non-JSON to random bodies, headers, query strings and methods', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...REST_PATHS),
        fc.constantFrom(...METHODS),
        fc.option(jsonish, { nil: undefined }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
        fc.option(fc.constantFrom('valid', 'random', 'empty'), { nil: undefined }),
        fc.dictionary(fc.constantFrom('action', 'days', 'query', 'x', '__proto__', 'a[b]'), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent)),
        safeHeaderValue,
        async (path, method, body, contentType, keyKind, query, id, odd) => {
          const url = new URL(`${server.url}${path.replace('{id}', id || 'x')}`);
          for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
          const headers: Record<string, string> = { 'x-odd': odd };
          if (contentType) headers['content-type'] = contentType;
          if (keyKind === 'valid') headers['x-api-key'] = user.key;
          else if (keyKind === 'random') headers['x-api-key'] = odd;
          else if (keyKind === 'empty') headers['x-api-key'] = '';
          const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
          const res = await fetch(url, { method, headers, ...(sendsBody ? { body } : {}) });
          const problem = await verdict(res, method);
          expect(problem, `${method} ${url.pathname}${url.search} body=${String(body).slice(0, 120)}`).toBeNull();
        },
      ),
      { numRuns: 1500 },
    );
  });
});

describe('fuzzing tRPC', () => {
  const paths = [...procedures('public'), ...procedures('key'), ...procedures('admin')].map((p) => p.path);

  it('never answers 5xx or non-JSON to random inputs on any procedure', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.boolean(),
        jsonish,
        fc.option(fc.constantFrom('valid', 'random'), { nil: undefined }),
        async (path, asQuery, input, keyKind) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (keyKind === 'valid') headers['x-api-key'] = user.key;
          if (keyKind === 'random') headers['x-api-key'] = 'hm_' + 'Z'.repeat(32);
          const res = asQuery
            ? await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(input)}`, { headers })
            : await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers, body: input });
          const problem = await verdict(res, asQuery ? 'GET' : 'POST', 'trpc');
          expect(problem, `${asQuery ? 'GET' : 'POST'} ${path} input=${input.slice(0, 120)}`).toBeNull();
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('answers batches and unknown procedures with JSON 4xx', async () => {
    const many = Array.from({ length: 50 }, () => 'system.health').join(',');
    for (const url of [`/trpc/${many}?batch=1`, '/trpc/nope.nothing', `/trpc/${'a.'.repeat(300)}b`, '/trpc/admin.users.list?input=%7B%22json', '/trpc/?batch=1']) {
      const res = await fetch(`${server.url}${url}`);
      expect(await verdict(res, 'GET', 'trpc'), url).toBeNull();
    }
  });
});

describe('malformed HTTP', () => {
  /** Sends raw bytes and returns the raw response. */
  function raw(bytes: string): Promise<string> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      let out = '';
      socket.on('data', (d) => (out += d.toString('latin1')));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      socket.setTimeout(5000, () => {
        socket.destroy();
        resolve(out);
      });
      socket.end(bytes);
    });
  }

  it('answers broken requests, huge and repeated headers with a JSON 4xx', async () => {
    const cases = [
      'GARBAGE / HTTP/1.1\r\n\r\n',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`,
      `POST /api/v1/data HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{"a":1}`,
      `POST /api/v1/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n`,
      `GET /api/v1/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n`,
      `POST /api/v1/data HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n${Array.from({ length: 200 }, (_, i) => `X-API-Key: k${i}`).join('\r\n')}\r\n\r\n{}`,
    ];
    for (const request of cases) {
      const response = await raw(request);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
      expect(status, `${request.slice(0, 60)} → ${response.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(status, request.slice(0, 60)).toBeLessThan(500);
      const body = response.split('\r\n\r\n').slice(1).join('\r\n\r\n');
      expect(JSON.parse(body), `${request.slice(0, 60)} → ${body.slice(0, 200)}`).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
  });

  it('is still up and correct afterwards', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/v1/data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': user.key },
      body: JSON.stringify({ query: 'still fine', sources: 'kb' }),
    });
    expect(res.status).toBe(200);
  });
});
