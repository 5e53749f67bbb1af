import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { postData } from '../testing/fixtures.ts';
import { spawnHarmonic } from '../testing/process.ts';
import { startTestServer, type TestServer } from '../testing/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

async function harmonic(...args: string[]): Promise<{ code: number | null; stdout: string; output: string }> {
  return harmonicWith({ DATABASE_URL: server.db.url }, ...args);
}

async function harmonicWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; output: string }> {
  const proc = spawnHarmonic({ command: [process.execPath, 'server/cli/harmonic.ts', ...args], env: { BCRYPT_COST: '4', ...env } });
  let stdout = '';
  proc.child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const { code } = await proc.exited;
  return { code, stdout, output: proc.output() };
}

// Every command is a process of its own (module loading, the ORM, a migration check): allow for a loaded machine.
const SLOW = { timeout: 300_000 };

describe('npx harmonic', SLOW, () => {
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
    expect(revoked.stdout).toMatch(/^Revoked hm_\w{8}… /);
    expect((await postData(server.url, { query: 'cli', sources: 'kb' }, key)).status).toBe(401);

    // Nothing left to do: said so, with when it happened, and a non-zero exit a script can test.
    const again = await harmonic('keys', 'revoke', keyId);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    const grace = await server.services.users.findByEmailOrId(server.orm.em.fork(), 'grace@example.com');
    const [summary] = await server.services.keys.list(server.orm.em.fork(), grace.id);
    expect(again.output).toContain(`harmonic: Key ${summary?.masked} (${keyId}) was already revoked at ${summary?.revokedAt}; nothing done.`);
  });

  it('takes --expires as a date (the key works through that day, UTC) or a date-time with a zone', async () => {
    await harmonic('users', 'create', '--email', 'exp@example.com', '--name', 'Exp');
    const year = new Date().getUTCFullYear() + 1;
    const byDate = await harmonic('keys', 'create', 'exp@example.com', '--name', 'by-date', '--expires', `${year}-01-31`);
    expect(byDate.code).toBe(0);
    expect(byDate.output).toContain(`expiring at ${year}-02-01T00:00:00.000Z`);
    const byTime = await harmonic('keys', 'create', 'exp@example.com', '--name', 'by-time', '--expires', `${year}-01-31T18:30:00+01:00`);
    expect(byTime.code).toBe(0);
    const listed = (await harmonic('keys', 'list', 'exp@example.com')).stdout;
    expect(listed).toMatch(new RegExp(`by-date .*expires ${year}-02-01T00:00:00\\.000Z`));
    expect(listed).toMatch(new RegExp(`by-time .*expires ${year}-01-31T17:30:00\\.000Z`));
    // The key works now, although its date lies ahead.
    const res = await postData(server.url, { query: 'cli', sources: 'kb' }, byDate.stdout.trim());
    expect(res.status).toBe(200);
  });

  it('refuses a bad --expires with one message naming the option, and creates nothing', async () => {
    await harmonic('users', 'create', '--email', 'badexp@example.com', '--name', 'Bad');
    for (const value of ['tomorrow', '2027-02-30', '2027-01-31T18:00:00', '2001-01-01']) {
      const res = await harmonic('keys', 'create', 'badexp@example.com', '--name', 'x', '--expires', value);
      expect(res.code).toBe(2);
      const errors = res.output.split('\n').filter((l) => l.startsWith('harmonic:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`option '--expires <date>' argument '${value}' is invalid.`);
      expect(res.output).not.toContain('expiresAt');
      if (value === '2001-01-01') expect(errors[0]).toMatch(/It must be in the future; it would expire at 2001-01-02T00:00:00\.000Z\./);
    }
    expect((await harmonic('keys', 'list', 'badexp@example.com')).stdout).toMatch(/has no keys/);
  });

  it('marks required options in the help, and prints its version', async () => {
    const keysHelp = await harmonic('keys', 'create', '--help');
    expect(keysHelp.code).toBe(0);
    expect(keysHelp.stdout).toMatch(/--name <name>\s+what the key is for, e\.g\. "production" \(required\)/);
    expect(keysHelp.stdout).toMatch(/--expires <date>\s+when the key stops working: a date \(2027-01-31: the key\s+works through that day/);
    const usersHelp = await harmonic('users', 'create', '--help');
    expect(usersHelp.stdout).toMatch(/--email <email>\s+email address \(required\)/);
    expect(usersHelp.stdout).toMatch(/--name <name>\s+display name \(required\)/);
    expect(usersHelp.stdout).toMatch(/--tier <tier>\s+tier name, e\.g\. Free, Pro, Enterprise\n/);

    const missing = await harmonic('keys', 'create', 'grace@example.com');
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/harmonic: required option '--name <name>' not specified/);

    for (const flag of ['--version', '-V']) {
      const version = await harmonicWith({}, flag);
      expect(version.code).toBe(0);
      expect(version.stdout).toBe(`${packageJson.version}\n`);
    }
  });

  it('lists users as a table, filtered by tier, status and search', async () => {
    for (const [email, tier] of [['list-a@example.com', 'Pro'], ['list-b@example.com', 'Free'], ['list-c@example.com', 'Pro']] as const) {
      expect((await harmonic('users', 'create', '--email', email, '--name', `Name ${email[5]}`, '--tier', tier)).code).toBe(0);
    }
    const c = await server.services.users.findByEmailOrId(server.orm.em.fork(), 'list-c@example.com');
    await server.services.users.setStatus(server.orm.em.fork(), c.id, 'suspended', { type: 'system', id: null, label: 'test', ip: null });

    const rows = (out: string) => out.trim().split('\n').slice(1).map((l) => l.split(/\s{2,}/));
    const all = await harmonic('users', 'list', '--search', 'list-');
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n')[0]).toMatch(/^EMAIL\s+NAME\s+TIER\s+STATUS\s+CREATED$/);
    // Newest first, every column there.
    expect(rows(all.stdout)).toEqual([
      ['list-c@example.com', 'Name c', 'Pro', 'suspended', expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)],
      ['list-b@example.com', 'Name b', 'Free', 'active', expect.any(String)],
      ['list-a@example.com', 'Name a', 'Pro', 'active', expect.any(String)],
    ]);
    expect(rows((await harmonic('users', 'list', '--search', 'list-', '--tier', 'pro')).stdout).map((r) => r[0])).toEqual(['list-c@example.com', 'list-a@example.com']);
    expect(rows((await harmonic('users', 'list', '--search', 'list-', '--status', 'suspended')).stdout).map((r) => r[0])).toEqual(['list-c@example.com']);
    const limited = await harmonic('users', 'list', '--search', 'list-', '--limit', '1');
    expect(rows(limited.stdout)).toHaveLength(1);
    expect(limited.output).toMatch(/Showing 1 of 3 users/);
    expect((await harmonic('users', 'list', '--search', 'no-such-user')).stdout).toBe('No users match.\n');

    const badStatus = await harmonic('users', 'list', '--status', 'gone');
    expect(badStatus.code).toBe(2);
    expect(badStatus.output).toMatch(/option '--status <status>' argument 'gone' is invalid\. Allowed choices are active, suspended\./);
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

describe('npx harmonic admin', SLOW, () => {
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

  it('names --role when the role is not one of owner, admin, viewer', async () => {
    const res = await harmonic('admin', 'create', '--email', 'boss@example.com', '--role', 'boss');
    expect(res.code).toBe(2);
    expect(res.output).toMatch(/harmonic: option '--role <role>' argument 'boss' is invalid\. Allowed choices are owner, admin, viewer\./);
    expect((await harmonic('admin', 'list')).stdout).not.toContain('boss@example.com');
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

describe('npx harmonic admin keys', SLOW, () => {
  it('creates a management key printed once, lists it masked, and revokes it (exit 1 the second time)', async () => {
    const bad = await harmonic('admin', 'keys', 'create', '--name', 'ops', '--scopes', 'users:read,keys:delete');
    expect(bad.code).toBe(2);
    expect(bad.output).toMatch(/scopes\.1: must be one of: users:read, users:write, keys:write, usage:read, tiers:read/);

    const created = await harmonic('admin', 'keys', 'create', '--name', 'ops', '--scopes', 'users:read, tiers:read');
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^hmm_[A-Za-z0-9]{32}$/);
    expect(created.output).toMatch(/with users:read, tiers:read\. Store it now: it will not be shown again\./);
    const tiers = await fetch(`${server.url}/api/v1/tiers`, { headers: { authorization: `Bearer ${key}` } });
    expect(tiers.status).toBe(200);

    const listed = await harmonic('admin', 'keys', 'list');
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…`);
    expect(listed.stdout).not.toContain(key.slice(12));
    expect(listed.stdout).toMatch(/active +ops {2}users:read,tiers:read {2}by cli:/);
    const id = listed.stdout.split(/\s+/)[0] ?? '';

    const revoked = await harmonic('admin', 'keys', 'revoke', id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked hmm_\w{8}… /);
    expect((await fetch(`${server.url}/api/v1/tiers`, { headers: { 'x-api-key': key } })).status).toBe(401);
    const again = await harmonic('admin', 'keys', 'revoke', id);
    expect(again.code).toBe(1);
    expect(again.output).toMatch(/was already revoked at .*; nothing done\./);

    const [event] = await server.orm.em.fork().getConnection().execute<{ actor_type: string }[]>(
      `select actor_type from audit_events where action = 'management_key.revoked' and target_id = ?`,
      [id],
    );
    expect(event?.actor_type).toBe('cli');
  });

  it('creates a user with an external id that a management key can name as userId', async () => {
    const created = await harmonic('users', 'create', '--email', 'ext@example.com', '--name', 'Ext', '--external-id', 'user-ext-1');
    expect(created.code).toBe(0);
    const key = await server.services.managementKeys.create(server.orm.em.fork(), { name: 't', scopes: ['usage:read'], actor: { type: 'system', id: null, label: 'test' } });
    const res = await fetch(`${server.url}/api/v1/usage?action=current&userId=user-ext-1`, { headers: { 'x-api-key': key.key } });
    expect(res.status).toBe(200);
    const user = await server.services.users.findByEmailOrId(server.orm.em.fork(), 'ext@example.com');
    expect((await res.json()).userId).toBe(user.id);
  });
});

describe('npx harmonic without a database', SLOW, () => {
  let parent: string;
  beforeAll(async () => {
    parent = await fs.mkdtemp(path.join(os.tmpdir(), 'harmonic-cli-'));
  });
  afterAll(() => fs.rm(parent, { recursive: true, force: true }));

  it('refuses to create one, says where it looked and what to do, for every command', async () => {
    const dataDir = path.join(parent, 'data');
    for (const args of [['users', 'list'], ['keys', 'create', 'ada@example.com', '--name', 'x'], ['db', 'migrate']]) {
      const res = await harmonicWith({ HARMONIC_DATA_DIR: dataDir }, ...args);
      expect(res.code).toBe(1);
      expect(res.output).toContain(`no embedded PostgreSQL in ${path.join(dataDir, 'postgres')}`);
      expect(res.output).toMatch(/DATABASE_URL is not set/);
      expect(res.output).toMatch(/`npm start`/);
      expect(res.output).not.toMatch(/No user/);
      // Nothing was made there: the server's first start stays the one that creates the cluster.
      await expect(fs.access(dataDir)).rejects.toThrow();
    }
  });
});
