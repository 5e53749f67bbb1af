import { expect, it } from 'vitest';
import { MANAGEMENT_SCOPES, type ManagementScope } from '../../shared/management.ts';
import { registeredRoutes } from '../route-table.ts';
import { appRouter } from '../routers/root.ts';
import type { ProcedureMeta } from '../trpc.ts';
import type { AdminSessionCookie } from './admin.ts';
import type { CustomerSessionCookie } from './customers.ts';
import type { TestServer } from './server.ts';

/**
 * The shared security suites, in the spirit of Unkey's runCommonRouteTests: a
 * new procedure or REST route gets these checks by existing, not by someone
 * remembering. Which checks apply is derived from where a procedure sits in the
 * router (and which routes Fastify registered), never from its own declaration
 * alone: a procedure under `admin.` built on publicProcedure fails here.
 */

type ProcedureType = 'query' | 'mutation' | 'subscription';
export type Guard = 'public' | 'key' | 'admin' | 'customer';

export interface ProcedureInfo {
  path: string;
  type: ProcedureType;
  meta: ProcedureMeta;
}

export function allProcedures(): ProcedureInfo[] {
  return Object.entries(appRouter._def.procedures).map(([path, p]) => {
    const def = (p as unknown as { _def: { meta?: ProcedureMeta; type: ProcedureType } })._def;
    return { path, type: def.type, meta: def.meta ?? {} };
  });
}

/** Procedures by their declared guard (the fuzz test's list of what to throw input at). */
export function procedures(auth: ProcedureMeta['auth']): ProcedureInfo[] {
  return allProcedures().filter((p) => p.meta.auth === auth);
}

/** Where each guard applies, pinned by the test that runs the suites. */
export interface ProcedureLayout {
  /** Every procedure anyone may call, by path. Anything not listed here needs a credential. */
  publicProcedures: readonly string[];
  /** Top-level routers whose other procedures need an admin session. */
  adminRouters: readonly string[];
  /** Top-level routers whose other procedures need an API key. */
  keyedRouters: readonly string[];
  /** Top-level routers whose other procedures need a customer session (the portal). */
  customerRouters: readonly string[];
  /**
   * The customer procedures that take the id of something a customer owns, and of what: given
   * another customer's, each must answer NOT_FOUND. Every other customer procedure must refuse
   * such an id as input or answer only with the caller's own data.
   */
  customerOwnedIds: Readonly<Record<string, OwnedKind>>;
  /** Path prefixes (e.g. `admin.accounts.`) only owners may call. */
  ownerOnly: readonly string[];
}

/** The guard a procedure must sit behind, from its path alone; undefined when the layout does not say. */
export function requiredGuard(layout: ProcedureLayout, path: string): Guard | undefined {
  if (layout.publicProcedures.includes(path)) return 'public';
  const top = path.split('.')[0] ?? '';
  if (layout.adminRouters.includes(top)) return 'admin';
  if (layout.keyedRouters.includes(top)) return 'key';
  if (layout.customerRouters.includes(top)) return 'customer';
  return undefined;
}

interface Credentials {
  apiKey?: string;
  session?: Pick<AdminSessionCookie, 'sessionToken' | 'csrfToken'>;
  customer?: Pick<CustomerSessionCookie, 'sessionToken' | 'csrfToken'>;
}

interface Outcome {
  status: number;
  /** tRPC's error code (`UNAUTHORIZED`), or OK. */
  code: string;
  appCode: unknown;
}

