import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminClient, signInAs } from '../testing/admin.ts';
import { createCustomer, freshIpv6, Inbox, portalClient, signInCustomer, type TestCustomer } from '../testing/customers.ts';
import { createUserWithKey, TEST_ACTOR } from '../testing/fixtures.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';
import { startTestSmtp, type TestSmtp } from '../testing/smtp.ts';

/**
 * What a customer does to their own account, and the single-use links that finish it, read from
 * the emails a real SMTP server receives. Time moves only through the realm's clock, which also
 * stamps the links when their emails are composed: no test waits for a link to expire.
 */
let server: TestServer;
let smtp: TestSmtp;
let inbox: Inbox;
let now = Date.now();
beforeAll(async () => {
  smtp = await startTestSmtp();
  server = await startTestServer({ env: { TRUST_PROXY: 'true', SMTP_URL: smtp.url, PUBLIC_URL: 'https://portal.example.test' } });
  server.services.customerAuth.clock = () => now;
  inbox = new Inbox(server, smtp);
});
afterAll(async () => {
  await server.close();
  await smtp.close();
});
beforeEach(() => {
  now += 24 * 3_600_000;
});

const HOUR = 3_600_000;
const NEW_PASSWORD = 'a much better passphrase';
const customer = (opts: { verified?: boolean; email?: string } = {}) => createCustomer(server, { ...opts, inbox });
/** Asks for a reset link for `email` and reads it from the email. */
async function resetLink(email: string): Promise<string> {
  const since = inbox.mark();
  await anonymous().portal.auth.forgotPassword.mutate({ email });
  return (await inbox.next(email, '/reset-password', since)).token;
}
/** Asks for the verification email again and reads its link. */
async function resentLink(c: TestCustomer): Promise<string> {
  const since = inbox.mark();
  await (await signedIn(c)).portal.auth.resendVerification.mutate();
  return (await inbox.next(c.email, '/verify-email', since)).token;
}
const anonymous = () => portalClient(server, undefined, { 'x-forwarded-for': freshIpv6() });
const signedIn = async (c: TestCustomer) => portalClient(server, await signInCustomer(server, c.email, c.password));
const issues = (err: unknown) => (err as { data?: { issues?: unknown } }).data?.issues;
const failure = async (p: Promise<unknown>) => p.then(() => expect.unreachable('it succeeded'), (err: unknown) => err as { message: string; data: { code: string; appCode: string; issues?: unknown } });

