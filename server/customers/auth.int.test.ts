import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClient, createAdmin, signIn, signInAs } from '../testing/admin.ts';
import { createCustomer, freshIpv6, Inbox, portalClient, sessionFrom, signInCustomer, type CustomerSessionCookie } from '../testing/customers.ts';
import { createUserWithKey, TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

/**
 * The customer realm as a customer and an attacker meet it, over HTTP: sign-up, sign-in, sessions
 * and their separation from the admin realm. The client connects from 127.0.0.1, a trusted hop
 * under TRUST_PROXY=true, so each X-Forwarded-For value is the address a balancer saw. Time moves
 * only through the realm's clock: no test waits.
 */
let server: TestServer;
let now = Date.now();
beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: 'true', SIGNUP_MAX_PER_ADDRESS: '3', PORTAL_SESSION_IDLE_MS: String(3_600_000) } });
  server.services.customerAuth.clock = () => now;
  server.services.adminAuth.clock = () => now;
});
afterAll(() => server.close());
beforeEach(() => {
  // Each test starts a day after the last, with every window and lockout of earlier tests over.
  now += 24 * 3_600_000;
});

const call = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}/trpc/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { res, status: res.status, body: await res.json() };
};
const query = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}/trpc/${path}`, { headers });
  return { status: res.status, body: await res.json() };
};
const as = (s: CustomerSessionCookie) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });

let n = 0;
const newEmail = () => `signup-${++n}-${now}@example.com`;
const PASSWORD = 'correct horse battery staple';

async function signUp(email = newEmail(), address = freshIpv6(), password = PASSWORD) {
  const out = await call('portal.auth.signUp', { email, name: 'Ada Lovelace', password }, { 'x-forwarded-for': address });
  return { ...out, email, session: out.status === 200 ? sessionFrom(email, out.res, out.body) : undefined };
}

describe('signing up', () => {
  it('creates an unverified customer on the default tier, signed in at once with an httpOnly, SameSite=Strict cookie of its own', async () => {
    const { status, body, session, email } = await signUp();
    expect(status).toBe(200);
    expect(session?.setCookie).toMatch(/^harmonic_portal=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(body.result.data).toEqual({
      customer: {
        id: expect.any(String),
        email,
        name: 'Ada Lovelace',
        emailVerifiedAt: null,
        pendingEmail: null,
        tier: 'Free',
        status: 'active',
        suspendedReason: null,
        createdAt: expect.any(String),
      },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);

    const me = await query('portal.auth.me', { cookie: session?.cookie ?? '' });
    expect(me.body.result.data.customer.email).toBe(email);

    // The admins see where the customer came from, and that the email is not verified yet.
    const admin = adminClient(server, await signInAs(server, 'viewer'));
    const { user } = await admin.admin.users.get.query({ id: body.result.data.customer.id });
    expect(user).toMatchObject({ email, origin: 'signup', emailVerifiedAt: null, tier: 'Free' });
    const audit = await admin.admin.audit.list.query({ userId: user.id });
    expect(audit.items.map((e) => [e.action, e.actorType, e.actorLabel])).toContainEqual(['customer.signed_up', 'customer', email]);
  });

  it('without SMTP_URL, prints the verification email on the console, its link working, and keeps the token out of the log', async () => {
    const inbox = new Inbox(server);
    const since = inbox.mark();
    const { email, session } = await signUp();
    const message = await inbox.next(email, '/verify-email', since);
    const printed = server.printed.find((p) => p.includes(`│ To: ${email}`)) ?? '';
    expect(printed).toContain('│ Subject: Verify your email');
    // No PUBLIC_URL: links point at the port the server listens on.
    expect(printed.split('\n')).toContain(`│ ${new URL(server.url).origin.replace('127.0.0.1', 'localhost')}/verify-email?token=${message.token}`);
    expect(server.logs.join('\n')).not.toContain(message.token);
    expect(await portalClient(server).portal.auth.verifyEmail.mutate({ token: message.token })).toEqual({ email });
    expect((await portalClient(server, session).portal.auth.me.query())?.customer.emailVerifiedAt).not.toBeNull();
  });

  it('stores a bcrypt hash of the password and only a SHA-256 of the session token', async () => {
    const { session, email } = await signUp();
    const [row] = await server.orm.em.fork().execute<{ password_hash: string; signup_ip: string; signed_up_at: string | null }[]>(
      `select password_hash, host(signup_ip) as signup_ip, signed_up_at from users where email = ?`,
      [email],
    );
    expect(row?.password_hash).toMatch(/^\$2[aby]\$04\$/);
    expect(row?.signup_ip).toMatch(/^2001:db8:/);
    expect(row?.signed_up_at).not.toBeNull();
    const sessions = JSON.stringify(await server.orm.em.fork().execute(`select * from customer_sessions`));
    expect(sessions).not.toContain(session?.sessionToken);
    expect(sessions).not.toContain(PASSWORD);
  });

  it('refuses a weak password with a clear field error, checked on the server', async () => {
    for (const [password, message] of [
      ['short-pw', 'must be at least 12 characters'],
      ['password1234', 'is too common and easy to guess; choose another (a few unrelated words make a strong one)'],
      ['Qwerty123456', 'is too common and easy to guess; choose another (a few unrelated words make a strong one)'],
      ['aaaaaaaaaaaaaaaa', 'is too common and easy to guess; choose another (a few unrelated words make a strong one)'],
      ['é'.repeat(37), 'must be at most 72 bytes'],
    ] as const) {
      const { status, body } = await signUp(newEmail(), freshIpv6(), password);
      expect(status, password).toBe(400);
      expect(body.error.data.issues, password).toEqual([{ field: 'password', message }]);
    }
  });

  it('refuses an email that already has an account with a clear CONFLICT, admin-created accounts included', async () => {
    const first = await signUp();
    const again = await signUp(first.email);
    expect(again.status).toBe(409);
    expect(again.body.error.data.issues).toEqual([{ field: 'email', message: 'already has an account: sign in, or use "Forgot password" if you have no password yet' }]);

    const { email } = await createUserWithKey(server.services);
    expect((await signUp(email)).status).toBe(409);
  });

  it('lets an address sign up SIGNUP_MAX_PER_ADDRESS times an hour, conflicts included, then waits (429)', async () => {
    const address = `198.51.100.${n % 250}`;
    const taken = await signUp(newEmail(), freshIpv6());
    expect((await signUp(newEmail(), address)).status).toBe(200);
    expect((await signUp(taken.email, address)).status).toBe(409);
    expect((await signUp(newEmail(), address)).status).toBe(200);
    const refused = await signUp(newEmail(), address);
    expect(refused.status).toBe(429);
    expect(refused.res.headers.get('retry-after')).toBe('3600');
    expect(refused.body.error.message).toBe('Too many sign-ups from your network. Try again in 60 minutes.');
    // Invalid input is not an attempt: it never reached the limit, and others' addresses are not affected.
    expect((await signUp(newEmail(), address, 'short')).status).toBe(400);
    expect((await signUp(newEmail(), freshIpv6())).status).toBe(200);

    now += 3_600_000 + 1000;
    expect((await signUp(newEmail(), address)).status).toBe(200);
  });

  it('is closed while an admin turns it off: FORBIDDEN with a clear message, and the front page says so', async () => {
    const owner = adminClient(server, await signInAs(server, 'owner'));
    expect(await owner.admin.settings.get.query()).toEqual({ signupEnabled: true, signupAllowedByServer: true, signupOpen: true });
    expect(await owner.admin.settings.update.mutate({ signupEnabled: false })).toEqual({ signupEnabled: false, signupAllowedByServer: true, signupOpen: false });
    try {
      const refused = await signUp();
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe('Sign-up is closed on this server; ask its operator for an account');
      expect((await query('portal.public.info')).body.result.data.signupEnabled).toBe(false);
      const audit = await owner.admin.audit.list.query({ action: 'settings.updated' });
      expect(audit.items[0]?.details).toEqual({ signupEnabled: { from: true, to: false } });
    } finally {
      await owner.admin.settings.update.mutate({ signupEnabled: true });
    }
    expect((await signUp()).status).toBe(200);
  });
});

describe('signing in', () => {
  it('answers an unknown email, a wrong password and an account without a password exactly alike', async () => {
    const customer = await createCustomer(server);
    const adminCreated = await createUserWithKey(server.services);
    const answers = [];
    for (const [email, password] of [
      [customer.email, 'wrong password!'],
      ['nobody-here@example.com', 'wrong password!'],
      [adminCreated.email, 'wrong password!'],
    ] as const) {
      const { status, body } = await call('portal.auth.signIn', { email, password }, { 'x-forwarded-for': freshIpv6() });
      answers.push({ status, message: body.error.message, code: body.error.data.appCode });
    }
    expect(answers).toEqual(Array(3).fill({ status: 401, message: 'Invalid email or password', code: 'UNAUTHORIZED' }));
  });

  it('lets a suspended customer in, and says why their keys are refused', async () => {
    const customer = await createCustomer(server);
    await server.services.users.setStatus(server.orm.em.fork(), customer.userId, 'suspended', TEST_ACTOR);
    const session = await signInCustomer(server, customer.email, customer.password);
    const me = (await portalClient(server, session).portal.auth.me.query())?.customer;
    expect(me).toMatchObject({ status: 'suspended', suspendedReason: 'Your account is suspended, so the API refuses your keys. Contact us to have it reactivated.' });
    await expect(portalClient(server, session).portal.keys.create.mutate({ name: 'new' })).rejects.toMatchObject({ data: { appCode: 'USER_SUSPENDED' } });
  });

  it('locks a guessing address out of the account with the admins’ policy, in a realm of its own', async () => {
    // One email with both an admin account and a customer account.
    const customer = await createCustomer(server);
    const { password: adminPassword } = await createAdmin(server.services, 'admin', customer.email);
    const attacker = freshIpv6();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call('portal.auth.signIn', { email: customer.email, password: `wrong-${i}` }, { 'x-forwarded-for': attacker })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await call('portal.auth.signIn', { email: customer.email, password: customer.password }, { 'x-forwarded-for': attacker });
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toBe('Too many failed sign-ins. Try again in 15 minutes.');
    // The owner elsewhere is not shut out, and the same address can still sign in to the admin realm.
    expect((await call('portal.auth.signIn', { email: customer.email, password: customer.password }, { 'x-forwarded-for': freshIpv6() })).status).toBe(200);
    expect((await signIn(server, customer.email, adminPassword, { 'x-forwarded-for': attacker })).sessionToken).not.toBe('');

    const audit = await adminClient(server, await signInAs(server, 'viewer')).admin.audit.list.query({ action: 'customer.sign_in_locked' });
    expect(audit.items.map((e) => e.details['scope'])).toContain('account_address');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/harmonic_customer_signin_lockouts_total\{scope="account_address"\} [1-9]/);

    now += 15 * 60_000 + 1000;
    expect((await call('portal.auth.signIn', { email: customer.email, password: customer.password }, { 'x-forwarded-for': attacker })).status).toBe(200);
  });

  it('refuses to sign in from a foreign origin (no login CSRF)', async () => {
    const customer = await createCustomer(server);
    const refused = await call('portal.auth.signIn', { email: customer.email, password: customer.password }, { origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.res.headers.get('set-cookie')).toBeNull();
  });
});

describe('sessions', () => {
  it('lists the browsers, ends one, signs out, and signs out everywhere, each at once', async () => {
    const customer = await createCustomer(server);
    const laptop = await signInCustomer(server, customer.email, customer.password, { 'user-agent': 'laptop' });
    const phone = await signInCustomer(server, customer.email, customer.password, { 'user-agent': 'phone' });
    const tablet = await signInCustomer(server, customer.email, customer.password, { 'user-agent': 'tablet' });
    const sessions = await portalClient(server, laptop).portal.account.sessions.query();
    // The sign-up's own browser ('test') is still signed in too.
    expect(sessions.map((s) => [s.userAgent, s.current]).sort()).toEqual([
      ['laptop', true],
      ['phone', false],
      ['tablet', false],
      ['test', false],
    ]);

    const phoneSession = sessions.find((s) => s.userAgent === 'phone');
    await portalClient(server, laptop).portal.account.endSession.mutate({ id: phoneSession?.id ?? '' });
    expect(await portalClient(server, phone).portal.auth.me.query()).toBeNull();
    await expect(portalClient(server, phone).portal.keys.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });

    const out = await call('portal.auth.signOut', {}, as(tablet));
    expect(out.status).toBe(200);
    expect(out.res.headers.get('set-cookie')).toMatch(/^harmonic_portal=;/);
    expect(await portalClient(server, tablet).portal.auth.me.query()).toBeNull();

    const other = await signInCustomer(server, customer.email, customer.password);
    expect(await portalClient(server, laptop).portal.auth.signOutEverywhere.mutate()).toEqual({ sessions: 3 });
    for (const s of [laptop, other]) expect(await portalClient(server, s).portal.auth.me.query()).toBeNull();
  });

  it('ends after the idle time, and slides while in use', async () => {
    const customer = await createCustomer(server);
    const session = await signInCustomer(server, customer.email, customer.password);
    now += 50 * 60_000;
    expect(await portalClient(server, session).portal.auth.me.query()).not.toBeNull();
    now += 50 * 60_000;
    expect(await portalClient(server, session).portal.auth.me.query()).not.toBeNull();
    now += 60 * 60_000 + 1000;
    expect(await portalClient(server, session).portal.auth.me.query()).toBeNull();
  });

  it('is a realm of its own: a customer token is no admin session, an admin token no customer session', async () => {
    const customer = await createCustomer(server);
    const session = await signInCustomer(server, customer.email, customer.password);
    const admin = await signInAs(server, 'owner');
    // The customer's token under the admin cookie's name, and the reverse.
    const asAdmin = await query('admin.users.list', { cookie: `harmonic_session=${session.sessionToken}`, 'x-csrf-token': session.csrfToken });
    expect(asAdmin.status).toBe(401);
    const asCustomer = await query('portal.keys.list', { cookie: `harmonic_portal=${admin.sessionToken}`, 'x-csrf-token': admin.csrfToken });
    expect(asCustomer.status).toBe(401);
    expect((await query('auth.me', { cookie: session.cookie })).body.result.data).toBeNull();
    expect((await query('portal.auth.me', { cookie: admin.cookie })).body.result.data).toBeNull();
  });
});

describe('keys on the portal', () => {
  it('lists nothing and refuses to create a key until the email is verified', async () => {
    const { session } = await signUp();
    const portal = portalClient(server, session as CustomerSessionCookie);
    expect(await portal.portal.keys.list.query()).toEqual([]);
    await expect(portal.portal.keys.create.mutate({ name: 'first' })).rejects.toMatchObject({
      data: { code: 'FORBIDDEN' },
      message: expect.stringMatching(/^Verify your email first/),
    });
  });

  it('creates, lists, rotates and revokes the customer’s own keys, audited under the customer', async () => {
    const customer = await createCustomer(server);
    const portal = portalClient(server, await signInCustomer(server, customer.email, customer.password));
    const created = await portal.portal.keys.create.mutate({ name: 'prod' });
    expect(created.key).toMatch(/^hm_/);
    const ok = await fetch(`${server.url}/api/v1/usage`, { headers: { 'x-api-key': created.key } });
    expect(ok.status).toBe(200);
    const rotated = await portal.portal.keys.rotate.mutate({ id: created.id });
    expect(rotated.previous.status).toBe('revoked');
    await portal.portal.keys.revoke.mutate({ id: rotated.key.id });
    expect((await portal.portal.keys.list.query()).map((k) => k.status)).toEqual(['revoked', 'revoked']);
    expect((await fetch(`${server.url}/api/v1/usage`, { headers: { 'x-api-key': rotated.key.key } })).status).toBe(401);

    const audit = await adminClient(server, await signInAs(server, 'viewer')).admin.audit.list.query({ userId: customer.userId, action: 'key.' });
    expect(new Set(audit.items.map((e) => `${e.actorType} ${e.actorLabel}`))).toEqual(new Set([`customer ${customer.email}`]));
  });
});
