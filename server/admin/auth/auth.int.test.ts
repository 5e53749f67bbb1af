import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/service.ts';
import { adminClient, createAdmin, signIn } from '../../testing/admin.ts';
import { createUserWithKey } from '../../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      ADMIN_LOGIN_MAX_FAILURES_ACCOUNT: '3',
      ADMIN_LOGIN_MAX_FAILURES_IP: '50',
      // Long enough that a busy machine never ends them early; tests end them by moving the deadline in the database.
      ADMIN_LOGIN_LOCKOUT_MS: '60000',
      ADMIN_SESSION_IDLE_MS: '3600000',
      TRUST_PROXY: 'true',
    },
  });
});
afterAll(() => server.close());

/** Lets the idle time pass on an admin's sessions: the deadlines move into the past, the rows stay. */
async function idleOut(email: string): Promise<void> {
  await server.orm.em.fork().execute(
    `update admin_sessions set expires_at = now() - interval '1 second' where admin_id = (select id from admin_accounts where email = ?)`,
    [email],
  );
}

const trpc = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('signing in', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and returns a CSRF token; no password or hash is returned', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    const res = await trpc('auth.signIn', { email, password });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^harmonic_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const body = await res.json();
    expect(body.result.data).toEqual({ admin: { id: expect.any(String), email, name: '', role: 'admin' }, csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(JSON.stringify(body)).not.toContain(password);
    expect(JSON.stringify(body)).not.toContain('$2');
  });

  it('marks the cookie Secure when served over https', async () => {
    const { email, password } = await createAdmin(server.services, 'viewer');
    const session = await signIn(server, email, password, { 'x-forwarded-proto': 'https' });
    expect(session.setCookie).toMatch(/; Secure/);
  });

  it('stores only a hash of the session token', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    const session = await signIn(server, email, password);
    const dump = JSON.stringify(await server.orm.em.fork().execute(`select * from admin_sessions`));
    expect(dump).not.toContain(session.sessionToken);
  });

  it('answers an unknown email exactly like a wrong password, at the same cost', async () => {
    const { email } = await createAdmin(server.services, 'admin');
    // The time of a sign-in is the time of its bcrypt compare; counting compares proves equal cost without timing a loaded machine.
    const compare = vi.spyOn(bcrypt, 'compare');
    const attempt = async (body: unknown) => {
      compare.mockClear();
      const res = await trpc('auth.signIn', body, { 'x-forwarded-for': '203.0.113.50' });
      return { compares: compare.mock.calls.length, status: res.status, message: (await res.json()).error.message };
    };
    try {
      const wrong = await attempt({ email, password: 'not the password' });
      const unknown = await attempt({ email: 'nobody@example.com', password: 'not the password' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.message).toBe(wrong.message);
      expect(wrong.message).toBe('Invalid email or password');
      // Without the dummy compare the unknown email would cost none, and answer in ~1 ms.
      expect(wrong.compares).toBe(1);
      expect(unknown.compares).toBe(1);
    } finally {
      compare.mockRestore();
    }
  });

  it('names the field for bad input', async () => {
    const res = await trpc('auth.signIn', { email: '', password: '' });
    expect(res.status).toBe(400);
    const data = (await res.json()).error.data;
    expect(data.issues.map((i: { field: string }) => i.field)).toEqual(['email', 'password']);
  });
});

