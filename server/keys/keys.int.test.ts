import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarmonicClient } from '../../client/sdk/index.ts';
import { createUserWithKey, postData, TEST_ACTOR, type UserWithKey } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { buildKey, generateKey, keyDigest } from './format.ts';

let server: TestServer;
let owner: UserWithKey;

beforeAll(async () => {
  server = await startTestServer();
  owner = await createUserWithKey(server.services);
});
afterAll(() => server.close());

const api = (path: string, key: string | undefined, init: RequestInit = {}) =>
  fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { ...(key ? { 'x-api-key': key } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  });

async function auditActions(targetId: string): Promise<string[]> {
  const rows = await server.orm.em.fork().execute<{ action: string }[]>(
    `select action from audit_events where target_id = ? order by id`,
    [targetId],
  );
  return rows.map((r) => r.action);
}

/**
 * Moves a key's expiry into the past, as if its time had come: admission goes by
 * PostgreSQL's clock, so the test needs no real wait, and a busy machine cannot
 * make the key expire before the test has used it.
 */
async function letExpire(keyId: string): Promise<void> {
  await server.orm.em.fork().execute(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [keyId]);
}

describe('creating keys', () => {
  it('returns hm_ plus 32 characters, once: never in a list, never again', async () => {
    const res = await api('/keys', owner.key, { method: 'POST', body: JSON.stringify({ name: 'ci', metadata: { team: 'data' } }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const created = await res.json();
    expect(created.key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
    expect(created).toMatchObject({ name: 'ci', status: 'active', masked: `${created.key.slice(0, 11)}…`, metadata: { team: 'data' } });

    const list = await (await api('/keys', owner.key)).json();
    const listed = list.keys.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ id: created.id, masked: created.masked });
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect(JSON.stringify(list)).not.toContain(created.key.slice(11));
    expect(listed).not.toHaveProperty('key');
    expect(listed).not.toHaveProperty('keyHash');

    const works = await postData(server.url, { query: 'anything', sources: 'kb' }, created.key);
    expect(works.status).toBe(200);
    expect(await auditActions(created.id)).toEqual(['key.created']);
  });

  it('stores only a bcrypt hash of the key', async () => {
    const created = await server.services.keys.create(server.orm.em.fork(), { userId: owner.userId, name: 'hash-check', actor: TEST_ACTOR });
    const [row] = await server.orm.em.fork().execute<{ key_hash: string; lookup_id: string }[]>(
      `select key_hash, lookup_id from api_keys where id = ?`,
      [created.id],
    );
    expect(row?.key_hash).toMatch(/^\$2[aby]\$\d\d\$/);
    expect(row?.key_hash).not.toContain(created.key.slice(11));
    expect(row?.lookup_id).toBe(created.key.slice(3, 11));
  });

  it('rejects bad input with 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'ok', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'ok', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'ok', metadata: 'nope' }, 'metadata'],
      [{ name: 'ok', extra: 1 }, ''],
    ];
    for (const [body, field] of cases) {
      const res = await api('/keys', owner.key, { method: 'POST', body: JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const json = await res.json();
      expect(json.error.code).toBe('VALIDATION_FAILED');
      expect(json.error.issues.map((i: { field: string }) => i.field), JSON.stringify(body)).toContain(field);
    }
  });

  it('honours an expiry: the key stops working when it passes, even while this instance has it cached', async () => {
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const created = await (await api('/keys', owner.key, { method: 'POST', body: JSON.stringify({ name: 'short', expiresAt: inAnHour }) })).json();
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, created.key)).status).toBe(200);
    expect(server.services.keyCache.get(keyDigest(created.key))).toMatchObject({ keyId: created.id });
    await letExpire(created.id);
    const res = await postData(server.url, { query: 'x', sources: 'kb' }, created.key);
    expect(res.status).toBe(401);
  });
});

