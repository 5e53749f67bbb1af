import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../audit/service.ts';
import { createAdmin } from '../../testing/admin.ts';
import { startTestServer, type TestServer } from '../../testing/server.ts';

/**
 * Sign-in throttling as an attacker meets it. The client connects from 127.0.0.1, a trusted hop
 * under TRUST_PROXY=true, so each X-Forwarded-For value below is the address a balancer saw.
 * Time moves only through the throttle's clock: no test waits.
 */
let server: TestServer;
let now = Date.now();
beforeAll(async () => {
  server = await startTestServer({
    env: {
      TRUST_PROXY: 'true',
      ADMIN_LOGIN_MAX_FAILURES_ACCOUNT: '5',
      ADMIN_LOGIN_MAX_FAILURES_IP: '20',
      ADMIN_LOGIN_WINDOW_MS: String(15 * 60_000),
      ADMIN_LOGIN_LOCKOUT_MS: String(15 * 60_000),
      ADMIN_LOGIN_ACCOUNT_HOURLY_CAP: '30',
    },
  });
  server.services.adminAuth.clock = () => now;
});
afterAll(() => server.close());
beforeEach(() => {
  // Each test starts an hour after the last, with every window and lockout of earlier tests over.
  now += 24 * 3_600_000;
});

let nextAddress = 0;
/** A public address no earlier attempt came from. */
const freshAddress = () => {
  nextAddress += 1;
  return `203.0.${113 + Math.floor(nextAddress / 250)}.${nextAddress % 250}`;
};

async function attempt(email: string, password: string, address: string) {
  const res = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });
  const body = await res.json();
  return { status: res.status, retryAfter: Number(res.headers.get('retry-after') ?? 0), message: (body.error?.message ?? '') as string, details: body.error?.data?.details };
}

const metric = async (name: string, labels: string) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
};

describe('per (account, address)', () => {
  it('locks the guessing address out of the account, while the right password from a clean address still gets in', async () => {
    const { email, password } = await createAdmin(server.services, 'owner');
    const attacker = freshAddress();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt(email, `wrong-${i}`, attacker)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);

    const locked = await attempt(email, password, attacker);
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBe(15 * 60);
    expect(locked.message).toBe('Too many failed sign-ins. Try again in 15 minutes.');
    expect(locked.details).toMatchObject({ retryAfterSeconds: 15 * 60, lockedUntil: new Date(now + 15 * 60_000).toISOString() });

    // The owner, elsewhere, is not shut out by someone else's guesses.
    expect((await attempt(email, password, freshAddress())).status).toBe(200);

    // The lockout lifts when its time is up.
    now += 15 * 60_000 + 1000;
    expect((await attempt(email, password, attacker)).status).toBe(200);
  });

  it('answers an unknown email exactly as a wrong password, lockout included', async () => {
    const { email } = await createAdmin(server.services, 'admin');
    const known = [];
    const unknown = [];
    const a = freshAddress();
    const b = freshAddress();
    for (let i = 0; i < 7; i++) {
      const k = await attempt(email, `wrong-${i}`, a);
      const u = await attempt(`nobody-${email}`, `wrong-${i}`, b);
      known.push([k.status, k.message, k.retryAfter]);
      unknown.push([u.status, u.message, u.retryAfter]);
    }
    expect(unknown).toEqual(known);
    expect(known.map(([s]) => s)).toEqual([401, 401, 401, 401, 429, 429, 429]);
  });
});

describe('per address, across accounts', () => {
  it('locks an address that guesses at many accounts', async () => {
    const address = freshAddress();
    const statuses = [];
    for (let i = 0; i < 22; i++) statuses.push((await attempt(`guess-${i}-${now}@example.com`, 'guess', address)).status);
    expect(statuses.slice(0, 19).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(19)).toEqual([429, 429, 429]);
  });

  it('counts an IPv6 client per /64', async () => {
    const statuses = [];
    for (let i = 1; i <= 22; i++) statuses.push((await attempt(`v6-${i}-${now}@example.com`, 'guess', `2001:db8:${(now % 65536).toString(16)}:1::${i.toString(16)}`)).status);
    expect(statuses.slice(19)).toEqual([429, 429, 429]);
  });
});

