import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserWithKey, postData, setUsedThisPeriod, TEST_ACTOR, type UserWithKey } from '../testing/fixtures.ts';
import { restRoutes } from '../testing/guards.ts';
import { expectResponsesMatchDocument, ResponseChecker, servedDocument } from '../testing/openapi.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);

let server: TestServer;
let free: UserWithKey;
let unlimited: UserWithKey;
let suspended: UserWithKey;
let doc: Record<string, unknown> & { paths: Record<string, Record<string, { operationId?: string }>> };
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ env: { BODY_LIMIT_BYTES: '4096', DEMO_MONTHLY_QUOTA: '2' } });
  free = await createUserWithKey(server.services, { tier: 'Free' });
  unlimited = await createUserWithKey(server.services, { tier: 'Enterprise' });
  suspended = await createUserWithKey(server.services);
  await server.services.users.setStatus(server.orm.em.fork(), suspended.userId, 'suspended', TEST_ACTOR);
  doc = (await servedDocument(server)) as typeof doc;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harmonic-openapi-'));
  fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc, null, 2));
  // For a look at the document as served: OPENAPI_DUMP=/tmp/openapi.json npx vitest run server/rest/openapi.int.test.ts
  if (process.env['OPENAPI_DUMP']) fs.copyFileSync(path.join(dir, 'openapi.json'), process.env['OPENAPI_DUMP']);
});
afterAll(async () => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  await server?.close();
});

const api = (p: string, init: RequestInit & { key?: string; json?: unknown } = {}) => {
  const { key, json, ...rest } = init;
  const headers: Record<string, string> = { ...(key !== undefined ? { 'x-api-key': key } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) };
  return fetch(`${server.url}/api/v1${p}`, { ...rest, headers: { ...headers, ...(rest.headers as Record<string, string> | undefined) }, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) });
};

