import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedManagementKey } from '../../shared/management.ts';
import { adminClient, signInAs, type AdminSessionCookie } from '../testing/admin.ts';
import { createUserWithKey, postData, TEST_ACTOR, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

let server: TestServer;
let owner: AdminSessionCookie;
let seedKey: CreatedManagementKey;
let someone: UserWithKey;

beforeAll(async () => {
  server = await startTestServer();
  owner = await signInAs(server, 'owner');
  // Created as an owner does in the admin app.
  seedKey = await adminClient(server, owner).admin.managementKeys.create.mutate({
    name: 'seed',
    scopes: ['users:read', 'users:write', 'keys:write', 'usage:read', 'tiers:read'],
  });
  someone = await createUserWithKey(server.services);
});
afterAll(() => server.close());

const api = (path: string, key: string | undefined, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${server.url}/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(key === undefined ? {} : { 'x-api-key': key }),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

const auditOf = async (action: string, targetId: string) =>
  server.orm.em.fork().getConnection().execute<{ actor_type: string; actor_id: string; actor_label: string }[]>(
    `select actor_type, actor_id, actor_label from audit_events where action = ? and target_id = ?`,
    [action, targetId],
  );

describe("the seed's calls, as written, with a management key", () => {
  it('creates a key for user123 and reads their analytics; every write is audited as the management key', async () => {
    const created = await api('/users', seedKey.key, { method: 'POST', body: { email: 'user123@example.com', name: 'User 123', externalId: 'user123' } });
    expect(created.status).toBe(201);
    const user = await created.json();
    expect(user).toMatchObject({ email: 'user123@example.com', externalId: 'user123', tier: 'Free', status: 'active' });

    const res = await fetch(`${server.url}/api/v1/keys`, {
      method: 'POST',
      headers: { 'x-api-key': seedKey.key, 'content-type': 'application/json' },
      body: '{"userId":"user123","name":"prod-key"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const key = await res.json();
    expect(key).toMatchObject({ name: 'prod-key', status: 'active' });
    expect(key.key).toMatch(/^hm_[A-Za-z0-9]{32}$/);

    // The key belongs to user123 and works.
    const call = await postData(server.url, { query: 'rate limiting', sources: 'kb' }, key.key);
    expect(call.status).toBe(200);
    expect(call.headers.get('x-user-id')).toBe(user.id);
    await server.services.ledger.flush();

    const analytics = await fetch(`${server.url}/api/v1/usage?action=analytics&userId=user123&days=7`, { headers: { 'x-api-key': seedKey.key } });
    expect(analytics.status).toBe(200);
    const body = await analytics.json();
    expect(body.days).toBe(7);
    expect(body.daily).toHaveLength(7);
    expect(body.totals.requests).toBe(1);

    const current = await api('/usage?action=current&userId=user123%40example.com', seedKey.key);
    expect(await current.json()).toMatchObject({ userId: user.id, used: 1, limit: 1000 });

    for (const [action, target] of [
      ['user.created', user.id],
      ['key.created', key.id],
    ] as const) {
      expect(await auditOf(action, target)).toEqual([{ actor_type: 'management_key', actor_id: seedKey.id, actor_label: seedKey.masked }]);
    }
  });

  it("lists, rotates and revokes a user's keys by id, email or external id", async () => {
    const listed = await api(`/keys?userId=${someone.email}`, seedKey.key);
    expect(listed.status).toBe(200);
    expect((await listed.json()).keys.map((k: { id: string }) => k.id)).toEqual([someone.keyId]);

    const rotated = await api(`/keys/${someone.keyId}/rotate`, seedKey.key, { method: 'POST', body: { userId: someone.userId, gracePeriodSeconds: 0 } });
    expect(rotated.status).toBe(201);
    const { key: replacement } = await rotated.json();
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, someone.key)).status).toBe(401);

    // Another user's key is not theirs to revoke.
    expect((await api(`/keys/${replacement.id}?userId=user123`, seedKey.key, { method: 'DELETE' })).status).toBe(404);
    const revoked = await api(`/keys/${replacement.id}?userId=${someone.userId}`, seedKey.key, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    expect((await revoked.json()).status).toBe('revoked');
    expect(await auditOf('key.revoked', replacement.id)).toEqual([{ actor_type: 'management_key', actor_id: seedKey.id, actor_label: seedKey.masked }]);
  });

  it('asks for userId (400 naming it), and says so when the user does not exist (404)', async () => {
    const missing = await api('/keys', seedKey.key, { method: 'POST', body: { name: 'x' } });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.issues).toEqual([{ field: 'userId', message: expect.stringMatching(/required with a management key/) }]);
    const unknown = await api('/usage?userId=nobody', seedKey.key);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.message).toBe('No user nobody');
  });
});

describe('without a management key', () => {
  it('userId gets a 400 that names the field and the key type it needs', async () => {
    const { key } = await createUserWithKey(server.services);
    const res = await api('/keys', key, {
      method: 'POST',
      body: { userId: 'user123', name: 'prod-key' },
    });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([{ field: 'userId', message: expect.stringContaining('needs a management key (hmm_…) with the scope keys:write') }]);
  });

  it('without any key, the seed calls still get 401', async () => {
    expect((await api('/keys', undefined, { method: 'POST', body: { userId: 'user123', name: 'prod-key' } })).status).toBe(401);
    expect((await api('/usage?action=analytics&userId=user123&days=7', undefined)).status).toBe(401);
  });
});