describe('usage per key', () => {
  it('lists how often and when each key was used, as the ledger recorded it, and keeps it through revocation', async () => {
    const u = await createUserWithKey(server.services);
    const other = await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'unused', actor: TEST_ACTOR });
    for (let i = 0; i < 3; i++) expect((await postData(server.url, { query: 'quota', sources: ['kb'] }, u.key)).status).toBe(200);
    await server.services.ledger.flush();
    const res = await api('/keys', u.key);
    const { keys } = (await res.json()) as { keys: { id: string; usageCount: number; lastUsedAt: string | null }[] };
    expect(keys.find((k) => k.id === u.keyId)).toMatchObject({ usageCount: 3, lastUsedAt: expect.any(String) });
    expect(keys.find((k) => k.id === other.id)).toMatchObject({ usageCount: 0, lastUsedAt: null });
    const revoked = await server.services.keys.revoke(server.orm.em.fork(), { keyId: u.keyId, actor: TEST_ACTOR });
    expect(revoked).toMatchObject({ status: 'revoked', usageCount: 3, lastUsedAt: expect.any(String) });
  });
});

describe('bad keys', () => {
  it('unknown id, wrong secret, bad checksum, revoked, expired and malformed all get the same 401', async () => {
    const revoked = await createUserWithKey(server.services);
    await server.services.keys.revoke(server.orm.em.fork(), { keyId: revoked.keyId, actor: TEST_ACTOR });
    const expired = await server.services.keys.create(server.orm.em.fork(), {
      userId: owner.userId,
      name: 'expired',
      expiresAt: new Date(Date.now() + 200),
      actor: TEST_ACTOR,
    });
    await new Promise((r) => setTimeout(r, 300));

    const forged = generateKey().key;
    // A well-formed key (valid checksum) with an existing lookup id but the wrong secret.
    const wrongSecret = buildKey(owner.key.slice(3, 11), 'W'.repeat(18));
    const badChecksum = `${owner.key.slice(0, -1)}${owner.key.endsWith('a') ? 'b' : 'a'}`;

    const bodies = new Set<string>();
    const headerSets = new Set<string>();
    // Headers that differ on every response whatever the key.
    const perResponse = new Set(['date', 'x-request-id', 'x-response-time']);
    for (const key of [forged, wrongSecret, badChecksum, revoked.key, expired.key, 'hm_short', 'not-even-close']) {
      const res = await postData(server.url, { query: 'x', sources: 'kb' }, key);
      expect(res.status, key).toBe(401);
      expect(res.headers.get('x-ratelimit-limit'), 'no quota headers for a bad key').toBeNull();
      bodies.add(await res.text());
      headerSets.add(JSON.stringify([...res.headers].filter(([name]) => !perResponse.has(name))));
    }
    expect([...bodies]).toEqual([JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Invalid API key' } })]);
    expect(headerSets.size, 'the same headers, with the same values, for every kind of bad key').toBe(1);
  });

  it('remembers a failed verification, so a flood of one bad key costs one bcrypt compare', async () => {
    // Right lookup id, wrong secret: the path that costs a bcrypt compare.
    const wrong = buildKey(owner.key.slice(3, 11), 'F'.repeat(18));
    const before = server.services.bcrypt.compares;
    const results = await Promise.all(Array.from({ length: 30 }, () => postData(server.url, { query: 'x', sources: 'kb' }, wrong)));
    expect(results.every((r) => r.status === 401)).toBe(true);
    const again = await postData(server.url, { query: 'x', sources: 'kb' }, wrong);
    expect(again.status).toBe(401);
    // 31 attempts: concurrent ones share one verification, later ones hit the cached rejection.
    expect(server.services.bcrypt.compares - before).toBe(1);
    expect(server.services.keyCache.get(keyDigest(wrong))).toBe('rejected');
  });

  it('a request that sends a bad key never falls back to demo mode', async () => {
    const res = await postData(server.url, { query: 'x', sources: 'kb' }, '');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-demo-mode')).toBeNull();
  });
});

describe('revoking and rotating', () => {
  it('revocation takes effect on the next request', async () => {
    const victim = await createUserWithKey(server.services);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, victim.key)).status).toBe(200);
    const res = await api(`/keys/${victim.keyId}`, victim.key, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: victim.keyId, status: 'revoked' });
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, victim.key)).status).toBe(401);
    expect(await auditActions(victim.keyId)).toEqual(['key.created', 'key.revoked']);
  });

  it('after rotation the old key gets 401 and the new key works', async () => {
    const u = await createUserWithKey(server.services);
    const res = await api(`/keys/${u.keyId}/rotate`, u.key, { method: 'POST', body: JSON.stringify({}) });
    expect(res.status).toBe(201);
    const rotated = await res.json();
    expect(rotated.key.key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
    expect(rotated.previous).toMatchObject({ id: u.keyId, status: 'revoked', replacedById: rotated.key.id });

    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(401);
    const fresh = await postData(server.url, { query: 'x', sources: 'kb' }, rotated.key.key);
    expect(fresh.status).toBe(200);
    expect(fresh.headers.get('x-user-id')).toBe(u.userId);
    expect(await auditActions(u.keyId)).toEqual(['key.created', 'key.rotated']);
  });

  it('rotation with a grace period keeps the old key working until it ends', async () => {
    const u = await createUserWithKey(server.services);
    const before = Date.now();
    const rotated = await server.services.keys.rotate(server.orm.em.fork(), { keyId: u.keyId, gracePeriodSeconds: 3600, actor: TEST_ACTOR });
    expect(rotated.previous.status).toBe('active');
    expect(Date.parse(rotated.previous.expiresAt ?? '')).toBeGreaterThanOrEqual(before + 3_600_000);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(200);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, rotated.key.key)).status).toBe(200);
    await letExpire(u.keyId);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(401);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, rotated.key.key)).status).toBe(200);
  });

  it('refuses a grace period over 24 hours and a revoked key, clearly', async () => {
    const u = await createUserWithKey(server.services);
    const tooLong = await api(`/keys/${u.keyId}/rotate`, u.key, { method: 'POST', body: JSON.stringify({ gracePeriodSeconds: 86401 }) });
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.issues[0]).toEqual({ field: 'gracePeriodSeconds', message: 'must be at most 86400 (24 hours)' });

    const other = await server.services.keys.create(server.orm.em.fork(), { userId: u.userId, name: 'second', actor: TEST_ACTOR });
    await server.services.keys.revoke(server.orm.em.fork(), { keyId: other.id, actor: TEST_ACTOR });
    const conflict = await api(`/keys/${other.id}/rotate`, u.key, { method: 'POST' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.code).toBe('CONFLICT');
  });

  it('a key already rotated (in its grace period) is refused with 409 on REST and tRPC, and nothing is issued', async () => {
    const u = await createUserWithKey(server.services);
    const first = await api(`/keys/${u.keyId}/rotate`, u.key, { method: 'POST', body: JSON.stringify({ gracePeriodSeconds: 3600 }) });
    expect(first.status).toBe(201);
    const rotated = await first.json();
    const deadline = rotated.previous.expiresAt;
    expect(rotated.key.expiresAt, 'the new key keeps the old key’s own expiry (none)').toBeNull();

    // The old key still works in its grace period, but it is no longer the key to rotate.
    const again = await api(`/keys/${u.keyId}/rotate`, u.key, { method: 'POST', body: JSON.stringify({ gracePeriodSeconds: 60 }) });
    expect(again.status).toBe(409);
    const body = await again.json();
    expect(body.error).toMatchObject({ code: 'CONFLICT', replacedById: rotated.key.id });
    expect(body.error.message).toContain('already rotated');

    const harmonic = createHarmonicClient({ baseUrl: server.url, apiKey: rotated.key.key });
    const viaTrpc = await harmonic.keys.rotate.mutate({ id: u.keyId, gracePeriodSeconds: 60 }).catch((err: unknown) => err);
    expect(viaTrpc).toBeInstanceOf(TRPCClientError);
    expect((viaTrpc as TRPCClientError<never>).data).toMatchObject({ code: 'CONFLICT', httpStatus: 409 });

    const keys = await harmonic.keys.list.query();
    expect(keys.map((k) => k.id).sort()).toEqual([u.keyId, rotated.key.id].sort());
    expect(keys.find((k) => k.id === u.keyId)).toMatchObject({ status: 'active', expiresAt: deadline, replacedById: rotated.key.id });
    // The replacement rotates normally.
    expect((await harmonic.keys.rotate.mutate({ id: rotated.key.id, gracePeriodSeconds: 0 })).key.expiresAt).toBeNull();
  });

  it("a key cannot see or touch another user's keys", async () => {
    const mallory = await createUserWithKey(server.services);
    for (const [path, method] of [
      [`/keys/${owner.keyId}`, 'DELETE'],
      [`/keys/${owner.keyId}/rotate`, 'POST'],
    ] as const) {
      const res = await api(path, mallory.key, { method });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await (await api('/keys', mallory.key)).json();
    expect(list.keys.map((k: { id: string }) => k.id)).toEqual([mallory.keyId]);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, owner.key)).status).toBe(200);
  });

  it('answers a malformed key id with 400, not 500', async () => {
    const res = await api('/keys/not-a-uuid', owner.key, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.issues[0].field).toBe('id');
  });
});