describe('per account, from many addresses', () => {
  it('makes each failing address wait longer and longer, without shutting out the right password from a clean address', async () => {
    const { email, password } = await createAdmin(server.services, 'owner');
    const waits = [];
    for (let i = 0; i < 10; i++) {
      const res = await attempt(email, `wrong-${i}`, freshAddress());
      waits.push(res.status === 429 ? res.retryAfter : 0);
    }
    // The first five failures are free; then each failing address waits 1 s, 2 s, 4 s, …
    expect(waits).toEqual([0, 0, 0, 0, 0, 1, 2, 4, 8, 16]);
    const ok = await attempt(email, password, freshAddress());
    expect(ok.status).toBe(200);
  });

  it('a paced address may not guess again before its wait is over', async () => {
    const { email } = await createAdmin(server.services, 'admin');
    for (let i = 0; i < 8; i++) await attempt(email, `wrong-${i}`, freshAddress());
    const address = freshAddress();
    const first = await attempt(email, 'wrong', address);
    expect(first).toMatchObject({ status: 429, retryAfter: 8, message: 'Too many failed sign-ins. Try again in 8 seconds.' });
    now += 7_000;
    expect((await attempt(email, 'still wrong', address)).status).toBe(429);
    now += 2_000;
    expect((await attempt(email, 'still wrong', address)).status).toBe(429); // evaluated and counted again: 16 s more
  });

  it('past the hourly cap, only addresses that signed in to the account before may try, until the hour is over', async () => {
    const { email, password } = await createAdmin(server.services, 'owner');
    const home = freshAddress();
    expect((await attempt(email, password, home)).status).toBe(200);
    now += 60_000;
    for (let i = 0; i < 30; i++) await attempt(email, `wrong-${i}`, freshAddress());

    const stranger = await attempt(email, password, freshAddress());
    expect(stranger.status).toBe(429);
    expect(stranger.retryAfter).toBe(3600);
    expect((await attempt(email, password, home)).status).toBe(200);

    now += 3_600_000 + 1000;
    expect((await attempt(email, password, freshAddress())).status).toBe(200);
  });
});

describe('every lockout', () => {
  it('is audited and metered', async () => {
    const { email } = await createAdmin(server.services, 'admin');
    const before = await metric('harmonic_admin_signin_lockouts_total', 'scope="account_address"');
    const address = freshAddress();
    for (let i = 0; i < 5; i++) await attempt(email, `wrong-${i}`, address);
    expect(await metric('harmonic_admin_signin_lockouts_total', 'scope="account_address"')).toBe(before + 1);

    const events = await server.orm.em
      .fork()
      .execute<{ actor_type: string; target_type: string; details: Record<string, unknown>; ip: string }[]>(
        `select actor_type, target_type, details, host(ip) as ip from audit_events where action = 'admin.sign_in_locked' and details ->> 'email' = ?`,
        [email],
      );
    expect(events).toEqual([
      {
        actor_type: 'system',
        target_type: 'admin',
        ip: address,
        details: { scope: 'account_address', email, address, failures: 5, lockedUntil: new Date(now + 15 * 60_000).toISOString() },
      },
    ]);
  });

  it('of an address and of an account past its cap is audited and metered too', async () => {
    const address = freshAddress();
    const before = await metric('harmonic_admin_signin_lockouts_total', 'scope="address"');
    for (let i = 0; i < 20; i++) await attempt(`many-${i}-${now}@example.com`, 'guess', address);
    expect(await metric('harmonic_admin_signin_lockouts_total', 'scope="address"')).toBe(before + 1);
    const [byAddress] = await server.orm.em.fork().execute<{ n: number }[]>(
      `select count(*)::int as n from audit_events where action = 'admin.sign_in_locked' and target_type = 'address' and target_id = ?`,
      [address],
    );
    expect(byAddress?.n).toBe(1);

    const { email } = await createAdmin(server.services, 'admin');
    const capBefore = await metric('harmonic_admin_signin_lockouts_total', 'scope="account_cap"');
    for (let i = 0; i < 30; i++) await attempt(email, `wrong-${i}`, freshAddress());
    expect(await metric('harmonic_admin_signin_lockouts_total', 'scope="account_cap"')).toBe(capBefore + 1);
  });
});

describe('a password reset', () => {
  it('clears the account on every address, so its owner can sign in at once', async () => {
    const { email } = await createAdmin(server.services, 'owner');
    const address = freshAddress();
    for (let i = 0; i < 5; i++) await attempt(email, `wrong-${i}`, address);
    expect((await attempt(email, 'anything', address)).status).toBe(429);
    const { password } = await server.services.adminAccounts.resetPassword(server.orm.em.fork(), email, undefined, SYSTEM_ACTOR);
    expect((await attempt(email, password, address)).status).toBe(200);
  });
});

describe('housekeeping', () => {
  it('forgets ended windows and lockouts, but remembers known addresses for 30 days', async () => {
    const em = server.orm.em.fork();
    await em.execute(`delete from auth_throttle`);
    await em.execute(
      `insert into auth_throttle (scope, subject, failures, window_started_at, locked_until) values
         ('ip', 'stale', 3, now() - interval '20 minutes', null),
         ('ip', 'locked', 20, now() - interval '20 minutes', now() + interval '5 minutes'),
         ('account_ip', 'a@example.com|stale', 2, now() - interval '20 minutes', null),
         ('account', 'a@example.com', 40, now() - interval '30 minutes', null),
         ('account', 'b@example.com', 40, now() - interval '2 hours', null),
         ('known', 'a@example.com|203.0.113.1', 0, now() - interval '29 days', null),
         ('known', 'a@example.com|203.0.113.2', 0, now() - interval '31 days', null)`,
    );
    // The server's own timer would hold the pass's lock now and then; this test runs the pass itself.
    await server.services.maintenance.stop();
    await server.services.maintenance.runOnce();
    const rows = await em.execute<{ scope: string; subject: string }[]>(`select scope, subject from auth_throttle order by scope, subject`);
    expect(rows).toEqual([
      { scope: 'account', subject: 'a@example.com' },
      { scope: 'ip', subject: 'locked' },
      { scope: 'known', subject: 'a@example.com|203.0.113.1' },
    ]);
  });
});
