import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKey, maskKey } from './keys/format.ts';
import { MAINTENANCE_QUEUE } from './maintenance.ts';
import { createAdmin, signIn } from './testing/admin.ts';
import { createCustomer, signInCustomer } from './testing/customers.ts';
import { createUserWithKey } from './testing/fixtures.ts';
import { waitForJob } from './testing/jobs.ts';
import { startTestServer, type TestServer } from './testing/server.ts';

/** The maintenance pass, run by hand: the server's own scheduled pass is stopped so it never races these tests. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  await server.services.maintenance.stop();
});
afterAll(() => server.close());

const expireNow = (keyId: string) => server.orm.em.fork().execute(`update api_keys set expires_at = now() - interval '1 minute' where id = ?`, [keyId]);

describe('maintenance', () => {
  it('audits each passed key expiry once, as Harmonic, naming the key masked', async () => {
    const u = await createUserWithKey(server.services);
    await expireNow(u.keyId);
    expect(await server.services.maintenance.runOnce()).toBe(1);
    expect(await server.services.maintenance.runOnce()).toBe(0);
    const events = await server.orm.em
      .fork()
      .execute(`select actor_type, actor_id, actor_label, target_type, details from audit_events where action = 'key.expired' and target_id = ?`, [u.keyId]);
    expect(events).toEqual([
      {
        actor_type: 'system',
        actor_id: null,
        actor_label: 'harmonic',
        target_type: 'api_key',
        details: { userId: u.userId, masked: maskKey(parseKey(u.key)?.lookupId ?? ''), expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
      },
    ]);
  });

  it('does nothing while another instance holds the pass', async () => {
    const u = await createUserWithKey(server.services);
    await expireNow(u.keyId);
    await server.orm.em.fork().transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(hashtext('harmonic:maintenance'))`);
      expect(await server.services.maintenance.runOnce()).toBe(0);
    });
    const [row] = await server.orm.em.fork().execute<{ audited: boolean }[]>(`select expiry_audited_at is not null as audited from api_keys where id = ?`, [u.keyId]);
    expect(row?.audited).toBe(false);
    expect(await server.services.maintenance.runOnce()).toBe(1);
  });

  it('forgets sessions past their idle expiry and keeps live ones', async () => {
    const stale = await createAdmin(server.services, 'admin');
    const live = await createAdmin(server.services, 'admin');
    await signIn(server, stale.email, stale.password);
    await signIn(server, live.email, live.password);
    const em = server.orm.em.fork();
    await em.execute(
      `update admin_sessions set expires_at = now() - interval '1 second' where admin_id = (select id from admin_accounts where email = ?)`,
      [stale.email],
    );
    await server.services.maintenance.runOnce();
    const rows = await em.execute<{ email: string }[]>(`select a.email from admin_sessions s join admin_accounts a on a.id = s.admin_id order by a.email`);
    expect(rows).toEqual([{ email: live.email }]);
  });

  it('forgets customer sessions past their idle expiry, link tokens a day past theirs, and ended rate limits', async () => {
    const stale = await createCustomer(server);
    const live = await createCustomer(server);
    await signInCustomer(server, stale.email, stale.password);
    await signInCustomer(server, live.email, live.password);
    const em = server.orm.em.fork();
    await em.execute(`update customer_sessions set expires_at = now() - interval '1 second' where user_id = ?`, [stale.userId]);
    await em.execute(`update account_tokens set expires_at = now() - interval '25 hours' where user_id = ?`, [stale.userId]);
    await em.execute(`update account_tokens set expires_at = now() - interval '23 hours' where user_id = ?`, [live.userId]);
    await em.execute(
      `insert into auth_throttle (scope, subject, failures, window_started_at, locked_until) values
         ('rate', 'signup|stale', 3, now() - interval '25 hours', null),
         ('rate', 'signup|recent', 3, now() - interval '2 hours', null)`,
    );
    await server.services.maintenance.runOnce();
    const sessions = await em.execute<{ user_id: string }[]>(`select distinct user_id from customer_sessions where user_id in (?, ?)`, [stale.userId, live.userId]);
    expect(sessions).toEqual([{ user_id: live.userId }]);
    const tokens = await em.execute<{ user_id: string }[]>(`select distinct user_id from account_tokens where user_id in (?, ?)`, [stale.userId, live.userId]);
    expect(tokens).toEqual([{ user_id: live.userId }]);
    const rates = await em.execute<{ subject: string }[]>(`select subject from auth_throttle where scope = 'rate' and subject in ('signup|stale', 'signup|recent') order by subject`);
    expect(rates.map((r) => r.subject)).toEqual(['signup|recent']);
  });
});

describe('the scheduled maintenance pass', () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    first = await startTestServer();
    second = await startTestServer({ db: first.db });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  it('is one pg-boss schedule, every minute, however many instances declare it', async () => {
    const schedules = await first.orm.em.fork().execute(`select name, cron, timezone from pgboss.schedule where name = ?`, [MAINTENANCE_QUEUE]);
    expect(schedules).toEqual([{ name: MAINTENANCE_QUEUE, cron: '* * * * *', timezone: 'UTC' }]);
  });

  it('runs the pass when its job comes, on one of the instances', async () => {
    const u = await createUserWithKey(first.services);
    await first.orm.em.fork().execute(`update api_keys set expires_at = now() - interval '1 minute' where id = ?`, [u.keyId]);
    // What the schedule sends each minute, sent now.
    const id = await first.services.jobs.send(first.orm.em.fork(), MAINTENANCE_QUEUE, {});
    await waitForJob(first.services.jobs, MAINTENANCE_QUEUE, id ?? '');
    const events = await first.orm.em.fork().execute(`select count(*)::int as n from audit_events where action = 'key.expired' and target_id = ?`, [u.keyId]);
    expect(events).toEqual([{ n: 1 }]);
  });
});
