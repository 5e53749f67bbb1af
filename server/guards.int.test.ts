import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type AdminSessionCookie } from './testing/admin.ts';
import { createCustomer, portalClient, signInCustomer, type CustomerSessionCookie } from './testing/customers.ts';
import { createUserWithKey, TEST_ACTOR, type UserWithKey } from './testing/fixtures.ts';
import {
  runCommonAdminProcedureTests,
  runCommonCustomerProcedureTests,
  runCommonKeyedProcedureTests,
  runCommonManagementRouteTests,
  runCommonRestRouteTests,
  runProcedureLayoutTests,
  type CustomerCredentials,
  type ManagementCredentials,
  type ManagementLayout,
  type ProcedureLayout,
  type RestLayout,
} from './testing/guards.ts';
import { startTestServer, type TestServer } from './testing/server.ts';
import { expectResponsesMatchDocument } from './testing/openapi.ts';
import { MANAGEMENT_SCOPES, type ManagementScope } from '../shared/management.ts';

/**
 * The pinned public surface. Adding a procedure or a route that anyone may call
 * means adding it here, on purpose; everything else is checked against its guard.
 */
const PROCEDURES: ProcedureLayout = {
  publicProcedures: [
    'system.health',
    'data.sources',
    'auth.signIn',
    'auth.me',
    'portal.public.info',
    'portal.auth.signUp',
    'portal.auth.signIn',
    'portal.auth.me',
    'portal.auth.verifyEmail',
    'portal.auth.forgotPassword',
    'portal.auth.resetPassword',
    'portal.auth.confirmEmailChange',
  ],
  adminRouters: ['admin', 'auth'],
  keyedRouters: ['data', 'usage', 'keys'],
  customerRouters: ['portal'],
  customerOwnedIds: {
    'portal.keys.rotate': 'key',
    'portal.keys.revoke': 'key',
    'portal.account.endSession': 'session',
    'portal.webhooks.update': 'webhook',
    'portal.webhooks.rotateSecret': 'webhook',
    'portal.webhooks.delete': 'webhook',
    'portal.webhooks.disable': 'webhook',
    'portal.webhooks.enable': 'webhook',
    'portal.webhooks.sendTest': 'webhook',
    'portal.webhooks.deliveries': 'webhook',
    'portal.webhooks.retry': 'delivery',
  },
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
    // Lemon Squeezy's webhook: no key, but refused (401) without the signature over the raw body (server/billing/billing.int.test.ts).
    'POST /api/v1/billing/lemonsqueezy',
  ],
  demoRoutes: ['POST /api/v1/data', 'GET /api/v1/kb/:id'],
};

/** Every route a management key may call, with its scope; the shared ones also take an API key. */
const MANAGEMENT: ManagementLayout = {
  prefix: '/api/v1',
  routes: {
    'GET /api/v1/usage': 'usage:read',
    'GET /api/v1/keys': 'users:read',
    'POST /api/v1/keys': 'keys:write',
    'DELETE /api/v1/keys/:id': 'keys:write',
    'POST /api/v1/keys/:id/rotate': 'keys:write',
    'GET /api/v1/users': 'users:read',
    'POST /api/v1/users': 'users:write',
    'GET /api/v1/users/:id': 'users:read',
    'PATCH /api/v1/users/:id': 'users:write',
    'POST /api/v1/users/:id/suspend': 'users:write',
    'POST /api/v1/users/:id/reactivate': 'users:write',
    'GET /api/v1/tiers': 'tiers:read',
  },
  sharedWithApiKeys: ['GET /api/v1/usage', 'GET /api/v1/keys', 'POST /api/v1/keys', 'DELETE /api/v1/keys/:id', 'POST /api/v1/keys/:id/rotate'],
};

let server: TestServer;
let active: UserWithKey;
let suspended: UserWithKey;
let viewer: AdminSessionCookie;
let admin: AdminSessionCookie;
let management: ManagementCredentials;
let customer: CustomerSessionCookie;
let customers: CustomerCredentials;

