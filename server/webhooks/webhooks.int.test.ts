import type { LookupFunction } from 'node:net';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, type WebhookDeliveryView } from '../../shared/webhooks.ts';
import { adminClient, signInAs } from '../testing/admin.ts';
import { createCustomer, Inbox, portalClient, signInCustomer } from '../testing/customers.ts';
import { createTestDatabase } from '../testing/database.ts';
import { TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { eventually, WebhookReceiver } from '../testing/webhook-receiver.ts';
import { OutboundClient } from './outbound.ts';

/**
 * Outgoing webhooks end to end: the real server on its own database sends to a local receiver
 * (http://localhost, ALLOW_INSECURE_WEBHOOKS=true) that verifies every delivery with the Standard
 * Webhooks library. Time for retries moves on the webhook service's clock, never by waiting:
 * `requeueDue()` hands on every delivery due by that clock, as the minute sweep does.
 */
const ENV = { ALLOW_INSECURE_WEBHOOKS: 'true' };

let server: TestServer;
let receiver: WebhookReceiver;
const secrets: string[] = [];

type Portal = ReturnType<typeof portalClient>;
let alice: { userId: string; email: string; portal: Portal };
let bob: { userId: string; email: string; portal: Portal };
let admin: ReturnType<typeof adminClient>;

async function customer(s: TestServer) {
  const c = await createCustomer(s);
  return { userId: c.userId, email: c.email, portal: portalClient(s, await signInCustomer(s, c.email, c.password)) };
}

/** Registers an endpoint at `path` of the receiver and tells the receiver its secret. */
async function endpoint(owner: Portal | 'operator', path: string, eventTypes: ('key.created' | 'key.revoked' | 'key.rotated' | 'key.expired')[]) {
  const input = { url: receiver.url(path), eventTypes };
  const created = owner === 'operator' ? await admin.admin.webhooks.create.mutate(input) : await owner.portal.webhooks.create.mutate(input);
  secrets.push(created.secret);
  receiver.trust(path, created.secret);
  return created.endpoint;
}

async function delivery(s: TestServer, id: string): Promise<WebhookDeliveryView> {
  const [row] = await s.orm.em.getConnection().execute<{ endpoint_id: string }[]>(`select endpoint_id from webhook_deliveries where id = ?`, [id]);
  const page = await s.services.webhooks.deliveries(s.orm.em.fork() as never, { id: row?.endpoint_id ?? '', scope: undefined, limit: 100 });
  const found = page.items.find((d) => d.id === id);
  if (!found) throw new Error(`no delivery ${id}`);
  return found;
}

/** Waits until delivery `id` has made `attempts` attempts and its result is recorded. */
const afterAttempt = (s: TestServer, id: string, attempts: number) =>
  eventually(`delivery ${id} after attempt ${attempts}`, async () => {
    const d = await delivery(s, id);
    // The claim clears the last result; recording an attempt always sets its duration.
    return d.attempts === attempts && d.lastDurationMs !== null ? d : undefined;
  });

const problem = async (work: Promise<unknown>) => {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  const e = err as TRPCClientError<never>;
  return { code: (e.data as { code?: string } | undefined)?.code, message: e.message, issues: (e.data as { issues?: unknown } | undefined)?.issues };
};

beforeAll(async () => {
  receiver = await new WebhookReceiver().start();
  server = await startTestServer({ env: ENV });
  alice = await customer(server);
  bob = await customer(server);
  admin = adminClient(server, await signInAs(server, 'admin'));
});

afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe('registering endpoints', () => {
  it('refuses URLs the SSRF rules forbid, with a 400 naming url', async () => {
    for (const [url, words] of [
      ['http://127.0.0.1:8080/hook', 'must use https (http is allowed only for localhost)'],
      ['http://169.254.169.254/latest/meta-data/', 'must use https (http is allowed only for localhost)'],
      ['ftp://hooks.example.com/', 'must use https'],
      ['not a url', 'must be a URL such as https://example.com/webhooks'],
    ] as const) {
      const p = await problem(alice.portal.portal.webhooks.create.mutate({ url, eventTypes: ['key.created'] }));
      expect(p, url).toMatchObject({ code: 'BAD_REQUEST', message: `url: ${words}`, issues: [{ field: 'url', message: words }] });
    }
    const empty = await problem(alice.portal.portal.webhooks.create.mutate({ url: receiver.url('/x'), eventTypes: [] }));
    expect(empty).toMatchObject({ code: 'BAD_REQUEST', message: 'eventTypes: pick at least one event type' });
    expect(await alice.portal.portal.webhooks.list.query()).toEqual([]);
  });

  it('refuses http://localhost when insecure webhooks are not allowed', async () => {
    const strict = await startTestServer();
    try {
      const c = await customer(strict);
      const p = await problem(c.portal.portal.webhooks.create.mutate({ url: receiver.url('/strict'), eventTypes: ['key.created'] }));
      expect(p).toMatchObject({ code: 'BAD_REQUEST', issues: [{ field: 'url', message: 'must use https' }] });
    } finally {
      await strict.close();
    }
  });
});

describe('key events', () => {
  it("reach the owner's endpoint and the operator's, signed, and never another customer's", async () => {
    const mine = await endpoint(alice.portal, '/alice', ['key.created', 'key.revoked', 'key.rotated']);
    await endpoint(bob.portal, '/bob', ['key.created', 'key.revoked', 'key.rotated']);
    const operator = await endpoint('operator', '/operator', ['key.created', 'key.rotated']);
    expect(mine).toMatchObject({ userId: alice.userId, enabled: true, eventTypes: ['key.created', 'key.revoked', 'key.rotated'] });
    expect(operator.userId).toBeNull();

    const key = await alice.portal.portal.keys.create.mutate({ name: 'ci' });
    const rotated = await alice.portal.portal.keys.rotate.mutate({ id: key.id });
    await alice.portal.portal.keys.revoke.mutate({ id: rotated.key.id });

    const got = await receiver.waitFor('/alice', (r) => r.length >= 4);
    expect(got.map((r) => r.payload.type).sort()).toEqual(['key.created', 'key.created', 'key.revoked', 'key.rotated']);
    expect(got.every((r) => r.verified)).toBe(true);
    const created = got.find((r) => r.payload.type === 'key.created' && (r.payload.data['key'] as { id: string }).id === key.id);
    expect(created?.payload).toEqual({
      type: 'key.created',
      timestamp: expect.any(String),
      data: { userId: alice.userId, key: { id: key.id, name: 'ci', masked: key.masked }, expiresAt: null, rotatedFromId: null },
    });
    const rotation = got.find((r) => r.payload.type === 'key.rotated');
    expect(rotation?.payload.data).toMatchObject({ userId: alice.userId, key: { id: key.id }, newKey: { id: rotated.key.id, masked: rotated.key.masked } });
    // Never the key itself.
    for (const r of got) {
      expect(r.body).not.toContain(key.key);
      expect(r.body).not.toContain(rotated.key.key);
    }

    // The operator subscribed to created and rotated only: the two created events and the rotation.
    const op = await receiver.waitFor('/operator', (r) => r.length >= 3);
    expect(op.map((r) => r.payload.type).sort()).toEqual(['key.created', 'key.created', 'key.rotated']);
    expect(op.every((r) => r.verified && r.payload.data['userId'] === alice.userId)).toBe(true);
    expect(receiver.at('/bob')).toEqual([]);

    // Each message once, by its id, and the log shows every one delivered at the first attempt.
    expect(new Set(got.map((r) => r.id)).size).toBe(4);
    const log = await alice.portal.portal.webhooks.deliveries.query({ id: mine.id });
    expect(log.items.map((d) => [d.state, d.attempts, d.lastStatus])).toEqual(Array(4).fill(['delivered', 1, 200]));
    expect(log.items.map((d) => d.id).sort()).toEqual(got.map((r) => r.id).sort());
  });

  it('key.expired comes from the housekeeping pass', async () => {
    await endpoint(alice.portal, '/alice-expiry', ['key.expired']);
    const key = await server.services.keys.create(server.orm.em.fork(), { userId: alice.userId, name: 'short', actor: TEST_ACTOR });
    await server.orm.em.getConnection().execute(`update api_keys set expires_at = now() - interval '1 second' where id = ?`, [key.id]);
    expect(await server.services.maintenance.runOnce()).toBeGreaterThanOrEqual(1);
    const [got] = await receiver.waitFor('/alice-expiry', (r) => r.length >= 1);
    expect(got?.verified).toBe(true);
    expect(got?.payload).toMatchObject({ type: 'key.expired', data: { userId: alice.userId, key: { id: key.id, name: 'short', masked: key.masked } } });
  });

  it('are not sent for a change that rolled back', async () => {
    await endpoint(alice.portal, '/alice-rollback', ['key.created']);
    const em = server.orm.em.fork();
    await expect(
      em.transactional(async (tx) => {
        await server.services.webhooks.emit(tx as never, alice.userId, {
          type: 'key.created',
          data: { userId: alice.userId, key: { id: crypto.randomUUID(), name: 'never', masked: 'hm_x…' }, expiresAt: null, rotatedFromId: null },
        });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    // A later event is delivered; the rolled-back one never is.
    await alice.portal.portal.keys.create.mutate({ name: 'after' });
    const got = await receiver.waitFor('/alice-rollback', (r) => r.length >= 1);
    expect(got.map((r) => (r.payload.data['key'] as { name: string }).name)).toEqual(['after']);
  });
});

describe('another customer', () => {
  it("gets NOT_FOUND for the first customer's endpoint and delivery ids", async () => {
    const [mine] = await alice.portal.portal.webhooks.list.query();
    if (!mine) throw new Error('alice has no endpoint');
    const [oneDelivery] = (await alice.portal.portal.webhooks.deliveries.query({ id: mine.id })).items;
    const w = bob.portal.portal.webhooks;
    const calls: [string, () => Promise<unknown>][] = [
      ['update', () => w.update.mutate({ id: mine.id, description: 'mine now' })],
      ['delete', () => w.delete.mutate({ id: mine.id })],
      ['disable', () => w.disable.mutate({ id: mine.id })],
      ['enable', () => w.enable.mutate({ id: mine.id })],
      ['sendTest', () => w.sendTest.mutate({ id: mine.id })],
      ['rotateSecret', () => w.rotateSecret.mutate({ id: mine.id })],
      ['deliveries', () => w.deliveries.query({ id: mine.id })],
      ['retry', () => w.retry.mutate({ id: oneDelivery?.id ?? 'msg_x' })],
    ];
    for (const [name, call] of calls) expect((await problem(call())).code, name).toBe('NOT_FOUND');
    // The operator's endpoints are not a customer's either.
    const [operator] = await admin.admin.webhooks.list.query({});
    expect((await problem(w.deliveries.query({ id: operator?.id ?? '' }))).code).toBe('NOT_FOUND');
    expect((await alice.portal.portal.webhooks.list.query()).find((e) => e.id === mine.id)).toMatchObject({ enabled: true, description: '' });
  });
});

describe('the delivery log', () => {
  it('keeps finished deliveries 30 days, and pending ones until they finish', async () => {
    const ep = await endpoint(alice.portal, '/old', ['key.created']);
    const done = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
    await afterAttempt(server, done.id, 1);
    const waiting = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
    await afterAttempt(server, waiting.id, 1);
    const conn = server.orm.em.getConnection();
    await conn.execute(`update webhook_deliveries set created_at = now() - interval '31 days' where endpoint_id = ?`, [ep.id]);
    await conn.execute(`update webhook_deliveries set state = 'pending', next_attempt_at = now() + interval '1 hour' where id = ?`, [waiting.id]);
    await server.services.maintenance.runOnce();
    const left = await conn.execute<{ id: string }[]>(`select id from webhook_deliveries where endpoint_id = ?`, [ep.id]);
    expect(left.map((r) => r.id)).toEqual([waiting.id]);
    await alice.portal.portal.webhooks.delete.mutate({ id: ep.id });
  });
});

describe('a deleted user', () => {
  it('takes their endpoints and delivery logs along', async () => {
    const c = await customer(server);
    const ep = await endpoint(c.portal, '/deleted', ['key.created']);
    await c.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
    await server.services.users.delete(server.orm.em.fork(), c.userId, TEST_ACTOR);
    const conn = server.orm.em.getConnection();
    expect(await conn.execute(`select id from webhook_endpoints where user_id = ?`, [c.userId])).toEqual([]);
    expect(await conn.execute(`select id from webhook_deliveries where endpoint_id = ?`, [ep.id])).toEqual([]);
  });
});

describe('retries', () => {
  it('follow the schedule with the same webhook-id and a fresh signature, and end exhausted', async () => {
    const start = Date.parse('2030-01-01T00:00:00Z');
    let now = start;
    server.services.webhooks.clock = () => now;
    try {
      const ep = await endpoint(alice.portal, '/down', ['key.created']);
      receiver.down = true;
      const sent = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
      expect(sent).toMatchObject({ state: 'pending', attempts: 0, eventType: 'webhook.test' });
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const d = await afterAttempt(server, sent.id, attempt);
        expect(d.lastStatus).toBe(503);
        expect(d.lastError).toBe('Answered 503');
        const delay = RETRY_DELAYS_SECONDS[attempt - 1];
        if (delay === undefined) {
          expect(d.state).toBe('exhausted');
          expect(d.nextAttemptAt).toBeNull();
        } else {
          expect(d.state).toBe('pending');
          expect(d.nextAttemptAt).toBe(new Date(now + delay * 1000).toISOString());
          // Not due yet: nothing is handed on.
          now += delay * 1000 - 1000;
          expect(await server.services.webhooks.requeueDue()).toBe(0);
          now += 1000;
          expect(await server.services.webhooks.requeueDue()).toBe(1);
        }
      }
      const got = receiver.at('/down');
      expect(got).toHaveLength(MAX_ATTEMPTS);
      expect(new Set(got.map((r) => r.id))).toEqual(new Set([sent.id]));
      expect(got.every((r) => r.verified)).toBe(true);
      expect(new Set(got.map((r) => r.body)).size).toBe(1);

      // "Retry now" after the receiver is back: one more attempt, delivered.
      receiver.down = false;
      const retried = await alice.portal.portal.webhooks.retry.mutate({ id: sent.id });
      expect(retried.state).toBe('pending');
      const done = await afterAttempt(server, sent.id, MAX_ATTEMPTS + 1);
      expect(done).toMatchObject({ state: 'delivered', lastStatus: 200, lastError: null });
      expect((await problem(alice.portal.portal.webhooks.retry.mutate({ id: sent.id }))).code).toBe('CONFLICT');
    } finally {
      receiver.down = false;
      server.services.webhooks.clock = Date.now;
    }
  });

  it('deliver once the receiver is back, exactly once', async () => {
    let now = Date.parse('2031-01-01T00:00:00Z');
    server.services.webhooks.clock = () => now;
    try {
      const ep = await endpoint(alice.portal, '/flaky', ['key.created']);
      receiver.down = true;
      const sent = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
      await afterAttempt(server, sent.id, 1);
      now += 5_000;
      await server.services.webhooks.requeueDue();
      await afterAttempt(server, sent.id, 2);
      receiver.down = false;
      now += 300_000;
      // Twice: a duplicate hand-on (two sweeps, two instances) still makes one attempt.
      await server.services.webhooks.requeueDue();
      await server.services.webhooks.requeueDue();
      const d = await afterAttempt(server, sent.id, 3);
      expect(d.state).toBe('delivered');
      now += 86_400_000;
      expect(await server.services.webhooks.requeueDue()).toBe(0);
      const got = receiver.at('/flaky');
      expect(got.map((r) => [r.id, r.answered])).toEqual([
        [sent.id, 503],
        [sent.id, 503],
        [sent.id, 200],
      ]);
      expect((await alice.portal.portal.webhooks.list.query()).find((e) => e.id === ep.id)?.failingSince).toBeNull();
    } finally {
      receiver.down = false;
      server.services.webhooks.clock = Date.now;
    }
  });
});

describe('auto-disable', () => {
  it('disables an endpoint failing for 5 days, ends its pending deliveries and emails its owner', async () => {
    const inbox = new Inbox(server);
    const since = inbox.mark();
    let now = Date.parse('2032-01-01T00:00:00Z');
    server.services.webhooks.clock = () => now;
    try {
      const ep = await endpoint(alice.portal, '/dead', ['key.created']);
      receiver.down = true;
      const first = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
      await afterAttempt(server, first.id, 1);
      expect((await alice.portal.portal.webhooks.list.query()).find((e) => e.id === ep.id)?.failingSince).toBe(new Date(now).toISOString());
      now += 5 * 86_400_000;
      const second = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
      await afterAttempt(server, second.id, 1);
      const after = (await alice.portal.portal.webhooks.list.query()).find((e) => e.id === ep.id);
      expect(after).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('Every delivery failed for 5 days') });
      expect((await delivery(server, first.id)).state).toBe('failed');
      const email = await inbox.next(alice.email, '/app/webhooks', since);
      expect(email.subject).toBe('Your webhook endpoint was disabled');
      expect(email.text).toContain(receiver.url('/dead'));
      // Disabled: no new deliveries.
      expect((await problem(alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id }))).code).toBe('CONFLICT');
      await server.services.webhooks.emit(server.orm.em.fork() as never, alice.userId, {
        type: 'key.created',
        data: { userId: alice.userId, key: { id: crypto.randomUUID(), name: 'x', masked: 'hm_x…' }, expiresAt: null, rotatedFromId: null },
      });
      const log = await alice.portal.portal.webhooks.deliveries.query({ id: ep.id });
      expect(log.items.map((d) => d.id).sort()).toEqual([first.id, second.id].sort());
      const audit = await server.orm.em.getConnection().execute<{ action: string }[]>(`select action from audit_events where target_id = ? order by id`, [ep.id]);
      expect(audit.map((a) => a.action)).toEqual(['webhook.created', 'webhook.disabled']);
      const enabled = await alice.portal.portal.webhooks.enable.mutate({ id: ep.id });
      expect(enabled).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
    } finally {
      receiver.down = false;
      server.services.webhooks.clock = Date.now;
    }
  });

  it('disable and enable by hand', async () => {
    const ep = await endpoint(alice.portal, '/paused', ['key.created']);
    expect(await alice.portal.portal.webhooks.disable.mutate({ id: ep.id })).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('Disabled by') });
    await alice.portal.portal.keys.create.mutate({ name: 'while paused' });
    expect((await alice.portal.portal.webhooks.deliveries.query({ id: ep.id })).items).toEqual([]);
    await alice.portal.portal.webhooks.enable.mutate({ id: ep.id });
    await alice.portal.portal.keys.create.mutate({ name: 'after' });
    const got = await receiver.waitFor('/paused', (r) => r.length >= 1);
    expect(got.map((r) => (r.payload.data['key'] as { name: string }).name)).toEqual(['after']);
  });
});