describe('verifying the email', () => {
  it('is asked for by an email sent at sign-up, linking to PUBLIC_URL/verify-email; the job holds no token', async () => {
    const since = inbox.mark();
    const email = `welcome-${now}@example.com`;
    const res = await fetch(`${server.url}/trpc/portal.auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshIpv6() },
      body: JSON.stringify({ email, name: 'Ada', password: NEW_PASSWORD }),
    });
    expect(res.status).toBe(200);
    const message = await inbox.next(email, '/verify-email', since);
    expect(message.subject).toBe('Verify your email');
    expect(message.url.origin).toBe('https://portal.example.test');
    expect(message.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(message.text).toContain('Hello Ada,');
    const jobs = JSON.stringify(await server.orm.em.fork().execute(`select data from pgboss.job where name like 'mail.%'`));
    expect(jobs).toContain(email);
    expect(jobs).not.toContain(message.token);
    expect(server.logs.join('\n')).not.toContain(message.token);
  });

  it('works once, from any browser, and then keys can be created', async () => {
    const c = await customer({ verified: false });
    const portal = await signedIn(c);
    const token = c.verifyToken;
    expect(await anonymous().portal.auth.verifyEmail.mutate({ token })).toEqual({ email: c.email });
    expect((await portal.portal.auth.me.query())?.customer.emailVerifiedAt).toBe(new Date(now).toISOString());
    expect(issues(await failure(anonymous().portal.auth.verifyEmail.mutate({ token })))).toEqual([{ field: 'token', message: 'was already used' }]);
    expect((await portal.portal.keys.create.mutate({ name: 'first' })).key).toMatch(/^hm_/);
    const { user } = await adminClient(server, await signInAs(server, 'viewer')).admin.users.get.query({ id: c.userId });
    expect(user.emailVerifiedAt).toBe(new Date(now).toISOString());
  });

  it('is valid for 24 hours', async () => {
    const c = await customer({ verified: false });
    now += 24 * HOUR;
    expect(issues(await failure(anonymous().portal.auth.verifyEmail.mutate({ token: c.verifyToken })))).toEqual([{ field: 'token', message: 'has expired; ask for a new link' }]);
    const inTime = await resentLink(c);
    now += 24 * HOUR - 1000;
    expect(await anonymous().portal.auth.verifyEmail.mutate({ token: inTime })).toEqual({ email: c.email });
  });

  it('works only with the newest link, and never with a made-up token', async () => {
    const c = await customer({ verified: false });
    const older = c.verifyToken;
    now += 61_000;
    const newer = await resentLink(c);
    expect(issues(await failure(anonymous().portal.auth.verifyEmail.mutate({ token: older })))).toEqual([
      { field: 'token', message: 'is not a valid link; it may have been replaced by a newer one, so use the latest email we sent' },
    ]);
    expect(issues(await failure(anonymous().portal.auth.verifyEmail.mutate({ token: 'x'.repeat(43) })))).toHaveLength(1);
    expect(await anonymous().portal.auth.verifyEmail.mutate({ token: newer })).toEqual({ email: c.email });
  });

  it('keeps only a SHA-256 of each link token', async () => {
    const c = await customer({ verified: false });
    const dump = JSON.stringify(await server.orm.em.fork().execute(`select * from account_tokens`));
    expect(dump).toContain(c.userId);
    expect(dump).not.toContain(c.verifyToken);
  });

  it('can be sent again once a minute and five times an hour; the sign-up email counts', async () => {
    const c = await customer({ verified: false });
    const portal = await signedIn(c);
    const soon = await failure(portal.portal.auth.resendVerification.mutate());
    expect(soon).toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' }, message: 'We sent you a verification email moments ago. You can ask for another in 1 minute.' });
    for (let i = 0; i < 4; i++) {
      now += 61_000;
      expect(await portal.portal.auth.resendVerification.mutate()).toEqual({ sentTo: c.email });
    }
    now += 61_000;
    expect((await failure(portal.portal.auth.resendVerification.mutate())).message).toMatch(/You can ask for another in \d+ minutes\.$/);
    now += HOUR;
    expect(await portal.portal.auth.resendVerification.mutate()).toEqual({ sentTo: c.email });
  });

  it('need not be sent again once verified; an admin can send it for a customer who is not (audited)', async () => {
    const verified = await customer();
    expect((await failure((await signedIn(verified)).portal.auth.resendVerification.mutate())).data.code).toBe('CONFLICT');
    const admin = adminClient(server, await signInAs(server, 'admin'));
    const adminCreated = await createUserWithKey(server.services);
    expect(await admin.admin.users.resendVerification.mutate({ id: adminCreated.userId })).toEqual({ sentTo: adminCreated.email });
    expect((await failure(admin.admin.users.resendVerification.mutate({ id: verified.userId }))).data.code).toBe('CONFLICT');
    const audit = await admin.admin.audit.list.query({ userId: adminCreated.userId, action: 'user.verification_sent' });
    expect(audit.items).toHaveLength(1);
  });
});

describe('forgetting and resetting the password', () => {
  it('always answers accepted, whether or not the email has an account, and emails only an account', async () => {
    const c = await customer();
    const since = inbox.mark();
    for (const email of [c.email, 'nobody@example.com']) expect(await anonymous().portal.auth.forgotPassword.mutate({ email })).toEqual({ accepted: true });
    expect((await inbox.next(c.email, '/reset-password', since)).subject).toBe('Reset your password');
    // Asked again at once: the same answer, but no second email to flood the inbox.
    expect(await anonymous().portal.auth.forgotPassword.mutate({ email: c.email })).toEqual({ accepted: true });
    const queued = await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from pgboss.job where name = 'mail.reset-password' and data->>'userId' = ?`, [c.userId]);
    expect(queued[0]?.n).toBe(1);
    expect(inbox.sentTo('nobody@example.com', since)).toEqual([]);
  });

  it('sets the new password from a one-hour, single-use link and ends every session, this browser’s too', async () => {
    const c = await customer();
    const sessions = [await signInCustomer(server, c.email, c.password), await signInCustomer(server, c.email, c.password)];
    const expired = await resetLink(c.email);
    now += HOUR;
    expect(issues(await failure(anonymous().portal.auth.resetPassword.mutate({ token: expired, password: NEW_PASSWORD })))).toEqual([
      { field: 'token', message: 'has expired; ask for a new link' },
    ]);
    const token = await resetLink(c.email);
    now += HOUR - 1000;
    const res = await fetch(`${server.url}/trpc/portal.auth.resetPassword`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: sessions[0]?.cookie ?? '' },
      body: JSON.stringify({ token, password: NEW_PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/^harmonic_portal=;/);
    for (const s of sessions) expect(await portalClient(server, s).portal.auth.me.query()).toBeNull();
    await expect(signInCustomer(server, c.email, c.password)).rejects.toThrow(/401/);
    await signInCustomer(server, c.email, NEW_PASSWORD);
    expect(issues(await failure(anonymous().portal.auth.resetPassword.mutate({ token, password: 'yet another passphrase' })))).toEqual([
      { field: 'token', message: 'was already used' },
    ]);
  });

  it('refuses a weak password without using up the link', async () => {
    const c = await customer();
    const token = await resetLink(c.email);
    expect(issues(await failure(anonymous().portal.auth.resetPassword.mutate({ token, password: 'password1234' })))).toEqual([
      { field: 'password', message: 'is too common and easy to guess; choose another (a few unrelated words make a strong one)' },
    ]);
    expect(await anonymous().portal.auth.resetPassword.mutate({ token, password: NEW_PASSWORD })).toEqual({ reset: true });
  });

  it('is how an admin-created customer sets a first password, which also verifies the email', async () => {
    const u = await createUserWithKey(server.services);
    await expect(signInCustomer(server, u.email, NEW_PASSWORD)).rejects.toThrow(/401/);
    await anonymous().portal.auth.resetPassword.mutate({ token: await resetLink(u.email), password: NEW_PASSWORD });
    const me = await portalClient(server, await signInCustomer(server, u.email, NEW_PASSWORD)).portal.auth.me.query();
    expect(me?.customer).toMatchObject({ email: u.email, emailVerifiedAt: new Date(now).toISOString() });
    const { user } = await adminClient(server, await signInAs(server, 'viewer')).admin.users.get.query({ id: u.userId });
    expect(user.origin).toBe('admin');
  });

  it('lifts a sign-in lockout on the account', async () => {
    const c = await customer();
    const address = freshIpv6();
    const attempt = (password: string) =>
      fetch(`${server.url}/trpc/portal.auth.signIn`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify({ email: c.email, password }) });
    for (let i = 0; i < 5; i++) await attempt(`wrong-${i}`);
    expect((await attempt(c.password)).status).toBe(429);
    await anonymous().portal.auth.resetPassword.mutate({ token: await resetLink(c.email), password: NEW_PASSWORD });
    expect((await attempt(NEW_PASSWORD)).status).toBe(200);
  });

  it('limits requests per address (429), which says nothing about any account', async () => {
    const address = freshIpv6();
    const ask = () => portalClient(server, undefined, { 'x-forwarded-for': address }).portal.auth.forgotPassword.mutate({ email: 'someone@example.com' });
    for (let i = 0; i < 20; i++) await ask();
    expect((await failure(ask())).data.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('changing the email', () => {
  it('needs the password, and takes effect when the new address’s link is followed', async () => {
    const c = await customer();
    const portal = await signedIn(c);
    const next = `moved-${now}@example.com`;
    expect(issues(await failure(portal.portal.account.changeEmail.mutate({ email: next, password: 'not my password' })))).toEqual([{ field: 'password', message: 'is not your password' }]);
    const since = inbox.mark();
    expect(await portal.portal.account.changeEmail.mutate({ email: next, password: c.password })).toEqual({ pendingEmail: next });
    expect((await portal.portal.auth.me.query())?.customer).toMatchObject({ email: c.email, pendingEmail: next });

    const { token, subject } = await inbox.next(next, '/confirm-email', since);
    expect(subject).toBe('Confirm your new email');
    expect(inbox.sentTo(c.email, since)).toEqual([]);
    expect(await anonymous().portal.auth.confirmEmailChange.mutate({ token })).toEqual({ email: next });
    expect((await portal.portal.auth.me.query())?.customer).toMatchObject({ email: next, pendingEmail: null, emailVerifiedAt: new Date(now).toISOString() });
    await expect(signInCustomer(server, c.email, c.password)).rejects.toThrow(/401/);
    await signInCustomer(server, next, c.password);
    expect(issues(await failure(anonymous().portal.auth.confirmEmailChange.mutate({ token })))).toEqual([{ field: 'token', message: 'was already used' }]);
  });

  it('checks the address is free when asked and again when the link is followed; the link lasts 24 hours', async () => {
    const c = await customer();
    const other = await customer();
    const portal = await signedIn(c);
    expect(issues(await failure(portal.portal.account.changeEmail.mutate({ email: other.email, password: c.password })))).toEqual([{ field: 'email', message: 'is already taken' }]);
    expect(issues(await failure(portal.portal.account.changeEmail.mutate({ email: c.email, password: c.password })))).toEqual([{ field: 'email', message: 'is already your email' }]);

    const wanted = `wanted-${now}@example.com`;
    let since = inbox.mark();
    await portal.portal.account.changeEmail.mutate({ email: wanted, password: c.password });
    const expired = (await inbox.next(wanted, '/confirm-email', since)).token;
    now += 24 * HOUR;
    expect(issues(await failure(anonymous().portal.auth.confirmEmailChange.mutate({ token: expired })))).toEqual([{ field: 'token', message: 'has expired; ask for a new link' }]);

    since = inbox.mark();
    await portal.portal.account.changeEmail.mutate({ email: wanted, password: c.password });
    const { token } = await inbox.next(wanted, '/confirm-email', since);
    await customer({ email: wanted });
    expect((await failure(anonymous().portal.auth.confirmEmailChange.mutate({ token }))).data.code).toBe('CONFLICT');
  });

  it('is limited to one request a minute', async () => {
    const c = await customer();
    const portal = await signedIn(c);
    await portal.portal.account.changeEmail.mutate({ email: `a-${now}@example.com`, password: c.password });
    expect((await failure(portal.portal.account.changeEmail.mutate({ email: `b-${now}@example.com`, password: c.password }))).data.code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('the password and the profile', () => {
  it('changes the password with the current one; other browsers are signed out, this one stays', async () => {
    const c = await customer();
    const here = await signInCustomer(server, c.email, c.password);
    const elsewhere = await signInCustomer(server, c.email, c.password);
    const portal = portalClient(server, here);
    expect(issues(await failure(portal.portal.account.changePassword.mutate({ currentPassword: 'nope', newPassword: NEW_PASSWORD })))).toEqual([
      { field: 'currentPassword', message: 'is not your current password' },
    ]);
    expect(issues(await failure(portal.portal.account.changePassword.mutate({ currentPassword: c.password, newPassword: c.email })))).toEqual([
      { field: 'newPassword', message: 'is too common and easy to guess; choose another (a few unrelated words make a strong one)' },
    ]);
    expect(await portal.portal.account.changePassword.mutate({ currentPassword: c.password, newPassword: NEW_PASSWORD })).toEqual({ changed: true });
    expect(await portal.portal.auth.me.query()).not.toBeNull();
    expect(await portalClient(server, elsewhere).portal.auth.me.query()).toBeNull();
    await signInCustomer(server, c.email, NEW_PASSWORD);
  });

  it('renames the customer, audited', async () => {
    const c = await customer();
    const portal = await signedIn(c);
    expect((await portal.portal.account.updateProfile.mutate({ name: '  Grace Hopper ' })).name).toBe('Grace Hopper');
    const audit = await adminClient(server, await signInAs(server, 'viewer')).admin.audit.list.query({ userId: c.userId, action: 'customer.profile_updated' });
    expect(audit.items[0]?.details).toEqual({ name: { from: 'Test Customer', to: 'Grace Hopper' } });
  });
});

describe('deleting the account', () => {
  it('needs the password and the email typed out', async () => {
    const c = await customer();
    const portal = await signedIn(c);
    expect(issues(await failure(portal.portal.account.delete.mutate({ password: c.password, confirmEmail: 'someone-else@example.com' })))).toEqual([
      { field: 'confirmEmail', message: "must be your account's email" },
    ]);
    expect(issues(await failure(portal.portal.account.delete.mutate({ password: 'wrong', confirmEmail: c.email })))).toEqual([{ field: 'password', message: 'is not your password' }]);
    expect(await portal.portal.auth.me.query()).not.toBeNull();
  });

  it('revokes the keys at once, ends the sessions, erases name and email, and keeps the ledger', async () => {
    const c = await customer();
    const session = await signInCustomer(server, c.email, c.password);
    const portal = portalClient(server, session);
    const { key } = await portal.portal.keys.create.mutate({ name: 'prod' });
    // Used first, so the key is cached when the account goes: the revocation must reach the cache.
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/api/v1/usage/track`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ endpoint: '/work' }) });
      expect(res.status).toBe(201);
    }
    await server.services.ledger.flush();
    const ledger = async () =>
      (await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from usage_events where user_id = ?`, [c.userId]))[0]?.n;
    expect(await ledger()).toBe(3);

    expect(await portal.portal.account.delete.mutate({ password: c.password, confirmEmail: c.email.toUpperCase() })).toEqual({ deleted: true });
    expect((await fetch(`${server.url}/api/v1/usage`, { headers: { 'x-api-key': key } })).status).toBe(401);
    expect(await portal.portal.auth.me.query()).toBeNull();
    await expect(signInCustomer(server, c.email, c.password)).rejects.toThrow(/401/);

    const [row] = await server.orm.em.fork().execute<Record<string, unknown>[]>(
      `select email, name, password_hash, pending_email, signup_ip, deleted_at is not null as deleted from users where id = ?`,
      [c.userId],
    );
    expect(row).toEqual({ email: `deleted-${c.userId}@invalid`, name: '', password_hash: null, pending_email: null, signup_ip: null, deleted: true });
    expect(await ledger()).toBe(3);
    const sessions = await server.orm.em.fork().execute<{ n: number }[]>(`select count(*)::int as n from customer_sessions where user_id = ?`, [c.userId]);
    expect(sessions[0]?.n).toBe(0);

    const admin = adminClient(server, await signInAs(server, 'viewer'));
    const audit = await admin.admin.audit.list.query({ userId: c.userId, action: 'customer.deleted' });
    expect(audit.items[0]).toMatchObject({ actorType: 'customer', actorLabel: `deleted-${c.userId}@invalid`, details: { keysRevoked: 1, sessionsEnded: 2 } });
    expect(JSON.stringify(audit.items[0])).not.toContain(c.email);
    expect((await admin.admin.users.list.query({ search: c.email })).total).toBe(0);

    // The address is free for a new account.
    await customer({ email: c.email });
  });

  it('is refused for a session of a customer an admin deleted meanwhile', async () => {
    const c = await customer();
    const portal = await signedIn(c);
    await server.services.users.delete(server.orm.em.fork(), c.userId, TEST_ACTOR);
    expect(await portal.portal.auth.me.query()).toBeNull();
    expect((await failure(portal.portal.keys.list.query())).data.code).toBe('UNAUTHORIZED');
  });
});