beforeAll(async () => {
  server = await startTestServer();
  active = await createUserWithKey(server.services);
  suspended = await createUserWithKey(server.services);
  await server.services.users.setStatus(server.orm.em.fork(), suspended.userId, 'suspended', TEST_ACTOR);
  viewer = await signInAs(server, 'viewer');
  admin = await signInAs(server, 'admin');
  const em = () => server.orm.em.fork();
  const issue = async (scopes: ManagementScope[]) => (await server.services.managementKeys.create(em(), { name: scopes.join(' '), scopes, actor: TEST_ACTOR })).key;
  const byScope = Object.fromEntries(await Promise.all(MANAGEMENT_SCOPES.map(async (s) => [s, await issue([s])] as const))) as Record<ManagementScope, string>;
  const revoked = await server.services.managementKeys.create(em(), { name: 'revoked', scopes: [...MANAGEMENT_SCOPES], actor: TEST_ACTOR });
  // Used once, so it is cached when it is revoked: the revocation must reach the cache too.
  await server.services.managementKeys.authenticate(em(), revoked.key);
  await server.services.managementKeys.revoke(em(), { id: revoked.id, actor: TEST_ACTOR });
  management = { apiKey: active.key, byScope, revoked: revoked.key };

  const victim = await createCustomer(server);
  customer = await signInCustomer(server, victim.email, victim.password);
  const victimKey = await server.services.keys.create(em(), { userId: victim.userId, name: 'victim', actor: TEST_ACTOR });
  const victimSession = (await portalClient(server, customer).portal.account.sessions.query()).find((x) => x.current);
  // A name under .localhost: its deliveries never leave the machine (the send-time address check refuses them).
  const webhookUrl = 'https://victim-hooks.localhost/harmonic';
  const victimHook = await server.services.webhooks.create(em(), { ownerId: victim.userId, url: webhookUrl, description: '', eventTypes: ['key.created'], actor: TEST_ACTOR });
  const victimDelivery = await server.services.webhooks.sendTest(em(), { id: victimHook.endpoint.id, scope: victim.userId, actor: TEST_ACTOR });
  const other = await createCustomer(server);
  customers = {
    apiKey: active.key,
    adminSession: admin,
    victim: {
      session: customer,
      email: victim.email,
      keyId: victimKey.id,
      masked: victimKey.masked,
      sessionId: victimSession?.id ?? '',
      webhookId: victimHook.endpoint.id,
      webhookUrl,
      deliveryId: victimDelivery.id,
    },
    otherSession: () => signInCustomer(server, other.email, other.password),
  };
});
afterAll(() => server.close());

describe('the public procedures are pinned, and every other one is refused without a credential', () => {
  runProcedureLayoutTests(() => server, PROCEDURES);
});

describe('every keyed procedure is guarded', () => {
  runCommonKeyedProcedureTests(
    () => server,
    PROCEDURES,
    () => ({ suspendedUserKey: suspended.key, adminSession: admin, customerSession: customer }),
  );
});

describe('every admin procedure is guarded', () => {
  runCommonAdminProcedureTests(
    () => server,
    PROCEDURES,
    () => ({ apiKey: active.key, viewer, admin, customerSession: customer }),
  );
});

describe('every customer (portal) procedure is guarded, and a customer reaches only their own data', () => {
  runCommonCustomerProcedureTests(
    () => server,
    PROCEDURES,
    () => customers,
  );
});

describe('every keyed REST route is guarded', () => {
  runCommonRestRouteTests(
    () => server,
    REST,
    () => ({ suspendedUserKey: suspended.key }),
  );
});

describe('every REST route that takes a management key is guarded, and no other takes one', () => {
  runCommonManagementRouteTests(
    () => server,
    MANAGEMENT,
    () => management,
  );
});

describe('tRPC errors that no guard or service raised', () => {
  it('still carry an appCode', async () => {
    const res = await fetch(`${server.url}/trpc/no.such.procedure`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.data).toMatchObject({ code: 'NOT_FOUND', appCode: 'NOT_FOUND' });
  });
});

// Last: every refusal the suites above provoked is documented, status, headers and body.
it('every /api/v1 response above matches the OpenAPI document exactly', async () => {
  expect(await expectResponsesMatchDocument(server)).toBeGreaterThan(0);
});
