import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postData } from '../testing/fixtures.ts';
import { spawnHarmonic } from '../testing/process.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function harmonic(...args: string[]): Promise<{ code: number | null; stdout: string; output: string }> {
  const proc = spawnHarmonic({ command: [process.execPath, 'server/cli/harmonic.ts', ...args], env: { DATABASE_URL: server.db.url, BCRYPT_COST: '4' } });
  let stdout = '';
  proc.child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const { code } = await proc.exited;
  return { code, stdout, output: proc.output() };
}

describe('npx harmonic', () => {
  it('creates a user with a tier, issues a key printed once, lists, re-tiers and revokes', async () => {
    const created = await harmonic('users', 'create', '--email', 'Grace@Example.com', '--name', 'Grace', '--tier', 'pro');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created user grace@example\.com \([0-9a-f-]{36}\) on Pro\./);

    const issued = await harmonic('keys', 'create', 'grace@example.com', '--name', 'ci');
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(/^hm_[A-Za-z0-9]{32}$/);
    expect(issued.output).toMatch(/will not be shown again/);
    const res = await postData(server.url, { query: 'cli', sources: 'kb' }, key);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('10000');

    const listed = await harmonic('keys', 'list', 'grace@example.com');
    expect(listed.stdout).toContain(`${key.slice(0, 11)}…`);
    expect(listed.stdout).not.toContain(key.slice(11));

    const retiered = await harmonic('users', 'set-tier', 'grace@example.com', 'Free');
    expect(retiered.stdout).toMatch(/is now on Free/);
    expect((await postData(server.url, { query: 'cli', sources: 'kb' }, key)).headers.get('x-ratelimit-limit')).toBe('1000');

    const keyId = listed.stdout.split(/\s+/)[0] ?? '';
    const revoked = await harmonic('keys', 'revoke', keyId);
    expect(revoked.code).toBe(0);
    expect((await postData(server.url, { query: 'cli', sources: 'kb' }, key)).status).toBe(401);
  });

  it('answers mistakes with a clear message and a non-zero exit', async () => {
    const unknownTier = await harmonic('users', 'create', '--email', 'x@example.com', '--name', 'X', '--tier', 'Gold');
    expect(unknownTier.code).toBe(2);
    expect(unknownTier.output).toMatch(/Unknown tier "Gold"\. Tiers: Enterprise, Free, Pro/);
    const badEmail = await harmonic('users', 'create', '--email', 'not-an-email', '--name', 'X');
    expect(badEmail.code).toBe(2);
    expect(badEmail.output).toMatch(/email: must be an email address/);
    const noUser = await harmonic('keys', 'create', 'nobody@example.com', '--name', 'x');
    expect(noUser.code).toBe(2);
    expect(noUser.output).toMatch(/No user nobody@example\.com/);
  });
});

describe('npx harmonic admin', () => {
  it('creates an admin with a generated password printed once, and resets it', async () => {
    const created = await harmonic('admin', 'create', '--email', 'ops@example.com', '--role', 'viewer');
    expect(created.code).toBe(0);
    const password = created.stdout.trim();
    expect(password).toMatch(/^[A-Za-z2-9]{6}(-[A-Za-z2-9]{6}){3}$/);
    const { signIn } = await import('../testing/admin.ts');
    const session = await signIn(server, 'ops@example.com', password);

    const reset = await harmonic('admin', 'reset-password', 'ops@example.com');
    expect(reset.code).toBe(0);
    const next = reset.stdout.trim();
    expect(next).not.toBe(password);
    expect(reset.output).toMatch(/its sessions were signed out/);
    const me = await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: session.cookie } });
    expect((await me.json()).result.data).toBeNull();
    await expect(signIn(server, 'ops@example.com', password)).rejects.toThrow(/401/);
    await signIn(server, 'ops@example.com', next);

    const listed = await harmonic('admin', 'list');
    expect(listed.stdout).toMatch(/ops@example\.com\s+viewer/);
  });

  it('refuses a weak password read from stdin', async () => {
    const proc = spawnHarmonic({
      command: [process.execPath, 'server/cli/harmonic.ts', 'admin', 'create', '--email', 'weak@example.com', '--password-stdin'],
      env: { DATABASE_URL: server.db.url, BCRYPT_COST: '4' },
    });
    proc.child.stdin?.end('short\n');
    const { code } = await proc.exited;
    expect(code).toBe(2);
    expect(proc.output()).toMatch(/password: must be at least 12 characters/);
  });
});
