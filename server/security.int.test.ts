import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDatabase } from './testing/dump.ts';
import { createUserWithKey, postData } from './testing/fixtures.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { LOG_LEVEL: 'debug' } });
});
afterAll(() => server.close());

describe('no plaintext key is ever stored or logged', () => {
  it('leaves no key (or its secret part) in a database dump or in the logs', async () => {
    const owner = await createUserWithKey(server.services);
    const keys = [owner.key];
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}/api/v1${path}`, { ...init, headers: { 'x-api-key': owner.key, 'content-type': 'application/json', ...init.headers } });

    const created = await (await api('/keys', { method: 'POST', body: JSON.stringify({ name: 'dump-check' }) })).json();
    keys.push(created.key);
    const rotated = await (await api(`/keys/${created.id}/rotate`, { method: 'POST', body: JSON.stringify({ gracePeriodSeconds: 60 }) })).json();
    keys.push(rotated.key.key);
    for (const key of keys) expect((await postData(server.url, { query: 'secret?', sources: 'kb' }, key)).status).toBe(200);
    // Bad keys get logged as requests too; they must not appear either.
    const bad = `${owner.key.slice(0, 20)}${'Z'.repeat(15)}`;
    expect((await postData(server.url, { query: 'x', sources: 'kb' }, bad)).status).toBe(401);
    await server.services.ledger.flush();

    const dump = await dumpDatabase(server.db.url);
    const logs = server.logs.join('\n');
    expect(dump.text.length).toBeGreaterThan(1000);
    expect(logs).toContain('"msg":"request"');
    for (const key of [...keys, bad]) {
      const secret = key.slice(11);
      expect(dump.text.includes(secret), `secret part of ${key.slice(0, 11)}… in the dump (${dump.via})`).toBe(false);
      expect(logs.includes(secret), `secret part of ${key.slice(0, 11)}… in the logs`).toBe(false);
    }
  });
});

describe('no plaintext password is ever stored, logged or echoed', () => {
  it('leaves admin passwords out of the dump, the logs and every error body', async () => {
    const { adminClient, createAdmin, signIn } = await import('./testing/admin.ts');
    const { email, password } = await createAdmin(server.services, 'owner');
    const wrong = `${password}-but-wrong`;
    const failed = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: wrong }),
    });
    const failedBody = await failed.text();
    const session = await signIn(server, email, password);
    const tooShort = 'short-pass';
    const change = await fetch(`${server.url}/trpc/auth.changePassword`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrfToken },
      body: JSON.stringify({ currentPassword: password, newPassword: tooShort }),
    });
    const changeBody = await change.text();
    expect(change.status).toBe(400);
    const created = await adminClient(server, session).admin.accounts.create.mutate({ email: 'gen@example.com', role: 'viewer' });

    const dump = (await dumpDatabase(server.db.url)).text;
    const logs = server.logs.join('\n');
    for (const secret of [password, wrong, tooShort, created.generatedPassword ?? 'x'.repeat(30)]) {
      expect(dump.includes(secret), 'password in the dump').toBe(false);
      expect(logs.includes(secret), 'password in the logs').toBe(false);
      expect(failedBody.includes(secret) || changeBody.includes(secret), 'password in an error body').toBe(false);
    }
  });
});

describe('SQL injection', () => {
  const nasty = ["'; drop table users; --", "Robert'); DROP TABLE api_keys;--", '" or 1=1 --', '\\\\x00; select pg_sleep(5)', '$1 $$ ?? \\'];

  it('is stored and returned as plain text in every string field, and changes nothing else', async () => {
    const { adminClient, signInAs } = await import('./testing/admin.ts');
    const admin = adminClient(server, await signInAs(server, 'owner'));
    for (const [i, text] of nasty.entries()) {
      const user = await admin.admin.users.create.mutate({ email: `inject${i}@example.com`, name: text });
      expect((await admin.admin.users.get.query({ id: user.id })).user.name).toBe(text);
      const key = await admin.admin.keys.create.mutate({ userId: user.id, name: text, metadata: { [text.slice(0, 60)]: text } });
      const listed = (await admin.admin.keys.list.query({ userId: user.id }))[0];
      expect(listed).toMatchObject({ name: text, metadata: { [text.slice(0, 60)]: text } });
      const tier = await admin.admin.tiers.create.mutate({ name: `${text.slice(0, 50)} ${i}`, monthlyQuota: 5, priceCents: 0, description: text });
      expect(tier.description).toBe(text);
      const entry = await admin.admin.kb.create.mutate({ title: text, body: text, tags: [text.slice(0, 50)] });
      expect((await admin.admin.kb.get.query({ id: entry.id })).title).toBe(text);
      const search = await admin.admin.users.list.query({ search: text });
      expect(search.items.map((u) => u.id)).toContain(user.id);
      const tracked = await fetch(`${server.url}/api/v1/usage/track`, {
        method: 'POST',
        headers: { 'x-api-key': key.key, 'content-type': 'application/json' },
        body: JSON.stringify({ endpoint: text, source: text.slice(0, 50) }),
      });
      expect(tracked.status).toBe(201);
      const data = await postData(server.url, { query: text, sources: 'kb' }, key.key);
      expect(data.status).toBe(200);
      expect((await admin.admin.audit.list.query({ actor: text })).items).toEqual([]);
    }
    const [counts] = await server.orm.em.fork().execute<{ users: number; keys: number }[]>(
      `select (select count(*)::int from users) as users, (select count(*)::int from api_keys) as keys`,
    );
    expect(counts?.users).toBeGreaterThanOrEqual(nasty.length);
    expect(counts?.keys).toBeGreaterThanOrEqual(nasty.length);
  });
});
