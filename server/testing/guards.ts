import { TRPCError } from '@trpc/server';
import { expect, it } from 'vitest';
import { appRouter } from '../routers/root.ts';
import type { ProcedureMeta } from '../trpc.ts';
import { createTestCaller, type TestServer } from './server.ts';

type AnyCaller = Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;

export function proceduresWithAuth(auth: ProcedureMeta['auth']): string[] {
  return Object.entries(appRouter._def.procedures)
    .filter(([, p]) => (p as unknown as { _def: { meta?: ProcedureMeta } })._def.meta?.auth === auth)
    .map(([path]) => path);
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `not a TRPCError: ${String(err)}`;
  }
}

function invoke(server: TestServer, path: string, apiKeyHeader: string | undefined): Promise<unknown> {
  const [ns, name] = path.split('.') as [string, string];
  const caller = createTestCaller(server.services, { apiKeyHeader }) as unknown as AnyCaller;
  const proc = caller[ns]?.[name];
  if (!proc) throw new Error(`no procedure ${path}`);
  return proc(undefined);
}

/**
 * Runs every keyed procedure with no credential, a bad credential and the
 * wrong standing (a suspended user's key), as Unkey's runCommonRouteTests does:
 * a new procedure gets these checks by existing, not by someone remembering.
 */
export function runCommonKeyedProcedureTests(getServer: () => TestServer, credentials: () => { suspendedUserKey: string }): void {
  const paths = proceduresWithAuth('key');

  it('finds the keyed procedures to check', () => {
    expect(paths.length).toBeGreaterThanOrEqual(8);
  });

  it.each(paths)('%s: no X-API-Key → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, undefined))).toBe('UNAUTHORIZED');
  });

  it.each(paths)('%s: a bad key → UNAUTHORIZED', async (path) => {
    expect(await codeOf(invoke(getServer(), path, 'hm_not-a-key'))).toBe('UNAUTHORIZED');
    expect(await codeOf(invoke(getServer(), path, 'hm_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).toBe('UNAUTHORIZED');
  });

  it.each(paths)("%s: a suspended user's key → FORBIDDEN", async (path) => {
    expect(await codeOf(invoke(getServer(), path, credentials().suspendedUserKey))).toBe('FORBIDDEN');
  });
}