describe('suspended owners', () => {
  it("a suspended user's keys get 403 at once, and work again after reactivation", async () => {
    const u = await createUserWithKey(server.services);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(200);
    await server.services.users.setStatus(server.orm.em.fork(), u.userId, 'suspended', TEST_ACTOR);
    const res = await postData(server.url, { query: 'x', sources: 'kb' }, u.key);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'USER_SUSPENDED', message: 'This account is suspended' } });
    await server.services.users.setStatus(server.orm.em.fork(), u.userId, 'active', TEST_ACTOR);
    // At once: the cache's suspension is checked against the user's row, whether or not the NOTIFY arrived yet.
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(200);
  });

  it('works again at once when a suspension is lifted and no NOTIFY reaches this instance', async () => {
    const u = await createUserWithKey(server.services);
    await server.services.users.setStatus(server.orm.em.fork(), u.userId, 'suspended', TEST_ACTOR);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(403);
    expect(server.services.keyCache.get(keyDigest(u.key))).toMatchObject({ userStatus: 'suspended' });
    // Lifted behind the cache's back: no invalidation is sent.
    await server.orm.em.fork().execute(`update users set status = 'active' where id = ?`, [u.userId]);
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, u.key)).status).toBe(200);
    expect((await postData(server.url, { query: 'y', sources: 'kb' }, u.key)).status).toBe(200);
  });
});

