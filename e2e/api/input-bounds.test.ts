import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type AdminSessionCookie } from '../../server/testing/admin.ts';
import { counterLedgerMismatches, createUserWithKey, type UserWithKey } from '../../server/testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../server/testing/server.ts';

/**
 * Inputs that used to get past validation and break something further down:
 * strings PostgreSQL cannot store (500s, 503s that claimed an outage, and a
 * track call that was counted but never reached the ledger), and JSON nested
 * deep enough to overflow the stack. Each must be a 400 naming the field, on
 * both transports, and leave the counter equal to the ledger.
 */
let server: TestServer;
let user: UserWithKey;
let admin: AdminSessionCookie;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal' } });
  user = await createUserWithKey(server.services, { tier: 'Enterprise' });
  admin = await signInAs(server, 'owner');
});
afterAll(() => server.close());

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';

/** JSON text of `{ "a": { "a": … 1 } }`, `depth` objects deep (a value this deep cannot go through JSON.stringify). */
const deepObjectJson = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** JSON text of a list nested `depth` levels deep. */
const deepListJson = (depth: number) => '['.repeat(depth) + '"kb"' + ']'.repeat(depth);

async function rest(method: string, path: string, body: string, key = user.key) {
  const res = await fetch(`${server.url}/api/v1${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': key }, body });
  return { status: res.status, body: (await res.json()) as { error: { code: string; message: string; issues?: { field: string; message: string }[] } } };
}

/** A mutation is POSTed; a query (a path ending in list) is a GET with `?input=`, as tRPC wants. */
async function trpc(path: string, input: string, headers: Record<string, string>) {
  const res = path.endsWith('.list')
    ? await fetch(`${server.url}/trpc/${path}?input=${encodeURIComponent(input)}`, { headers })
    : await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: input });
  const body = (await res.json()) as { error?: { message: string; data?: { httpStatus: number; issues?: { field: string; message: string }[] } } };
  return { status: res.status, message: body.error?.message ?? '', fields: body.error?.data?.issues?.map((i) => i.field) ?? [] };
}

const asKey = () => ({ 'x-api-key': user.key });
const asAdmin = () => ({ cookie: admin.cookie, 'x-csrf-token': admin.csrfToken });

const storableMessage = /must not contain NUL characters .* or unpaired UTF-16 surrogates/;

describe('strings PostgreSQL cannot store', () => {
  it.each([
    ['NUL', NUL],
    ['a lone surrogate', LONE],
  ])('%s in a key name or its metadata is a 400 naming the field (REST)', async (_what, bad) => {
    for (const [body, field] of [
      [{ name: bad }, 'name'],
      [{ name: 'ok', metadata: { note: bad } }, 'metadata.note'],
      [{ name: 'ok', metadata: { [bad]: 1 } }, `metadata.${bad}`],
      [{ name: 'ok', metadata: { a: { b: [bad] } } }, 'metadata.a.b.0'],
    ] as const) {
      const res = await rest('POST', '/keys', JSON.stringify(body));
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.issues).toEqual([{ field, message: expect.stringMatching(storableMessage) }]);
    }
  });

  it('the same on tRPC, for keys and for the admin mutations that answered 503', async () => {
    const cases: [string, unknown, Record<string, string>, string][] = [
      ['keys.create', { name: NUL }, asKey(), 'name'],
      ['keys.create', { name: 'ok', metadata: { [LONE]: 1 } }, asKey(), `metadata.${LONE}`],
      ['admin.users.create', { email: 'nul@example.com', name: NUL }, asAdmin(), 'name'],
      ['admin.users.list', { search: NUL }, asAdmin(), 'search'],
      ['admin.tiers.create', { name: LONE, monthlyQuota: 10, priceCents: null }, asAdmin(), 'name'],
      ['admin.tiers.create', { name: 'T', monthlyQuota: 10, priceCents: null, description: NUL }, asAdmin(), 'description'],
      ['admin.kb.create', { title: NUL, body: 'b' }, asAdmin(), 'title'],
      ['admin.kb.create', { title: 't', body: 'b', tags: [LONE] }, asAdmin(), 'tags.0'],
      ['admin.audit.list', { actor: NUL }, asAdmin(), 'actor'],
      ['auth.signIn', { email: NUL, password: 'x' }, {}, 'email'],
    ];
    for (const [path, input, headers, field] of cases) {
      const res = await trpc(path, JSON.stringify(input), headers);
      expect({ path, status: res.status, fields: res.fields }).toEqual({ path, status: 400, fields: [field] });
      expect(res.message).toMatch(storableMessage);
    }
  });

  it('a tracked endpoint PostgreSQL cannot store is refused before it is counted, so the counter stays equal to the ledger', async () => {
    const before = await server.services.usage.current(server.orm.em.fork(), user.userId);
    for (const endpoint of [NUL, LONE, `/v1/${'\u0000'.repeat(3)}`]) {
      const res = await rest('POST', '/usage/track', JSON.stringify({ endpoint }));
      expect(res.status).toBe(400);
      expect(res.body.error.issues).toEqual([{ field: 'endpoint', message: expect.stringMatching(storableMessage) }]);
      const viaTrpc = await trpc('usage.track', JSON.stringify({ endpoint: 'ok', source: endpoint }), asKey());
      expect(viaTrpc.status).toBe(400);
      expect(viaTrpc.fields).toEqual(['source']);
    }
    expect(await rest('POST', '/usage/track', JSON.stringify({ endpoint: '/v1/fine 😀' }))).toMatchObject({ status: 201 });
    const after = await server.services.usage.current(server.orm.em.fork(), user.userId);
    expect(after.used).toBe(before.used + 1);
    expect(await counterLedgerMismatches(server.services, [user.userId])).toEqual([]);
  });
});

describe('deep nesting', () => {
  it('metadata nested thousands of levels deep is a 400 naming it, on REST and tRPC, without a stack overflow', async () => {
    const body = `{"name":"deep","metadata":${deepObjectJson(5000)}}`;
    const res = await rest('POST', '/keys', body);
    expect(res.status).toBe(400);
    expect(res.body.error.issues?.[0]?.field).toMatch(/^metadata(\.|$)/);
    expect(res.body.error.message).not.toMatch(/call stack/i);

    const viaTrpc = await trpc('keys.create', body, asKey());
    expect(viaTrpc.status).toBe(400);
    expect(viaTrpc.fields[0]).toMatch(/^metadata(\.|$)/);
    expect(viaTrpc.message).not.toMatch(/call stack/i);
  });

  it('deep nesting in fields that are not free-form is a 400 naming the field, too', async () => {
    for (const depth of [40, 5000, 50_000]) {
      const data = await rest('POST', '/data', `{"query":"x","sources":${deepListJson(depth)}}`);
      expect(data.status, `sources ${depth}`).toBe(400);
      expect(data.body.error.issues?.[0]?.field).toMatch(/^sources/);

      const key = await rest('POST', '/keys', `{"name":${deepListJson(depth)}}`);
      expect(key.status, `name ${depth}`).toBe(400);
      expect(key.body.error.issues?.[0]?.field).toBe('name');

      for (const [path, input, headers] of [
        ['data.fetch', `{"query":"x","sources":${deepListJson(depth)}}`, asKey()],
        ['admin.users.list', `{"search":${deepListJson(depth)}}`, asAdmin()],
        ['admin.kb.create', `{"title":"t","body":"b","tags":${deepListJson(depth)}}`, asAdmin()],
      ] as const) {
        const res = await trpc(path, input, headers);
        // A query carries its input in the URL; past Node's header limit that is a 431 before tRPC sees it.
        expect(path.endsWith('.list') && depth > 2000 ? [400, 431] : [400], `${path} ${depth} ${res.message}`).toContain(res.status);
        expect(res.message).not.toMatch(/call stack/i);
      }
    }
  });
});