/** Calls a procedure over HTTP, as a client would, with the given credentials and input (empty by default). */
async function callProcedureWithBody(server: TestServer, p: ProcedureInfo, creds: Credentials, input: unknown = {}): Promise<Outcome & { text: string }> {
  const headers: Record<string, string> = {};
  if (creds.apiKey !== undefined) headers['x-api-key'] = creds.apiKey;
  const cookies: string[] = [];
  if (creds.session) cookies.push(`harmonic_session=${creds.session.sessionToken}`);
  if (creds.customer) cookies.push(`harmonic_portal=${creds.customer.sessionToken}`);
  if (cookies.length) headers['cookie'] = cookies.join('; ');
  const csrf = creds.session?.csrfToken ?? creds.customer?.csrfToken;
  if (csrf !== undefined) headers['x-csrf-token'] = csrf;
  const url = `${server.url}/trpc/${p.path}`;
  const res =
    p.type === 'query'
      ? await fetch(input === undefined || (typeof input === 'object' && input !== null && !Object.keys(input).length) ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
      : await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const text = await res.text();
  const body = JSON.parse(text) as { error?: { data?: { code?: string; appCode?: unknown } } };
  return { status: res.status, code: body.error?.data?.code ?? (res.ok ? 'OK' : `HTTP ${res.status}`), appCode: body.error?.data?.appCode, text };
}

async function callProcedure(server: TestServer, p: ProcedureInfo, creds: Credentials): Promise<Outcome> {
  const { status, code, appCode } = await callProcedureWithBody(server, p, creds);
  return { status, code, appCode };
}

/**
 * Pins the public set and the guards' layout: every procedure is either listed
 * as public or sits under a router whose guard the suites below check, and
 * every one without a credential is refused unless it is listed.
 */
export function runProcedureLayoutTests(getServer: () => TestServer, layout: ProcedureLayout): void {
  const all = allProcedures();

  it('every procedure is pinned as public or sits under an admin, keyed or customer router', () => {
    expect(all.filter((p) => requiredGuard(layout, p.path) === undefined).map((p) => p.path)).toEqual([]);
    expect(layout.publicProcedures.filter((path) => !all.some((p) => p.path === path))).toEqual([]);
  });

  it("each procedure's meta.auth says the guard it sits behind", () => {
    const disagree = all.filter((p) => p.meta.auth !== requiredGuard(layout, p.path));
    expect(disagree.map((p) => `${p.path}: meta says ${p.meta.auth}, its place says ${requiredGuard(layout, p.path)}`)).toEqual([]);
    const ownerOnly = (path: string) => layout.ownerOnly.some((prefix) => path.startsWith(prefix));
    expect(all.filter((p) => ownerOnly(p.path) !== (p.meta.role === 'owner')).map((p) => p.path)).toEqual([]);
  });

  it.each(all.map((p) => [p.path, p] as const))('%s without any credential: refused unless pinned public', async (path, p) => {
    const outcome = await callProcedure(getServer(), p, {});
    if (layout.publicProcedures.includes(path)) {
      expect([401, 403]).not.toContain(outcome.status);
    } else {
      expect(outcome).toEqual({ status: 401, code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
    }
  });
}

/**
 * Runs every procedure of the keyed routers with a bad key, a suspended
 * user's key, and an admin session instead of a key.
 */
export function runCommonKeyedProcedureTests(
  getServer: () => TestServer,
  layout: ProcedureLayout,
  credentials: () => {
    suspendedUserKey: string;
    adminSession: Pick<AdminSessionCookie, 'sessionToken' | 'csrfToken'>;
    customerSession: Pick<CustomerSessionCookie, 'sessionToken' | 'csrfToken'>;
  },
): void {
  const keyed = allProcedures().filter((p) => requiredGuard(layout, p.path) === 'key');
  const cases = keyed.map((p) => [p.path, p] as const);

  it('finds the keyed procedures to check', () => {
    expect(keyed.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s: a bad key → UNAUTHORIZED', async (_path, p) => {
    for (const apiKey of ['hm_not-a-key', `hm_${'A'.repeat(32)}`, '']) {
      expect(await callProcedure(getServer(), p, { apiKey })).toEqual({ status: 401, code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
    }
  });

  it.each(cases)("%s: a suspended user's key → FORBIDDEN", async (_path, p) => {
    const outcome = await callProcedure(getServer(), p, { apiKey: credentials().suspendedUserKey });
    expect(outcome).toEqual({ status: 403, code: 'FORBIDDEN', appCode: 'USER_SUSPENDED' });
  });

  it.each(cases)('%s: an admin session and no key → UNAUTHORIZED', async (_path, p) => {
    const outcome = await callProcedure(getServer(), p, { session: credentials().adminSession });
    expect(outcome).toEqual({ status: 401, code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
  });

  it.each(cases)('%s: a customer session and no key → UNAUTHORIZED', async (_path, p) => {
    const outcome = await callProcedure(getServer(), p, { customer: credentials().customerSession });
    expect(outcome).toEqual({ status: 401, code: 'UNAUTHORIZED', appCode: 'UNAUTHORIZED' });
  });
}

/**
 * Runs every procedure of the admin routers with a valid API key and no session
 * (a key never grants admin access), a made-up session, a real session without
 * its CSRF token on a mutation, as a viewer calling a mutation, and as a
 * non-owner admin calling an owner-only procedure.
 */
export function runCommonAdminProcedureTests(
  getServer: () => TestServer,
  layout: ProcedureLayout,
  credentials: () => { apiKey: string; viewer: AdminSessionCookie; admin: AdminSessionCookie; customerSession: Pick<CustomerSessionCookie, 'sessionToken' | 'csrfToken'> },
): void {
  const guarded = allProcedures().filter((p) => requiredGuard(layout, p.path) === 'admin');
  const ownerOnly = guarded.filter((p) => layout.ownerOnly.some((prefix) => p.path.startsWith(prefix)));
  const forbiddenToViewers = guarded.filter((p) => (p.type === 'mutation' && !p.meta.selfService) || ownerOnly.includes(p));
  const mutations = guarded.filter((p) => p.type === 'mutation');
  const refused = (code: 'UNAUTHORIZED' | 'FORBIDDEN') => ({ status: code === 'UNAUTHORIZED' ? 401 : 403, code, appCode: code });
  const cases = (list: ProcedureInfo[]) => list.map((p) => [p.path, p] as const);

  it('finds the admin procedures to check', () => {
    expect(guarded.length).toBeGreaterThan(0);
    expect(ownerOnly.length).toBeGreaterThan(0);
  });

  it.each(cases(guarded))('%s: an API key and no session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { apiKey: credentials().apiKey })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(guarded))('%s: a customer session and no admin session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { customer: credentials().customerSession })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(guarded))('%s: an expired or made-up session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { session: { sessionToken: 'x'.repeat(43), csrfToken: 'y' } })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(mutations))('%s: a session without its CSRF token → FORBIDDEN', async (_path, p) => {
    const { admin } = credentials();
    expect(await callProcedure(getServer(), p, { session: { sessionToken: admin.sessionToken, csrfToken: 'wrong' } })).toEqual(refused('FORBIDDEN'));
  });

  it.each(cases(forbiddenToViewers))('%s: a viewer → FORBIDDEN', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { session: credentials().viewer })).toEqual(refused('FORBIDDEN'));
  });

  it.each(cases(ownerOnly))('%s: an admin who is not an owner → FORBIDDEN', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { session: credentials().admin })).toEqual(refused('FORBIDDEN'));
  });
}