describe('the OpenAPI document is true', () => {
  it('every operation has an operationId, unique, and every route Fastify registered under /api/v1 is in it', () => {
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} /api/v1${p.replace(/\{([A-Za-z]+)\}/g, ':$1')}`)),
    );
    const served = restRoutes(server, '/api/v1').filter((r) => !r.methodNotAllowed && r.method !== 'HEAD' && !r.url.startsWith('/api/v1/docs') && r.url !== '/api/v1/openapi.json');
    expect(served.map((r) => r.route).filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.some((s) => s.route === r))).toEqual([]);
  });

  it('every response the server sends, for every route and every status it answers, is documented exactly', async () => {
    const ok = (res: Response, status: number) => expect(res.status, res.url).toBe(status);
    const kb = await server.orm.em.fork().execute<{ id: string }[]>('select id from kb_entries order by id limit 1');
    const kbId = kb[0]?.id ?? '';
    const missing = '00000000-0000-4000-8000-000000000000';

    // /data
    ok(await api('/data'), 200);
    ok(await api('/data', { method: 'HEAD' }), 200);
    ok(await api('/data', { method: 'OPTIONS' }), 200);
    ok(await api('/data', { method: 'PUT', key: free.key }), 405);
    ok(await postData(server.url, { query: 'rate limits', sources: 'kb' }, free.key), 200);
    ok(await postData(server.url, { query: 'rate limits', sources: ['kb'] }, unlimited.key), 200);
    ok(await postData(server.url, { query: 'rate limits', sources: 'kb' }), 200);
    ok(await postData(server.url, { query: '' }, free.key), 400);
    ok(await postData(server.url, { query: 'x' }, free.key, { authorization: `Bearer ${unlimited.key}` }), 400);
    ok(await postData(server.url, { query: 'x' }, 'hm_not-a-key'), 401);
    ok(await postData(server.url, { query: 'x' }, suspended.key), 403);
    ok(await postData(server.url, { query: 'x'.repeat(5000) }, free.key), 413);
    ok(await api('/data', { method: 'POST', key: free.key, headers: { 'content-type': 'text/plain' }, body: 'x' }), 415);

    // /kb/{id}
    ok(await api(`/kb/${kbId}`, { key: free.key }), 200);
    ok(await api(`/kb/${kbId}`, { method: 'HEAD', key: free.key }), 200);
    ok(await api(`/kb/${kbId}`), 200);
    ok(await api(`/kb/${missing}`, { key: free.key }), 404);
    ok(await api('/kb/nope', { key: free.key }), 400);
    ok(await api(`/kb/${kbId}`, { method: 'OPTIONS' }), 204);
    ok(await api(`/kb/${kbId}`, { method: 'DELETE' }), 405);
    // The demo quota (2) is spent by now: both metered routes answer 429.
    ok(await api(`/kb/${kbId}`), 429);
    ok(await postData(server.url, { query: 'x', sources: 'kb' }), 429);

    // /usage, /usage/track
    ok(await api('/usage', { key: free.key }), 200);
    ok(await api('/usage?action=analytics&days=7', { key: free.key }), 200);
    ok(await api('/usage?action=nope', { key: free.key }), 400);
    ok(await api('/usage'), 401);
    ok(await api('/usage/track', { method: 'POST', key: free.key, json: { endpoint: 'pdf-render', units: 2 } }), 201);
    ok(await api('/usage/track', { method: 'POST', key: unlimited.key, json: { endpoint: 'pdf-render' } }), 201);
    ok(await api('/usage/track', { method: 'POST', key: free.key, json: { units: 0 } }), 400);
    ok(await api('/usage/track', { method: 'POST', key: free.key }), 400);
    await setUsedThisPeriod(server.services, free.userId, 1000);
    ok(await api('/usage/track', { method: 'POST', key: free.key, json: { endpoint: 'pdf-render' } }), 429);
    ok(await postData(server.url, { query: 'x', sources: 'kb' }, free.key), 429);
    await setUsedThisPeriod(server.services, free.userId, 0);

    // /keys, /keys/{id}, /keys/{id}/rotate
    ok(await api('/keys', { key: free.key }), 200);
    const created = await api('/keys', { method: 'POST', key: free.key, json: { name: 'ci', metadata: { env: 'ci' } } });
    ok(created, 201);
    const { id } = (await created.json()) as { id: string };
    ok(await api('/keys', { method: 'POST', key: free.key, json: { name: '' } }), 400);
    ok(await api('/keys', { method: 'PATCH', key: free.key }), 405);
    const rotated = await api(`/keys/${id}/rotate`, { method: 'POST', key: free.key, json: { gracePeriodSeconds: 60 } });
    ok(rotated, 201);
    const { key: replacement } = (await rotated.json()) as { key: { id: string } };
    const again = await api(`/keys/${id}/rotate`, { method: 'POST', key: free.key });
    ok(again, 409);
    ok(await api(`/keys/${replacement.id}/rotate`, { method: 'POST', key: free.key, json: { gracePeriodSeconds: -1 } }), 400);
    ok(await api(`/keys/${missing}/rotate`, { method: 'POST', key: free.key }), 404);
    ok(await api(`/keys/${replacement.id}`, { method: 'DELETE', key: free.key }), 200);
    ok(await api(`/keys/${replacement.id}`, { method: 'DELETE', key: 'hm_not-a-key' }), 401);
    ok(await api(`/keys/${missing}`, { method: 'DELETE', key: free.key }), 404);

    const checked = await expectResponsesMatchDocument(server);
    expect(checked).toBeGreaterThan(40);
  });

  it('the response check catches an undocumented status, header or field', () => {
    const checker = new ResponseChecker(doc);
    const good = server.responses.find((r) => r.route === '/api/v1/usage/track' && r.status === 201);
    if (!good) throw new Error('no tracked call was recorded');
    expect(checker.problems(good)).toEqual([]);
    expect(checker.problems({ ...good, status: 202 })).toEqual(['POST /usage/track → 202: status not documented']);
    expect(checker.problems({ ...good, headers: { ...good.headers, 'x-surprise': '1' } })).toEqual(['POST /usage/track → 201: header x-surprise is not documented']);
    const { 'x-ratelimit-limit': _dropped, ...fewer } = good.headers;
    expect(checker.problems({ ...good, headers: fewer })).toEqual(['POST /usage/track → 201: required header x-ratelimit-limit is missing']);
    const body = JSON.stringify({ ...JSON.parse(good.body ?? '{}'), surprise: true });
    expect(checker.problems({ ...good, body })[0]).toMatch(/must NOT have additional properties/);
  });
});

describe('the document works with outside tools', () => {
  it('passes redocly lint with the recommended rules (redocly.yaml): no error, no warning', async () => {
    const { stdout, stderr } = await run(bin('redocly'), ['lint', 'openapi.json', '--config', path.join(root, 'redocly.yaml'), '--format', 'json'], { cwd: dir, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' } }).catch(
      (err: { stdout: string; stderr: string }) => err,
    );
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`), stderr).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('openapi-typescript generates types that a strict openapi-fetch client compiles against', async () => {
    await run(bin('openapi-typescript'), ['openapi.json', '-o', 'api.d.ts'], { cwd: dir });
    fs.writeFileSync(
      path.join(dir, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './api.d.ts';

const client = createClient<paths>({ baseUrl: 'http://localhost:3000/api/v1', headers: { 'X-API-Key': 'hm_x' } });

export async function demo(): Promise<number> {
  const answer = await client.POST('/data', { body: { query: 'rate limiting', sources: 'kb', limit: 3 } });
  const many = await client.POST('/data', { body: { query: 'rate limiting', sources: ['kb', 'wiki'] } });
  if (answer.data) answer.data.merged.map((item) => item.title.toUpperCase());
  if (many.error) many.error.error.message.trim();
  const tracked = await client.POST('/usage/track', { body: { endpoint: 'pdf-render', units: 2 } });
  const remaining: number | null | undefined = tracked.data?.remaining;
  const entry = await client.GET('/kb/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } });
  const usage = await client.GET('/usage', { params: { query: { action: 'analytics', days: 7 } } });
  const keys = await client.GET('/keys');
  const rotated = await client.POST('/keys/{id}/rotate', { params: { path: { id: 'x' } } });
  const revoked = await client.DELETE('/keys/{id}', { params: { path: { id: 'x' } } });
  return (entry.data?.title.length ?? 0) + (usage.data ? 1 : 0) + (keys.data?.keys.length ?? 0) + (rotated.data?.key.key.length ?? 0) + (revoked.data?.usageCount ?? 0) + (remaining ?? 0);
}
`,
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          allowImportingTsExtensions: true,
          skipLibCheck: false,
          types: [],
          typeRoots: [path.join(root, 'node_modules/@types')],
        },
        files: ['client.ts'],
      }),
    );
    // The temp dir resolves openapi-fetch from this project's node_modules.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const result = await run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dir }).catch((err: { stdout: string }) => ({ stdout: err.stdout, failed: true }));
    expect(result.stdout).toBe('');
  });
});
