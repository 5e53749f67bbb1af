import { TRPCError } from '@trpc/server';
import { expect, it } from 'vitest';
import type { CookieRequest } from '../context.ts';
import { appRouter } from '../routers/root.ts';
import type { ProcedureMeta } from '../trpc.ts';
import { createTestCaller, type TestServer } from './server.ts';

interface ProcedureInfo {
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  meta: ProcedureMeta;
}

export function procedures(auth: ProcedureMeta['auth']): ProcedureInfo[] {
  return Object.entries(appRouter._def.procedures)
    .map(([path, p]) => {
      const def = (p as unknown as { _def: { meta?: ProcedureMeta; type: ProcedureInfo['type'] } })._def;
      return { path, type: def.type, meta: def.meta ?? {} };
    })
    .filter((p) => p.meta.auth === auth);
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`;
  }
}

/** Calls `path` (e.g. `admin.users.list`) through createCaller with the given credentials and no input. */
function invoke(server: TestServer, path: string, ctx: { apiKeyHeader?: string; cookies?: CookieRequest }): Promise<unknown> {
  let target: unknown = createTestCaller(server.services, ctx);
  for (const part of path.split('.')) target = (target as Record<string, unknown>)[part];
  if (typeof target !== 'function') throw new Error(`no procedure ${path}`);
  return (target as (input?: unknown) => Promise<unknown>)(undefined);
}

/**
 * Runs every keyed procedure with no credential, a bad credential and the
 * wrong standing (a suspended user's key), as Unkey's runCommonRouteTests does:
 * a new procedure gets these checks by existing, not by someone remembering.
 */
export function runCommonKeyedProcedureTests(getServer: () => TestServer, credentials: () => { suspendedUserKey: string }): void {
  const paths = procedures('key').map((p) => p.path);

  it('finds the keyed procedures to check', () => {
    expect(paths.length).toBeGreaterThanOrEqual(8);
  });

  it.each(paths)('%s: no X-API-Key → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, {}))).toBe('UNAUTHORIZED');
  });

  it.each(paths)('%s: a bad key → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, { apiKeyHeader: 'hm_not-a-key' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(invoke(getServer(), path, { apiKeyHeader: 'hm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))).toBe('UNAUTHORIZED');
  });

  it.each(paths)("%s: a suspended user's key → FORBIDDEN", async (path) => {
    expect(await codeOf(invoke(getServer(), path, { apiKeyHeader: credentials().suspendedUserKey }))).toBe('FORBIDDEN');
  });
}

/**
 * Runs every admin procedure anonymously (UNAUTHORIZED), with a valid API key
 * and no session (UNAUTHORIZED: a key never grants admin access), and as a
 * viewer calling a mutation or an owner-only procedure (FORBIDDEN).
 */
export function runCommonAdminProcedureTests(
  getServer: () => TestServer,
  credentials: () => { apiKey: string; viewer: { sessionToken: string; csrfToken: string } },
): void {
  const all = procedures('admin');
  const forbiddenToViewers = all.filter((p) => (p.type === 'mutation' && !p.meta.selfService) || p.meta.role === 'owner');

  it('finds the admin procedures to check', () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(forbiddenToViewers.length).toBeGreaterThanOrEqual(15);
  });

  it.each(all.map((p) => p.path))('%s: anonymous → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, {}))).toBe('UNAUTHORIZED');
  });

  it.each(all.map((p) => p.path))('%s: an API key and no session → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, { apiKeyHeader: credentials().apiKey }))).toBe('UNAUTHORIZED');
  });

  it.each(all.map((p) => p.path))('%s: an expired or made-up session → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, { cookies: { sessionToken: 'x'.repeat(43), csrfToken: 'y' } }))).toBe('UNAUTHORIZED');
  });

  it.each(forbiddenToViewers.map((p) => p.path))('%s: a viewer → FORBIDDEN', async (path) => {
    const { viewer } = credentials();
    expect(await codeOf(invoke(getServer(), path, { cookies: viewer }))).toBe('FORBIDDEN');
  });
}