/** What a customer owns that other customers must not reach by its id. */
export type OwnedKind = 'key' | 'session' | 'webhook' | 'delivery';

/** What the customer suite needs: a victim customer with a key, a session, a webhook endpoint and a delivery, and a way to get fresh sessions of another. */
export interface CustomerCredentials {
  apiKey: string;
  adminSession: Pick<AdminSessionCookie, 'sessionToken' | 'csrfToken'>;
  victim: {
    session: Pick<CustomerSessionCookie, 'sessionToken' | 'csrfToken'>;
    email: string;
    keyId: string;
    /** The masked key, as a list would show it. */
    masked: string;
    sessionId: string;
    /** A webhook endpoint of theirs, its URL, and one of its deliveries (`msg_…`). */
    webhookId: string;
    webhookUrl: string;
    deliveryId: string;
  };
  /** A fresh session of another customer (each call signs in anew, since some procedures end the session they run in). */
  otherSession(): Promise<Pick<CustomerSessionCookie, 'sessionToken' | 'csrfToken'>>;
}

/**
 * Runs every procedure of the customer routers with no credential's stand-ins: an API key and an
 * admin session (neither is a customer session: 401), a made-up customer session (401), a real one
 * without its CSRF token on a mutation (403); and as another customer given the first customer's
 * key, session, webhook endpoint and delivery ids, which must answer NOT_FOUND where the procedure takes such an id (pinned
 * in `customerOwnedIds`) and otherwise refuse the id or answer with the caller's own data only:
 * never one of the first customer's ids, address or masked key.
 */
