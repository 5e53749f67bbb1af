import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type AdminSessionCookie } from './testing/admin.ts';
import { createUserWithKey, TEST_ACTOR, type UserWithKey } from './testing/fixtures.ts';
import {
  runCommonAdminProcedureTests,
  runCommonKeyedProcedureTests,
  runCommonRestRouteTests,
  runProcedureLayoutTests,
  type ProcedureLayout,
  type RestLayout,
} from './testing/guards.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

/**
 * The pinned public surface. Adding a procedure or a route that anyone may call
 * means adding it here, on purpose; everything else is checked against its guard.
 */
const PROCEDURES: ProcedureLayout = {
  publicProcedures: ['system.health', 'data.sources', 'auth.signIn', 'auth.me'],
  adminRouters: ['admin', 'auth'],
  keyedRouters: ['data', 'usage', 'keys'],
  ownerOnly: ['admin.accounts.', 'admin.managementKeys.'],
};

const REST: RestLayout = {
  prefix: '/api/v1',
  publicRoutes: [
    'GET /api/v1/data',
    'GET /api/v1/openapi.json',
    'GET /api/v1/docs',
    'HEAD /api/v1/docs/',
    'GET /api/v1/docs/static/index.html',
    'GET /api/v1/docs/static/swagger-initializer.js',
    'GET /api/v1/docs/json',
    'GET /api/v1/docs/yaml',
    'GET /api/v1/docs/static/*',
  ],
  demoRoutes: ['POST /api/v1/data', 'GET /api/v1/kb/:id'],
};

let server: TestServer;
let active: UserWithKey;
let suspended: UserWithKey;
let viewer: AdminSessionCookie;
let admin: AdminSessionCookie;

beforeAll(async () => {
  server = await startTestServer();
  active = await createUserWithKey(server.services);
  suspended = await createUserWithKey(server.services);
  await server.services.users.setStatus(server.orm.em.fork(), suspended.userId, 'suspended', TEST_ACTOR);
  viewer = await signInAs(server, 'viewer');
  admin = await signInAs(server, 'admin');
});
afterAll(() => server.close());

describe('the public procedures are pinned, and every other one is refused without a credential', () => {
  runProcedureLayoutTests(() => server, PROCEDURES);
});

describe('every keyed procedure is guarded', () => {
  runCommonKeyedProcedureTests(
    () => server,
    PROCEDURES,
    () => ({ suspendedUserKey: suspended.key, adminSession: admin }),
  );
});

describe('every admin procedure is guarded', () => {
  runCommonAdminProcedureTests(
    () => server,
    PROCEDURES,
    () => ({ apiKey: active.key, viewer, admin }),
  );
});

describe('every keyed REST route is guarded', () => {
  runCommonRestRouteTests(
    () => server,
    REST,
    () => ({ suspendedUserKey: suspended.key }),
  );
});

describe('tRPC errors that no guard or service raised', () => {
  it('still carry an appCode', async () => {
    const res = await fetch(`${server.url}/trpc/no.such.procedure`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.data).toMatchObject({ code: 'NOT_FOUND', appCode: 'NOT_FOUND' });
  });
});