describe('invalidation across instances (LISTEN/NOTIFY)', () => {
  it("evicts a revoked key from another instance's cache through NOTIFY (and prints how soon)", async () => {
    const other = await startTestServer({ db: server.db });
    try {
      const u = await createUserWithKey(server.services);
      expect((await postData(other.url, { query: 'warm', sources: 'kb' }, u.key)).status).toBe(200);
      const digest = keyDigest(u.key);
      expect(other.services.keyCache.get(digest)).toMatchObject({ keyId: u.keyId });

      await server.services.keys.revoke(server.orm.em.fork(), { keyId: u.keyId, actor: TEST_ACTOR });
      // The key cache's TTL is 5 minutes, so only the NOTIFY can evict it within this ceiling (a hang guard, not a budget).
      const started = performance.now();
      await vi.waitFor(() => expect(other.services.keyCache.get(digest)).toBeUndefined(), { timeout: 30_000, interval: 2 });
      console.log(`NOTIFY evicted the key on the other instance after ${(performance.now() - started).toFixed(1)} ms`);
      expect((await postData(other.url, { query: 'after', sources: 'kb' }, u.key)).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('evicts all of a user’s keys when the user is suspended or changes tier', async () => {
    const other = await startTestServer({ db: server.db });
    try {
      const u = await createUserWithKey(server.services);
      await postData(other.url, { query: 'warm', sources: 'kb' }, u.key);
      const digest = keyDigest(u.key);
      await server.services.users.setTier(server.orm.em.fork(), u.userId, 'Pro', TEST_ACTOR);
      await expect.poll(() => other.services.keyCache.get(digest), { timeout: 30_000, interval: 5 }).toBeUndefined();
      const res = await postData(other.url, { query: 'pro', sources: 'kb' }, u.key);
      expect(res.headers.get('x-ratelimit-limit')).toBe('10000');
      expect(other.services.keyCache.get(digest)).toMatchObject({ tierName: 'Pro', quota: 10000 });
    } finally {
      await other.close();
    }
  });
});
