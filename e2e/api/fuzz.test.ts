import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { nativePool } from '../../server/db/pool.ts';
import { appRouter } from '../../server/routers/root.ts';
import { signInAs, type AdminSessionCookie } from '../../server/testing/admin.ts';
import { createCustomer, signInCustomer, type CustomerSessionCookie, type TestCustomer } from '../../server/testing/customers.ts';
import { counterLedgerMismatches, createUserWithKey, TEST_ACTOR, type UserWithKey } from '../../server/testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../server/testing/server.ts';
import type { ProcedureMeta } from '../../server/trpc.ts';
import { expectResponsesMatchDocument } from '../../server/testing/openapi.ts';

/**
 * Property-based fuzzing of every REST route and every tRPC procedure, found
 * from the OpenAPI document and the router rather than listed by hand:
 * inputs generated from each operation's own schema, with strings PostgreSQL
 * cannot store (fc.string({ unit: 'binary' }): NUL, lone surrogates), JSON
 * nested deep or spread wide, wrong types, and odd header values mixed in;
 * plus random bodies, methods and query strings. The properties: the answer
 * is never a 5xx, any body is JSON, the server stays up, and afterwards every
 * counter equals its ledger.
 */
let server: TestServer;
let user: UserWithKey;
let admin: AdminSessionCookie | undefined;
let customer: TestCustomer;
let customerSession: CustomerSessionCookie | undefined;
/** Ids that exist, so generated requests also reach the code past "not found". */
let knownIds: string[] = [];

interface OpenApiOperation {
  parameters?: { in: 'path' | 'query' | 'header'; name: string; schema: JsonSchema; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  security?: Record<string, unknown>[];
}
let operations: { method: string; path: string; op: OpenApiOperation }[] = [];

beforeAll(async () => {
  server = await startTestServer({
    // Failed sign-ins are fuzzed too; the run must still be able to sign in again after fuzzing sign-out.
    env: { LOG_LEVEL: 'fatal', BODY_LIMIT_BYTES: '65536', DEMO_MONTHLY_QUOTA: '100000', ADMIN_LOGIN_MAX_FAILURES_IP: '100000', ADMIN_LOGIN_MAX_FAILURES_ACCOUNT: '1000' },
  });
  user = await createUserWithKey(server.services, { tier: 'Enterprise' });
  admin = await signInAs(server, 'owner');
  customer = await createCustomer(server);
  const spares = await Promise.all([1, 2, 3].map(() => server.services.keys.create(server.orm.em.fork(), { userId: user.userId, name: 'spare', actor: TEST_ACTOR })));
  const victim = await createUserWithKey(server.services);
  const pool = await nativePool(server.orm.em.fork());
  const kb = await pool.query<{ id: string }>('select id from kb_entries order by id limit 5');
  knownIds = [...spares.map((k) => k.id), victim.userId, victim.keyId, ...kb.rows.map((r) => r.id)];

  const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, OpenApiOperation>> };
  operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path: `/api/v1${path}`, op })));
});
afterAll(() => server?.close());

/**
 * The run counts keep the file to a minute or two on a busy two-core machine;
 * the timeout only catches a hang (nothing here measures speed).
 */
const FUZZ_TIMEOUT = 600_000;

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

// Values that broke things once. All are JSON text, so a value nested deeper than JSON.stringify can go is still sendable.

