import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPC_MAX_BATCH } from '../../shared/trpc.ts';
import { createUserWithKey, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { appRouter } from './root.ts';

let server: TestServer;
let user: UserWithKey;

beforeAll(async () => {
  server = await startTestServer();
  user = await createUserWithKey(server.services);
});
afterAll(() => server.close());

const batchGet = (paths: string[]) =>
  fetch(`${server.url}/trpc/${paths.join(',')}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, { headers: { 'x-api-key': user.key } });

describe('batched tRPC GET calls', () => {
  it('answer every procedure of a long batch (far over 200 characters of path), up to the limit', async () => {
    const paths = Array.from({ length: TRPC_MAX_BATCH }, (_, i) => (i % 2 ? 'keys.list' : 'usage.current'));
    expect(paths.join(',').length).toBeGreaterThan(200);
    const res = await batchGet(paths);
    expect(res.status).toBe(200);
    const results = (await res.json()) as { result?: { data: unknown }; error?: unknown }[];
    expect(results).toHaveLength(TRPC_MAX_BATCH);
    expect(results[0]?.result?.data).toMatchObject({ userId: user.userId });
    expect(results[1]?.result?.data).toEqual([expect.objectContaining({ id: user.keyId })]);
    expect(results.every((r) => r.result && !r.error)).toBe(true);
  });

  it('refuse a batch over the limit with a 400 that says so, before running any of it', async () => {
    const res = await batchGet(Array.from({ length: TRPC_MAX_BATCH + 1 }, () => 'usage.current'));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('Batch call exceeds maximum size');
  });

  it('refuse a path longer than any allowed batch with a 400 JSON error, not a 404 or 500', async () => {
    const longest = Object.keys(appRouter._def.procedures).reduce((a, b) => (b.length > a.length ? b : a));
    const res = await batchGet(Array.from({ length: TRPC_MAX_BATCH + 1 }, () => longest));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain(`at most ${TRPC_MAX_BATCH} procedures`);
  });
});