export function runCommonCustomerProcedureTests(getServer: () => TestServer, layout: ProcedureLayout, credentials: () => CustomerCredentials): void {
  const guarded = allProcedures().filter((p) => requiredGuard(layout, p.path) === 'customer');
  const mutations = guarded.filter((p) => p.type === 'mutation');
  const refused = (code: 'UNAUTHORIZED' | 'FORBIDDEN') => ({ status: code === 'UNAUTHORIZED' ? 401 : 403, code, appCode: code });
  const cases = (list: ProcedureInfo[]) => list.map((p) => [p.path, p] as const);

  it('finds the customer procedures to check, and the pinned id-taking ones exist', () => {
    expect(guarded.length).toBeGreaterThan(0);
    expect(Object.keys(layout.customerOwnedIds).filter((path) => !guarded.some((p) => p.path === path))).toEqual([]);
  });

  it.each(cases(guarded))('%s: an API key and no session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { apiKey: credentials().apiKey })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(guarded))('%s: an admin session and no customer session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { session: credentials().adminSession })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(guarded))('%s: an expired or made-up customer session → UNAUTHORIZED', async (_path, p) => {
    expect(await callProcedure(getServer(), p, { customer: { sessionToken: 'x'.repeat(43), csrfToken: 'y' } })).toEqual(refused('UNAUTHORIZED'));
  });

  it.each(cases(mutations))('%s: a customer session without its CSRF token → FORBIDDEN', async (_path, p) => {
    const { victim } = credentials();
    expect(await callProcedure(getServer(), p, { customer: { sessionToken: victim.session.sessionToken, csrfToken: 'wrong' } })).toEqual(refused('FORBIDDEN'));
  });

  it.each(cases(guarded))("%s as another customer, given the first customer's ids: NOT_FOUND or only their own data", async (path, p) => {
    const { victim } = credentials();
    const secrets = [victim.keyId, victim.sessionId, victim.email, victim.masked, victim.webhookId, victim.webhookUrl, victim.deliveryId];
    const owned = layout.customerOwnedIds[path];
    const ids: [OwnedKind, string][] = [
      ['key', victim.keyId],
      ['session', victim.sessionId],
      ['webhook', victim.webhookId],
      ['delivery', victim.deliveryId],
    ];
    for (const [kind, id] of ids) {
      const outcome = await callProcedureWithBody(getServer(), p, { customer: await credentials().otherSession() }, { id });
      // The id sent may come back in a NOT_FOUND's message; it tells the caller nothing they did not send.
      expect(secrets.filter((s) => s !== id && outcome.text.includes(s)), `${path} with the first customer's ${kind} id`).toEqual([]);
      if (owned === kind) expect({ status: outcome.status, code: outcome.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
      // Refused as input, or done for the caller (e.g. a conflict or a rate limit of their own): never a guard failure or a crash.
      else expect([401, 403].includes(outcome.status) || outcome.status >= 500, `${path}: ${outcome.status} ${outcome.code}`).toBe(false);
    }
  });

  it("the first customer's session and key are untouched by everything the other customer tried", async () => {
    const { victim } = credentials();
    const list = allProcedures().find((p) => p.path === 'portal.keys.list');
    if (!list) throw new Error('portal.keys.list is gone');
    const outcome = await callProcedureWithBody(getServer(), list, { customer: victim.session });
    expect(outcome.status).toBe(200);
    expect(outcome.text).toContain(victim.keyId);
    expect(outcome.text).not.toContain('"revoked"');
  });
}

/** Which /api/v1 routes need no key, pinned by the test that runs the REST suite. */
export interface RestLayout {
  /** The prefix the suite covers, e.g. `/api/v1`. */
  prefix: string;
  /** `METHOD /url` of every route anyone may call (HEAD follows its GET; OPTIONS is always keyless). */
  publicRoutes: readonly string[];
  /** `METHOD /url` of the routes served in demo mode without a key; a key sent there is still checked. */
  demoRoutes: readonly string[];
}

interface RestRoute {
  route: string;
  method: string;
  url: string;
  /** The resource answers this method with 405 to everyone (server/rest/route.ts). */
  methodNotAllowed: boolean;
}

/** The routes Fastify registered under the prefix, one per method, as `METHOD /url`. */
export function restRoutes(server: TestServer, prefix: string): RestRoute[] {
  return registeredRoutes(server.app)
    .filter((r) => r.url === prefix || r.url.startsWith(`${prefix}/`))
    .map((r) => ({ route: `${r.method} ${r.url}`, method: r.method, url: r.url, methodNotAllowed: r.config['methodNotAllowed'] === true }));
}

/** `401 UNAUTHORIZED`: the status and the JSON body's error code (HEAD answers have no body, so only the status). */
async function callRoute(server: TestServer, r: RestRoute, apiKey?: string): Promise<string> {
  const url = `${server.url}${r.url.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000').replace('*', 'x')}`;
  const headers: Record<string, string> = apiKey === undefined ? {} : { 'x-api-key': apiKey };
  const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
  const res = await fetch(url, { method: r.method, headers: withBody ? { ...headers, 'content-type': 'application/json' } : headers, ...(withBody ? { body: '{}' } : {}) });
  const text = await res.text();
  if (r.method === 'HEAD' || !text) return String(res.status);
  const code = (res.headers.get('content-type') ?? '').includes('json') ? (JSON.parse(text) as { error?: { code?: unknown } }).error?.code : undefined;
  return code === undefined ? String(res.status) : `${res.status} ${String(code)}`;
}

/** Whether an outcome is the expected refusal; a HEAD answer can only show its status. */
const refusedWith = (r: RestRoute, outcome: string, status: number, code: string) =>
  outcome === (r.method === 'HEAD' ? String(status) : `${status} ${code}`);

/**
 * Runs every keyed REST route with no key, a bad key and a suspended owner's
 * key; demo routes with a bad and a suspended key (without one they serve the
 * demo quota); and checks the pinned public routes really need nothing.
 */
export function runCommonRestRouteTests(getServer: () => TestServer, layout: RestLayout, credentials: () => { suspendedUserKey: string }): void {
  // Routes are registered by the time the server is up; collected lazily because describe-time runs first.
  const routes = () => restRoutes(getServer(), layout.prefix);
  const isPublic = (r: RestRoute) =>
    r.method === 'OPTIONS' || layout.publicRoutes.includes(r.route) || (r.method === 'HEAD' && layout.publicRoutes.includes(`GET ${r.url}`));
  const isDemo = (r: RestRoute) => layout.demoRoutes.includes(r.route) || (r.method === 'HEAD' && layout.demoRoutes.includes(`GET ${r.url}`));
  const keyed = () => routes().filter((r) => !r.methodNotAllowed && !isPublic(r) && !isDemo(r));
  const checked = () => routes().filter((r) => !r.methodNotAllowed && !isPublic(r));

  it('the pinned routes exist, and there are keyed routes to check', () => {
    const known = new Set(routes().map((r) => r.route));
    expect([...layout.publicRoutes, ...layout.demoRoutes].filter((r) => !known.has(r))).toEqual([]);
    expect(keyed().length).toBeGreaterThan(0);
  });

  it('every route that is not pinned public or demo refuses a call without a key (401)', async () => {
    const wrong: string[] = [];
    for (const r of keyed()) {
      const outcome = await callRoute(getServer(), r);
      if (!refusedWith(r, outcome, 401, 'UNAUTHORIZED')) wrong.push(`${r.route}: ${outcome}`);
    }
    expect(wrong).toEqual([]);
  });

  it('every keyed and demo route refuses a bad key (401) and a suspended owner’s key (403)', async () => {
    const wrong: string[] = [];
    for (const r of checked()) {
      for (const apiKey of ['hm_not-a-key', `hm_${'A'.repeat(32)}`, '']) {
        const outcome = await callRoute(getServer(), r, apiKey);
        if (!refusedWith(r, outcome, 401, 'UNAUTHORIZED')) wrong.push(`${r.route} with ${JSON.stringify(apiKey)}: ${outcome}`);
      }
      const outcome = await callRoute(getServer(), r, credentials().suspendedUserKey);
      if (!refusedWith(r, outcome, 403, 'USER_SUSPENDED')) wrong.push(`${r.route} with a suspended owner's key: ${outcome}`);
    }
    expect(wrong).toEqual([]);
  });

  it('demo routes serve a call without a key', async () => {
    const wrong: string[] = [];
    for (const r of routes().filter(isDemo)) {
      const outcome = await callRoute(getServer(), r);
      if (/^40[13]/.test(outcome)) wrong.push(`${r.route}: ${outcome}`);
    }
    expect(wrong).toEqual([]);
  });

  it('public routes need no key, and the 405 routes refuse everyone alike', async () => {
    const wrong: string[] = [];
    for (const r of routes().filter(isPublic)) {
      const outcome = await callRoute(getServer(), r);
      if (/^40[13]/.test(outcome)) wrong.push(`${r.route}: ${outcome}`);
    }
    for (const r of routes().filter((x) => x.methodNotAllowed)) {
      for (const apiKey of [undefined, 'hm_not-a-key']) {
        const outcome = await callRoute(getServer(), r, apiKey);
        if (!refusedWith(r, outcome, 405, 'METHOD_NOT_ALLOWED')) wrong.push(`${r.route}: ${outcome}`);
      }
    }
    expect(wrong).toEqual([]);
  });
}

/** Which /api/v1 routes take a management key, pinned by the test that runs the management suite. */
export interface ManagementLayout {
  prefix: string;
  /** `METHOD /url` → the scope it needs, for every route a management key may call (HEAD follows its GET). */
  routes: Readonly<Record<string, ManagementScope>>;
  /** Of those, the routes an API key calls too (for its own user); a management key there must name `userId`. */
  sharedWithApiKeys: readonly string[];
}

export interface ManagementCredentials {
  /** A working API key. */
  apiKey: string;
  /** A management key holding exactly that one scope, for each scope. */
  byScope: Readonly<Record<ManagementScope, string>>;
  /** A management key that was revoked after it had been used (so it was cached). */
  revoked: string;
}

/**
 * Runs every REST route against management keys: a route not pinned refuses
 * one (401, as any key that is not its kind); a pinned route refuses no key
 * (401), a revoked management key (401), a management key without its scope
 * (403) and, if only management keys may call it, an API key (403); with the
 * scope, a route shared with API keys asks for `userId` (400 naming it).
 */
export function runCommonManagementRouteTests(getServer: () => TestServer, layout: ManagementLayout, credentials: () => ManagementCredentials): void {
  const routes = () => restRoutes(getServer(), layout.prefix).filter((r) => !r.methodNotAllowed && r.method !== 'OPTIONS');
  const pin = (r: RestRoute) => layout.routes[r.route] ?? (r.method === 'HEAD' ? layout.routes[`GET ${r.url}`] : undefined);
  const shared = (r: RestRoute) => layout.sharedWithApiKeys.includes(r.route) || (r.method === 'HEAD' && layout.sharedWithApiKeys.includes(`GET ${r.url}`));
  const pinned = () => routes().filter((r) => pin(r) !== undefined);
  /** A management key lacking `scope`: one holding some other scope. */
  const lacking = (scope: ManagementScope) => {
    const other = MANAGEMENT_SCOPES.find((s) => s !== scope) ?? scope;
    return credentials().byScope[other];
  };

  it('the pinned routes exist, and the shared ones are pinned', () => {
    const known = new Set(restRoutes(getServer(), layout.prefix).map((r) => r.route));
    expect(Object.keys(layout.routes).filter((r) => !known.has(r))).toEqual([]);
    expect(layout.sharedWithApiKeys.filter((r) => layout.routes[r] === undefined)).toEqual([]);
  });

  it('a route that is not pinned refuses a management key, even one with every scope (401)', async () => {
    const wrong: string[] = [];
    for (const r of routes().filter((x) => pin(x) === undefined)) {
      // A management key may make no difference (public routes answer everyone alike); where a key counts, it is refused.
      const keyless = await callRoute(getServer(), r);
      for (const key of Object.values(credentials().byScope)) {
        const outcome = await callRoute(getServer(), r, key);
        if (!refusedWith(r, outcome, 401, 'UNAUTHORIZED') && outcome !== keyless) wrong.push(`${r.route}: ${outcome} (without a key: ${keyless})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a pinned route refuses no key and a revoked management key (401), and a management key without its scope (403)', async () => {
    const wrong: string[] = [];
    for (const r of pinned()) {
      const scope = pin(r) as ManagementScope;
      const none = await callRoute(getServer(), r);
      if (!refusedWith(r, none, 401, 'UNAUTHORIZED')) wrong.push(`${r.route} without a key: ${none}`);
      const revoked = await callRoute(getServer(), r, credentials().revoked);
      if (!refusedWith(r, revoked, 401, 'UNAUTHORIZED')) wrong.push(`${r.route} with a revoked management key: ${revoked}`);
      const without = await callRoute(getServer(), r, lacking(scope));
      if (!refusedWith(r, without, 403, 'FORBIDDEN')) wrong.push(`${r.route} with a management key lacking ${scope}: ${without}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a route only management keys may call refuses an API key (403); with its scope, a shared route asks for userId (400)', async () => {
    const wrong: string[] = [];
    for (const r of pinned()) {
      const scope = pin(r) as ManagementScope;
      if (shared(r)) {
        const outcome = await callRoute(getServer(), r, credentials().byScope[scope]);
        if (!refusedWith(r, outcome, 400, 'VALIDATION_FAILED')) wrong.push(`${r.route} with ${scope} and no userId: ${outcome}`);
      } else {
        const outcome = await callRoute(getServer(), r, credentials().apiKey);
        if (!refusedWith(r, outcome, 403, 'FORBIDDEN')) wrong.push(`${r.route} with an API key: ${outcome}`);
        const allowed = await callRoute(getServer(), r, credentials().byScope[scope]);
        if (/^40[13]/.test(allowed)) wrong.push(`${r.route} with ${scope}: ${allowed}`);
      }
    }
    expect(wrong).toEqual([]);
  });
}