describe('the two kinds of key never stand in for each other', () => {
  it('a management key is refused where an API key is expected: data, usage tracking, the typed client', async () => {
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, seedKey.key)).status).toBe(401);
    expect((await api('/usage/track', seedKey.key, { method: 'POST', body: { endpoint: 'x' } })).status).toBe(401);
    const trpc = await fetch(`${server.url}/trpc/keys.list`, { headers: { 'x-api-key': seedKey.key } });
    expect(trpc.status).toBe(401);
  });

  it('an API key is refused on the users and tiers routes (403, naming what is needed)', async () => {
    const { key } = await createUserWithKey(server.services);
    const res = await api('/users', key);
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/needs a management key \(hmm_…\) with the scope users:read/);
  });
});

describe('the users and tiers routes', () => {
  it('list, get (by id, email or external id), change tier, suspend and reactivate', async () => {
    const target = await createUserWithKey(server.services);
    const list = await api(`/users?search=${encodeURIComponent(target.email)}`, seedKey.key);
    expect(list.status).toBe(200);
    expect((await list.json()).items.map((u: { id: string }) => u.id)).toEqual([target.userId]);

    for (const ref of [target.userId, target.email]) {
      const got = await api(`/users/${encodeURIComponent(ref)}`, seedKey.key);
      expect(await got.json()).toMatchObject({ id: target.userId, tier: 'Free' });
    }
    expect(await (await api('/users/user123', seedKey.key)).json()).toMatchObject({ email: 'user123@example.com' });

    const badTier = await api(`/users/${target.userId}`, seedKey.key, { method: 'PATCH', body: { tier: 'Platinum' } });
    expect(badTier.status).toBe(400);
    expect((await badTier.json()).error.issues[0].field).toBe('tier');
    const retiered = await api(`/users/${target.userId}`, seedKey.key, { method: 'PATCH', body: { tier: 'Pro' } });
    expect(await retiered.json()).toMatchObject({ tier: 'Pro' });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, target.key)).headers.get('x-ratelimit-limit')).toBe('10000');

    expect((await api(`/users/${target.userId}/suspend`, seedKey.key, { method: 'POST' })).status).toBe(200);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, target.key)).status).toBe(403);
    expect(await (await api(`/users/${target.userId}/reactivate`, seedKey.key, { method: 'POST' })).json()).toMatchObject({ status: 'active' });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, target.key)).status).toBe(200);
    expect((await auditOf('user.suspended', target.userId))[0]).toMatchObject({ actor_type: 'management_key', actor_id: seedKey.id });

    const taken = await api('/users', seedKey.key, { method: 'POST', body: { email: 'other@example.com', name: 'Other', externalId: 'user123' } });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.issues).toEqual([{ field: 'externalId', message: 'is already taken' }]);

    const tiers = await (await api('/tiers', seedKey.key)).json();
    expect(tiers.tiers.map((t: { name: string }) => t.name)).toEqual(['Free', 'Pro', 'Enterprise']);
  });
});

describe('owners issue, list and revoke management keys', () => {
  it('shows the key once, stores a hash, and a revocation applies at once even to a cached key', async () => {
    const owners = adminClient(server, owner);
    const created = await owners.admin.managementKeys.create.mutate({ name: 'billing', scopes: ['users:read'] });
    expect(created.key).toMatch(/^hmm_[A-Za-z0-9]{32}$/);
    expect(created.masked).toBe(`${created.key.slice(0, 12)}…`);
    const [row] = await server.orm.em.fork().getConnection().execute<{ key_hash: string }[]>(`select key_hash from management_keys where id = ?`, [created.id]);
    expect(row?.key_hash).toMatch(/^\$2[aby]\$/);
    expect(JSON.stringify(await owners.admin.managementKeys.list.query())).not.toContain(created.key.slice(12));
    expect(await auditOf('management_key.created', created.id)).toEqual([{ actor_type: 'admin', actor_id: expect.any(String), actor_label: owner.email }]);

    expect((await api('/users', created.key)).status).toBe(200);
    const lacking = await api('/users', created.key, { method: 'POST', body: { email: 'z@example.com', name: 'Z' } });
    expect(lacking.status).toBe(403);
    expect((await lacking.json()).error.message).toMatch(/lacks the scope users:write/);

    const revoked = await owners.admin.managementKeys.revoke.mutate({ id: created.id });
    expect(revoked.status).toBe('revoked');
    const after = await api('/users', created.key);
    expect(after.status).toBe(401);
    expect((await after.json()).error.message).toBe('Invalid management key');
    expect(await auditOf('management_key.revoked', created.id)).toHaveLength(1);
  });

  it('a second server sees a revocation at once (NOTIFY), even with the key in its cache', async () => {
    const second = await startTestServer({ db: server.db });
    try {
      const created = await server.services.managementKeys.create(server.orm.em.fork(), { name: 'two', scopes: ['tiers:read'], actor: TEST_ACTOR });
      expect((await fetch(`${second.url}/api/v1/tiers`, { headers: { 'x-api-key': created.key } })).status).toBe(200);
      const heard = new Promise<void>((resolve) => {
        const original = second.services.managementKeys.invalidate.bind(second.services.managementKeys);
        second.services.managementKeys.invalidate = (message) => {
          original(message);
          if (message.kind === 'management_key' && message.id === created.id) resolve();
        };
      });
      await server.services.managementKeys.revoke(server.orm.em.fork(), { id: created.id, actor: TEST_ACTOR });
      await heard;
      expect((await fetch(`${second.url}/api/v1/tiers`, { headers: { 'x-api-key': created.key } })).status).toBe(401);
    } finally {
      await second.close();
    }
  });
});