describe('outgoing requests at send time', () => {
  it('refuse a name that resolves to a private address: the delivery ends failed with the refusal', async () => {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '10.0.0.5', family: 4 }]);
      else callback(null, '10.0.0.5', 4);
    };
    const real = server.services.webhooks.outbound;
    server.services.webhooks.outbound = new OutboundClient({ config: server.config.webhooks, lookup });
    try {
      const created = await alice.portal.portal.webhooks.create.mutate({ url: 'https://internal.localhost/hook', eventTypes: ['key.created'] });
      secrets.push(created.secret);
      const sent = await alice.portal.portal.webhooks.sendTest.mutate({ id: created.endpoint.id });
      const d = await afterAttempt(server, sent.id, 1);
      expect(d).toMatchObject({
        state: 'failed',
        lastStatus: null,
        lastError: 'Refused: 10.0.0.5 (internal.localhost) is a loopback, private, link-local or reserved address; allow it with WEBHOOK_ALLOWED_NETWORKS',
        nextAttemptAt: null,
      });
    } finally {
      server.services.webhooks.outbound = real;
    }
  });
});

describe('outgoing requests at send time, with the real resolver', () => {
  it('refuse loopback and metadata addresses, and never follow a redirect to one', async () => {
    const refused: string[] = [];
    for (const url of ['https://127.0.0.1:9/hook', 'https://169.254.169.254/latest/meta-data/', 'https://[::1]/hook']) {
      const created = await alice.portal.portal.webhooks.create.mutate({ url, eventTypes: ['key.created'] });
      secrets.push(created.secret);
      const sent = await alice.portal.portal.webhooks.sendTest.mutate({ id: created.endpoint.id });
      const d = await afterAttempt(server, sent.id, 1);
      expect(d.state, url).toBe('failed');
      refused.push(d.lastError ?? '');
    }
    expect(refused.every((e) => /^Refused: .* is a loopback, private, link-local or reserved address/.test(e)), refused.join('\n')).toBe(true);

    receiver.redirects.set('/redirect', 'http://169.254.169.254/latest/meta-data/');
    const ep = await endpoint(alice.portal, '/redirect', ['key.created']);
    const sent = await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
    const d = await afterAttempt(server, sent.id, 1);
    expect(d).toMatchObject({ state: 'pending', lastStatus: 302, lastError: 'Answered 302 (redirects are not followed)' });
    expect(receiver.at('/redirect')).toHaveLength(1);
    await alice.portal.portal.webhooks.disable.mutate({ id: ep.id });
  });

  it('limit test events and retries per endpoint', async () => {
    const ep = await endpoint(alice.portal, '/limited', ['key.created']);
    for (let i = 0; i < 10; i++) await alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id });
    const p = await problem(alice.portal.portal.webhooks.sendTest.mutate({ id: ep.id }));
    expect(p).toMatchObject({ code: 'TOO_MANY_REQUESTS', message: expect.stringContaining('Too many test events and retries for this endpoint') });
  });
});