/** Any UTF-16 code units: NUL, lone surrogates and all. JSON.stringify escapes them, and the server's JSON.parse restores them. */
const binaryString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\uD800', 'x\uDFFF', '\uDC00\uD800', '\u0000'.repeat(300), 'ok 😀'),
);
const deepJson = fc
  .tuple(fc.integer({ min: 30, max: 20_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('1', '"kb"', '"\\u0000"', '{}'))
  .map(([depth, open, leaf]) => open.repeat(depth) + leaf + (open === '[' ? ']' : '}').repeat(depth));
const wideJson = fc.oneof(
  fc.integer({ min: 100, max: 5000 }).map((n) => `[${Array(n).fill('"kb"').join(',')}]`),
  fc.integer({ min: 100, max: 3000 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
);
const nastyJson = fc.oneof(
  binaryString.map((s) => JSON.stringify(s)),
  deepJson,
  wideJson,
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('1e308', '-0', '1.5', '""', '"   "', 'null', 'true', '[]', '{}', '{"__proto__":{"admin":true}}', '"2027-02-30T00:00:00Z"'),
);

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/**
 * JSON text for a JSON Schema (the subset zod and zod-openapi emit): mostly
 * values the schema allows, so the request gets past validation into the
 * service and the database, and now and then, at any depth, a nasty value
 * instead, so every field of every operation gets one in turn.
 */
function fromSchema(schema: JsonSchema): fc.Arbitrary<string> {
  return fc.oneof({ weight: 7, arbitrary: conforming(schema) }, { weight: 1, arbitrary: nastyJson });
}

function conforming(s: JsonSchema): fc.Arbitrary<string> {
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(fromSchema));
  if (s.const !== undefined) return fc.constant(JSON.stringify(s.const));
  if (s.enum) return fc.constantFrom(...s.enum.map((v) => JSON.stringify(v)));
  const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : undefined;
  if (type && type.length > 1) return fc.oneof(...type.map((t) => conforming({ ...s, type: t })));
  switch (type?.[0]) {
    case 'string':
      return stringFor(s).map((v) => JSON.stringify(v));
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 }).map(String);
    case 'number':
      return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true }).map((n) => JSON.stringify(n));
    case 'boolean':
      return fc.boolean().map(String);
    case 'null':
      return fc.constant('null');
    case 'array':
      return fc
        .array(s.items ? fromSchema(s.items) : nastyJson, { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) })
        .map((items) => `[${items.join(',')}]`);
    case 'object': {
      const props = Object.entries(s.properties ?? {}).map(([name, schema]) => {
        const value = fromSchema(schema).map((v) => `${JSON.stringify(name)}:${v}`);
        return s.required?.includes(name) ? value : fc.option(value, { nil: undefined });
      });
      const extraKeys = s.propertyNames ? stringFor(s.propertyNames) : binaryString;
      const extra =
        s.additionalProperties === false
          ? fc.oneof({ weight: 8, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.tuple(binaryString, nastyJson).map((e) => [e]) })
          : fc.array(fc.tuple(extraKeys, typeof s.additionalProperties === 'object' ? fromSchema(s.additionalProperties) : nastyJson), { maxLength: 3 });
      return fc
        .tuple(fc.tuple(...props), extra)
        .map(([own, more]) => `{${[...own.filter((p) => p !== undefined), ...more.map(([k, v]) => `${JSON.stringify(k)}:${v}`)].join(',')}}`);
    }
    default:
      return nastyJson;
  }
}

/** A string for a string schema; `stringFor` values also go into URLs, so they are JS strings, not JSON text. */
function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  if (s.enum) return fc.constantFrom(...s.enum.map(String));
  if (s.format === 'uuid') return fc.oneof(fc.constantFrom(...knownIds), fc.uuid());
  if (s.format === 'date-time') return fc.date({ min: new Date(Date.now() + 86_400_000), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'email') return fc.emailAddress();
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 60, 60));
  return fc.oneof({ weight: 4, arbitrary: fc.string({ minLength, maxLength }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) });
}

/** Header values fetch can send (bytes 0x21-0xFF, no control characters), odd or enormous. */
const oddHeader = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x21, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 60 }),
  fc.constantFrom('', 'hm_', `hm_${'A'.repeat(32)}`, `hm_${'Z'.repeat(31)}\u00ff`, 'a'.repeat(8000), 'null', 'undefined', '1.2.3.4:5678', 'not-an-ip', 'fe80::1%eth0', 'application/json; charset=utf-16'),
);
const ODD_HEADER_NAMES = ['x-api-key', 'content-type', 'accept', 'origin', 'cookie', 'x-csrf-token', 'x-forwarded-for', 'user-agent', 'sec-fetch-site', 'x-request-id'];
/** Usually none, so that most requests get past authentication to validation and beyond. */
const oddHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...ODD_HEADER_NAMES), oddHeader, { minKeys: 1, maxKeys: 2 }) });

/** Path and query parameters from the operation's own list. */
function urlFor(path: string, op: OpenApiOperation): fc.Arbitrary<string> {
  const params = op.parameters ?? [];
  const values = params.map((p) => {
    const value = fc.oneof({ weight: 5, arbitrary: p.schema.type === 'integer' ? conforming(p.schema) : stringFor(p.schema) }, { weight: 1, arbitrary: binaryString });
    return p.required || p.in === 'path' ? value : fc.option(value, { nil: undefined });
  });
  return fc.tuple(...values).map((vs) => {
    let resolved = path;
    const query = new URLSearchParams();
    params.forEach((p, i) => {
      // Lone surrogates cannot be percent-encoded; they stand for themselves in bodies, and as U+FFFD in URLs.
      const v = vs[i]?.replace(/[\uD800-\uDFFF]/gu, '\uFFFD');
      if (v === undefined) return;
      if (p.in === 'path') resolved = resolved.replace(`{${p.name}}`, encodeURIComponent(v) || 'x');
      else if (p.in === 'query') query.append(p.name, v);
    });
    return `${resolved}${query.size ? `?${query}` : ''}`;
  });
}