describe('sessions', () => {
  it('expire after the idle limit and then need a new sign-in', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    const session = await signIn(server, email, password);
    const client = adminClient(server, session);
    expect(await client.auth.me.query()).toMatchObject({ admin: { email } });
    await idleOut(email);
    expect(await client.auth.me.query()).toBeNull();
    await expect(client.admin.tiers.list.query()).rejects.toMatchObject({ data: { httpStatus: 401 }, message: 'Your session has expired; sign in again' });
  });

  it('sign-out ends the session on the server; sign-out-everywhere ends all of them', async () => {
    const { email, password } = await createAdmin(server.services, 'viewer');
    const a = await signIn(server, email, password);
    const b = await signIn(server, email, password);
    const c = await signIn(server, email, password);
    const outA = await trpc('auth.signOut', undefined, { cookie: a.cookie, 'x-csrf-token': a.csrfToken });
    expect(outA.status).toBe(200);
    expect(outA.headers.get('set-cookie')).toMatch(/harmonic_session=;/);
    expect(await adminClient(server, a).auth.me.query()).toBeNull();
    expect(await adminClient(server, b).auth.me.query()).not.toBeNull();

    expect(await adminClient(server, b).auth.signOutEverywhere.mutate()).toEqual({ sessions: 2 });
    expect(await adminClient(server, c).auth.me.query()).toBeNull();
  });
});

describe('CSRF and origins', () => {
  it('refuses a cookie-authenticated mutation without the CSRF token', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    const session = await signIn(server, email, password);
    const res = await trpc('admin.tiers.create', { name: 'NoCsrf', monthlyQuota: 5, priceCents: 0 }, { cookie: session.cookie });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toBe('Missing or invalid X-CSRF-Token header');
    const wrong = await trpc('admin.tiers.create', { name: 'NoCsrf', monthlyQuota: 5, priceCents: 0 }, { cookie: session.cookie, 'x-csrf-token': 'nope' });
    expect(wrong.status).toBe(403);
  });

  it('only accepts cookie routes from the configured origins', async () => {
    const { email, password } = await createAdmin(server.services, 'admin');
    const evil = await trpc('auth.signIn', { email, password }, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    const session = await signIn(server, email, password, { origin: server.url });
    const fromEvil = await fetch(`${server.url}/trpc/admin.tiers.list`, { headers: { cookie: session.cookie, origin: 'https://evil.example' } });
    expect(fromEvil.status).toBe(403);
    const crossSite = await fetch(`${server.url}/trpc/admin.tiers.list`, { headers: { cookie: session.cookie, 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await fetch(`${server.url}/trpc/admin.tiers.list`, { headers: { cookie: session.cookie, origin: server.url } });
    expect(sameOrigin.status).toBe(200);
  });

  it('an API key never grants admin access', async () => {
    const user = await createUserWithKey(server.services);
    const res = await fetch(`${server.url}/trpc/admin.users.list`, { headers: { 'x-api-key': user.key } });
    expect(res.status).toBe(401);
  });
});

describe('the first admin', () => {
  it('is created once from HARMONIC_ADMIN_EMAIL/PASSWORD, or with a generated password returned once', async () => {
    const empty = await startTestServer({ env: { HARMONIC_ADMIN_EMAIL: 'Boss@Example.com', HARMONIC_ADMIN_PASSWORD: 'correct horse battery' } });
    try {
      const first = await empty.services.adminAccounts.bootstrap(empty.orm.em.fork(), SYSTEM_ACTOR);
      expect(first).toEqual({ email: 'boss@example.com', password: undefined });
      expect(await empty.services.adminAccounts.bootstrap(empty.orm.em.fork(), SYSTEM_ACTOR)).toBeUndefined();
      await signIn(empty, 'boss@example.com', 'correct horse battery');
    } finally {
      await empty.close();
    }

    const generated = await startTestServer();
    try {
      const [a, b] = await Promise.all([
        generated.services.adminAccounts.bootstrap(generated.orm.em.fork(), SYSTEM_ACTOR),
        generated.services.adminAccounts.bootstrap(generated.orm.em.fork(), SYSTEM_ACTOR),
      ]);
      const created = a ?? b;
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect(created?.email).toBe('admin@harmonic.local');
      expect(created?.password).toMatch(/^[A-Za-z2-9]{6}(-[A-Za-z2-9]{6}){3}$/);
      const session = await signIn(generated, 'admin@harmonic.local', created?.password ?? '');
      expect((await adminClient(generated, session).auth.me.query())?.admin.role).toBe('owner');
    } finally {
      await generated.close();
    }
  });
});