describe('a server restart', () => {
  it('loses nothing: a retry pending when one server stops is delivered by the next', async () => {
    const db = await createTestDatabase();
    const first = await startTestServer({ env: ENV, db });
    let secondServer: TestServer | undefined;
    try {
      const c = await customer(first);
      const ep = await endpoint(c.portal, '/restart', ['key.created']);
      receiver.down = true;
      const key = await c.portal.portal.keys.create.mutate({ name: 'across restarts' });
      const [failed] = await receiver.waitFor('/restart', (r) => r.length >= 1);
      const pending = await eventually('the retry is scheduled', async () => {
        const [d] = (await c.portal.portal.webhooks.deliveries.query({ id: ep.id })).items;
        return d?.state === 'pending' && d.attempts === 1 && d.lastError ? d : undefined;
      });
      await first.close();

      receiver.down = false;
      secondServer = await startTestServer({ env: ENV, db });
      const second = secondServer;
      second.services.webhooks.clock = () => Date.now() + 10_000;
      expect(await second.services.webhooks.requeueDue()).toBe(1);
      const got = await receiver.waitFor('/restart', (r) => r.some((x) => x.answered === 200));
      expect(got.map((r) => [r.id, r.answered])).toEqual([
        [failed?.id, 503],
        [failed?.id, 200],
      ]);
      expect(got[1]?.verified).toBe(true);
      expect((got[1]?.payload.data['key'] as { id: string }).id).toBe(key.id);
      expect(await afterAttempt(second, pending.id, 2)).toMatchObject({ state: 'delivered' });
    } finally {
      receiver.down = false;
      await secondServer?.close();
      await db.drop();
    }
  });
});