describe('schema-driven fuzzing of the OpenAPI document', () => {
  it('finds every route in the document, /kb/{id} included', () => {
    const routes = operations.map((o) => `${o.method} ${o.path}`);
    expect(routes).toContain('GET /api/v1/kb/{id}');
    expect(routes.length).toBeGreaterThanOrEqual(10);
  });

  it('never answers 5xx or non-JSON to inputs generated from each operation’s schema', async () => {
    const request = fc.constantFrom(...operations).chain(({ method, path, op }) =>
      fc.record({
        method: fc.constant(method),
        url: urlFor(path, op),
        body: fc.option(op.requestBody?.content['application/json'] ? fromSchema(op.requestBody.content['application/json'].schema) : nastyJson, { freq: 6, nil: undefined }),
        keyed: fc.constant(Boolean(op.security?.some((s) => 'ApiKey' in s))),
        // Mostly with the key, so validation and the services are reached rather than the 401.
        withKey: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
        odd: oddHeaders,
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, async ({ method, url, body, keyed, withKey, odd }) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(keyed && withKey ? { 'x-api-key': user.key } : {}), ...odd };
        const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        const res = await fetch(`${server.url}${url}`, { method, headers, ...(sendsBody ? { body } : {}) });
        expect(await verdict(res, method), `${method} ${url} headers=${JSON.stringify(odd).slice(0, 100)} body=${String(body).slice(0, 160)}`).toBeNull();
      }),
      { numRuns: 400 },
    );
  }, FUZZ_TIMEOUT);

  it('never answers 5xx or non-JSON to random bodies, headers, query strings and methods on any documented path', async () => {
    const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;
    const paths = [...new Set(operations.map((o) => o.path))];
    const anyBody = fc.oneof(
      nastyJson,
      fc.string({ maxLength: 200 }),
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.constant(`{"query":"${'x'.repeat(70000)}"}`),
      fc.constantFrom("{\"query\": \"'; drop table users; --\", \"sources\": \"kb\"}", '{"query":"\\u0000\\ud800"}', '{"query":"x","sources":"kb"'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.constantFrom(...METHODS),
        fc.option(anyBody, { nil: undefined }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', ''),
        fc.option(fc.constantFrom('valid', 'odd', 'empty'), { nil: undefined }),
        fc.dictionary(fc.constantFrom('action', 'days', 'query', 'x', '__proto__', 'a[b]'), fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        fc.oneof(fc.constantFrom(...knownIds), fc.uuid(), fc.string({ maxLength: 40 }).map(encodeURIComponent)),
        oddHeader,
        async (path, method, body, contentType, keyKind, query, id, odd) => {
          const url = new URL(`${server.url}${path.replace(/\{[^}]+\}/g, id || 'x')}`);
          for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
          const headers: Record<string, string> = { 'x-odd': odd };
          if (contentType) headers['content-type'] = contentType;
          if (keyKind === 'valid') headers['x-api-key'] = user.key;
          else if (keyKind === 'odd') headers['x-api-key'] = odd;
          else if (keyKind === 'empty') headers['x-api-key'] = '';
          const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
          const res = await fetch(url, { method, headers, ...(sendsBody ? { body } : {}) });
          expect(await verdict(res, method), `${method} ${url.pathname}${url.search} body=${String(body).slice(0, 120)}`).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  }, FUZZ_TIMEOUT);
});

describe('fuzzing tRPC', () => {
  /** Every procedure with its kind and its input's JSON Schema, from the router itself. */
  const procedures = Object.entries(appRouter._def.procedures).map(([path, p]) => {
    const def = (p as unknown as { _def: { type: string; meta?: ProcedureMeta; inputs: z.ZodType[] } })._def;
    const input = def.inputs[0];
    return { path, query: def.type === 'query', auth: def.meta?.auth, schema: (input ? z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) : {}) as JsonSchema };
  });

  /** Fuzzed sign-outs end the session; sign in again so admin procedures keep being reached. */
  async function adminHeaders(): Promise<Record<string, string>> {
    if (!admin) admin = await signInAs(server, 'owner').catch(() => undefined);
    return admin ? { cookie: admin.cookie, 'x-csrf-token': admin.csrfToken } : {};
  }

  /** The same for the customer realm: the portal's procedures are reached past their guard. */
  async function customerHeaders(): Promise<Record<string, string>> {
    customerSession ??= await signInCustomer(server, customer.email, customer.password).catch(() => undefined);
    return customerSession ? { cookie: customerSession.cookie, 'x-csrf-token': customerSession.csrfToken } : {};
  }

  async function call(path: string, query: boolean, input: string | undefined, headers: Record<string, string>): Promise<Response> {
    const all = { 'content-type': 'application/json', ...headers };
    return query
      ? fetch(`${server.url}/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(input)}`}`, { headers: all })
      : fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: all, ...(input === undefined ? {} : { body: input }) });
  }

  it('finds every procedure, with an input schema where it takes one', () => {
    expect(procedures.length).toBeGreaterThanOrEqual(40);
    expect(procedures.filter((p) => p.schema.type === 'object').length).toBeGreaterThanOrEqual(25);
  });

  it('never answers 5xx or non-JSON to inputs generated from each procedure’s schema', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...procedures).chain((p) => fc.tuple(fc.constant(p), fc.option(fromSchema(p.schema), { freq: 8, nil: undefined }), fc.integer({ min: 0, max: 4 }).map((n) => n > 0), oddHeaders)),
        async ([p, input, asRightCaller, odd]) => {
          const credentials =
            p.auth === 'key' ? { 'x-api-key': user.key } : p.auth === 'admin' ? await adminHeaders() : p.auth === 'customer' ? await customerHeaders() : {};
          const res = await call(p.path, p.query, input, { ...(asRightCaller ? credentials : {}), ...odd });
          if (p.auth === 'admin' && res.status === 401 && asRightCaller && credentials.cookie && !odd.cookie) admin = undefined;
          if (p.auth === 'customer' && res.status === 401 && asRightCaller && credentials.cookie && !odd.cookie) customerSession = undefined;
          expect(await verdict(res, p.query ? 'GET' : 'POST', 'trpc'), `${p.path} odd=${JSON.stringify(odd).slice(0, 100)} input=${String(input).slice(0, 160)}`).toBeNull();
        },
      ),
      { numRuns: 500 },
    );
  }, FUZZ_TIMEOUT);

  it('never answers 5xx or non-JSON to random inputs on any procedure', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...procedures), fc.boolean(), nastyJson, fc.option(fc.constantFrom('valid', 'random'), { nil: undefined }), async (p, asQuery, input, keyKind) => {
        const headers: Record<string, string> = {};
        if (keyKind === 'valid') headers['x-api-key'] = user.key;
        if (keyKind === 'random') headers['x-api-key'] = 'hm_' + 'Z'.repeat(32);
        const res = await call(p.path, asQuery, input, headers);
        expect(await verdict(res, asQuery ? 'GET' : 'POST', 'trpc'), `${asQuery ? 'GET' : 'POST'} ${p.path} input=${input.slice(0, 120)}`).toBeNull();
      }),
      { numRuns: 300 },
    );
  }, FUZZ_TIMEOUT);

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
});

describe('after the fuzzing', () => {
  it('is still up and correct', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${server.url}/api/v1/data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': user.key },
      body: JSON.stringify({ query: 'still fine', sources: 'kb' }),
    });
    expect(res.status).toBe(200);
  });

  it('left every counter equal to its ledger: nothing admitted was lost, whatever the inputs', async () => {
    const { services } = server;
    // Each user's counter against the units in their ledger rows (since any reset), after flushing the ledger.
    expect(await counterLedgerMismatches(services)).toEqual([]);
    const pool = await nativePool(services.orm.em.fork());
    const { rows } = await pool.query<{ counted: number; recorded: number; rows: number }>(
      `select (select coalesce(sum(used), 0)::int from demo_counters) as counted,
              (select coalesce(sum(units), 0)::int from usage_events where user_id is null) as recorded,
              (select count(*)::int from usage_events) as rows`,
    );
    expect(rows[0]?.counted).toBe(rows[0]?.recorded);
    // The fuzz did reach the metered paths, or this would prove nothing. How often it does is up to the
    // random inputs (about 40 rows a run, once only 10), so any row at all is the bar, not a count.
    expect(rows[0]?.rows).toBeGreaterThan(0);
  });
});

// Last: whatever the fuzz sent, each answer on a documented route is documented, status, headers and body.
it('every /api/v1 answer to the fuzz matches the OpenAPI document exactly', async () => {
  expect(await expectResponsesMatchDocument(server)).toBeGreaterThan(0);
});
