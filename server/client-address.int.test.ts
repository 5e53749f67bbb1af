import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdmin } from './testing/admin.ts';
import { createUserWithKey, postData } from './testing/fixtures.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

/**
 * X-Forwarded-For as an attacker writes it. The test client connects from 127.0.0.1, which
 * TRUST_PROXY=true trusts as a proxy hop: the right-most entry stands for what a real balancer
 * appends (the address it saw), everything left of it is the client's own invention.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { TRUST_PROXY: 'true', DEMO_MONTHLY_QUOTA: '2', ADMIN_LOGIN_MAX_FAILURES_IP: '3', ADMIN_LOGIN_MAX_FAILURES_ACCOUNT: '100' },
  });
});
afterAll(() => server.close());

const signIn = (email: string, password: string, xff: string) =>
  fetch(`${server.url}/trpc/auth.signIn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    body: JSON.stringify({ email, password }),
  });

const GARBAGE = ['not-an-ip', '1.2.3.4:5678', 'fe80::1%eth0', '[::1]', '::ffff:999.1.1.1', '', ' , ,', '203.0.113.1, not-an-ip', 'fe80::1%eth0, fe80::2%25lo'];

describe('X-Forwarded-For that is not an address', () => {
  it('never gives 5xx on demo calls, key creation or sign-in', async () => {
    const user = await createUserWithKey(server.services);
    const { email, password } = await createAdmin(server.services, 'viewer');
    for (const xff of GARBAGE) {
      const demo = await postData(server.url, { query: 'q', sources: 'kb' }, undefined, { 'x-forwarded-for': xff });
      expect([200, 429], `demo with X-Forwarded-For ${JSON.stringify(xff)}`).toContain(demo.status);
      const key = await fetch(`${server.url}/api/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': user.key, 'x-forwarded-for': xff },
        body: JSON.stringify({ name: 'from behind a proxy' }),
      });
      expect(key.status, `key creation with X-Forwarded-For ${JSON.stringify(xff)}`).toBe(201);
      const ok = await signIn(email, password, xff);
      expect(ok.status, `sign-in with X-Forwarded-For ${JSON.stringify(xff)}`).toBe(200);
    }
    // What was recorded is a real address: the socket's when the entry was unusable, a link-local one without its zone.
    const rows = await server.orm.em
      .fork()
      .execute<{ ip: string }[]>(`select distinct host(s.ip) as ip from admin_sessions s join admin_accounts a on a.id = s.admin_id where a.email = ?`, [email]);
    expect(rows.map((r) => r.ip).sort()).toEqual(['127.0.0.1', 'fe80::1']);
  });
});

describe('a spoofed left-most X-Forwarded-For entry', () => {
  it('does not give a new demo bucket', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await postData(server.url, { query: 'q', sources: 'kb' }, undefined, { 'x-forwarded-for': `192.0.2.${i}, 198.51.100.60` });
      statuses.push(res.status);
    }
    // DEMO_MONTHLY_QUOTA=2 for 198.51.100.60, whatever it claims to be.
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('does not give a new sign-in address bucket', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await signIn(`guess${i}@example.com`, 'guess', `192.0.2.${i}, 198.51.100.61`);
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 429, 429, 429]);
  });

  it('counts an IPv6 client per /64, so rotating within it does not help either', async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await signIn(`v6guess${i}@example.com`, 'guess', `2001:db8:77:1::${i}`)).status);
    expect(statuses).toEqual([401, 401, 429, 429]);
  });
});

describe('TRUST_PROXY forms', () => {
  const seenAs = async (env: Record<string, string>, xff: string) => {
    const other = await startTestServer({ db: server.db, env });
    try {
      const { email, password } = await createAdmin(other.services, 'viewer');
      const res = await fetch(`${other.url}/trpc/auth.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
        body: JSON.stringify({ email, password }),
      });
      expect(res.status).toBe(200);
      const admin = (await res.json()).result.data.admin.id as string;
      const [row] = await other.orm.em.fork().execute<{ ip: string }[]>(`select host(ip) as ip from admin_sessions where admin_id = ?`, [admin]);
      return row?.ip;
    } finally {
      await other.close();
    }
  };

  it('a CIDR list trusts only those hops; a hop count trusts that many; false trusts none', async () => {
    expect(await seenAs({ TRUST_PROXY: '127.0.0.0/8, 10.0.0.0/8' }, '192.0.2.9, 198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    expect(await seenAs({ TRUST_PROXY: '2' }, '192.0.2.9, 198.51.100.1, 10.1.2.3')).toBe('198.51.100.1');
    expect(await seenAs({ TRUST_PROXY: '1' }, '192.0.2.9, 198.51.100.1, 10.1.2.3')).toBe('10.1.2.3');
    expect(await seenAs({ TRUST_PROXY: 'false' }, '192.0.2.9')).toBe('127.0.0.1');
  });
});