describe('two instances on one database', () => {
  it('deliver each message once, whichever instance works it', async () => {
    const db = await createTestDatabase();
    const one = await startTestServer({ env: ENV, db });
    // The customer signs up before the second instance starts: its verification email is a job,
    // and only the instance that works it prints it where the test's inbox reads.
    const c = await customer(one);
    const ep = await endpoint(c.portal, '/pair', ['key.created']);
    const two = await startTestServer({ env: ENV, db });
    try {
      const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => c.portal.portal.keys.create.mutate({ name: `k${i}` })));
      // Every attempt handed to both instances as well: the claim lets one of them send it.
      await Promise.all([one.services.webhooks.requeueDue(), two.services.webhooks.requeueDue()]);
      const got = await receiver.waitFor('/pair', (r) => r.length >= 20);
      await eventually('every delivery recorded', async () => {
        const log = await c.portal.portal.webhooks.deliveries.query({ id: ep.id, limit: 100 });
        return log.items.length === 20 && log.items.every((d) => d.state === 'delivered') ? log : undefined;
      });
      expect(got).toHaveLength(20);
      expect(new Set(got.map((r) => r.id)).size).toBe(20);
      expect(got.every((r) => r.verified)).toBe(true);
      expect(new Set(got.map((r) => (r.payload.data['key'] as { id: string }).id))).toEqual(new Set(keys.map((k) => k.id)));
      // No attempt was made twice.
      const log = await c.portal.portal.webhooks.deliveries.query({ id: ep.id, limit: 100 });
      expect(log.items.map((d) => d.attempts)).toEqual(Array(20).fill(1));
    } finally {
      await one.close();
      await two.close();
      await db.drop();
    }
  });
});

describe('secrets and metrics', () => {
  it('the signing secret is shown once: never listed, logged, or stored in plaintext', async () => {
    const [ep] = await alice.portal.portal.webhooks.list.query();
    if (!ep) throw new Error('no endpoint');
    const rotated = await alice.portal.portal.webhooks.rotateSecret.mutate({ id: ep.id });
    secrets.push(rotated.secret);
    expect(rotated.secret).toMatch(/^whsec_/);
    const listed = JSON.stringify([await alice.portal.portal.webhooks.list.query(), await admin.admin.webhooks.list.query({ userId: alice.userId }), await admin.admin.webhooks.list.query({})]);
    const conn = server.orm.em.getConnection();
    const tables = JSON.stringify([
      await conn.execute(`select * from webhook_endpoints`),
      await conn.execute(`select * from webhook_deliveries`),
      await conn.execute(`select * from audit_events`),
      await conn.execute(`select data from pgboss.job`),
    ]);
    expect(secrets.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(listed).not.toContain(secret);
      expect(tables).not.toContain(secret);
      expect(server.logs.join('\n')).not.toContain(secret);
      expect(server.logs.join('\n')).not.toContain(secret.slice('whsec_'.length));
    }
  });

  it('/metrics counts deliveries by outcome and event type, and shows the backlog', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/harmonic_webhook_deliveries_total\{outcome="delivered",event_type="key.created"\} [1-9]/);
    expect(text).toMatch(/harmonic_webhook_deliveries_total\{outcome="retrying",event_type="webhook.test"\} [1-9]/);
    expect(text).toMatch(/harmonic_webhook_deliveries_total\{outcome="exhausted",event_type="webhook.test"\} 1/);
    expect(text).toMatch(/harmonic_webhook_deliveries_total\{outcome="failed",event_type="webhook.test"\} [1-9]/);
    expect(text).toMatch(/^harmonic_webhook_pending_deliveries \d+$/m);
    expect(text).toMatch(/^harmonic_webhook_oldest_pending_seconds [\d.e+-]+$/m);
  });
});
