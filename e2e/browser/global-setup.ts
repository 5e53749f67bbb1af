import type { FullConfig } from '@playwright/test';
import { startFakeLemonSqueezy } from '../../server/testing/lemonsqueezy.ts';
import { spawnServer } from '../../server/testing/process.ts';
import { databaseUrl, findTestPostgres, withAdminClient } from '../../server/testing/postgres.ts';
import { E2E_ADMIN } from './env.ts';
import { startMailSink } from './mail.ts';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Once per Playwright run: a fresh database on the test PostgreSQL
 * (TEST_DATABASE_URL, else 127.0.0.1:5432, else an embedded one), the real
 * server on it (`node server/main.ts`, migrations applied at start) on a free
 * port, waiting for its banner and a green /readyz (spawnServer), however long a
 * busy machine takes, and failing with its output if it exits instead; and a
 * mailbox for the emails it sends (mail.ts). The returned function tears it all down.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const pg = await findTestPostgres();
  const database = `harmonic_e2e_${process.pid}_${Date.now().toString(36)}`;
  await withAdminClient(pg.adminUrl, async (client) => {
    // Databases of earlier runs whose process died.
    const stale = await client.query<{ datname: string }>(`select datname from pg_database where datname ~ '^harmonic_e2e_[0-9]+_'`);
    for (const { datname } of stale.rows) {
      if (!isAlive(Number(datname.split('_')[2]))) await client.query(`drop database if exists ${client.escapeIdentifier(datname)} with (force)`);
    }
    await client.query(`create database ${client.escapeIdentifier(database)}`);
  });
  const url = databaseUrl(pg.adminUrl, database);

  const dropDatabase = () => withAdminClient(pg.adminUrl, (client) => client.query(`drop database if exists ${client.escapeIdentifier(database)} with (force)`));
  // The server sends its emails to a real SMTP server of the tests' own; the specs read them through the sink (mail.ts).
  const mail = await startMailSink();
  // Billing on, against a fake Lemon Squeezy of the tests' own (server/testing/lemonsqueezy.ts), which the
  // specs drive through E2E_LEMONSQUEEZY_URL (FakeLemonSqueezyControl) and whose secret signs their webhooks.
  const lemonSqueezy = await startFakeLemonSqueezy();
  const server = await spawnServer(url, {
    ...lemonSqueezy.env,
    SMTP_URL: mail.smtpUrl,
    HARMONIC_ADMIN_EMAIL: E2E_ADMIN.email,
    HARMONIC_ADMIN_PASSWORD: E2E_ADMIN.password,
    // Every browser test signs in from 127.0.0.1: keep the per-IP limit out of the way (the per-account one is tested).
    ADMIN_LOGIN_MAX_FAILURES_IP: '10000',
    BCRYPT_COST: '4',
    // No network here: the upstream sources fail fast; the tests query the knowledge base.
    SOURCE_TIMEOUT_MS: '1500',
    DEMO_MONTHLY_QUOTA: '100000',
    // The portal specs sign customers up from 127.0.0.1 too.
    SIGNUP_MAX_PER_ADDRESS: '1000',
    // The webhooks spec's receiver is on http://localhost; the secrets' key is given, so no key file is written.
    ALLOW_INSECURE_WEBHOOKS: 'true',
    HARMONIC_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
  }).catch(async (err: unknown) => {
    // spawnServer has killed the server; leave nothing else behind either.
    await mail.close();
    await lemonSqueezy?.close();
    await dropDatabase();
    await pg.stop();
    throw err;
  });
  process.env['E2E_BASE_URL'] = server.url;
  process.env['E2E_DATABASE_URL'] = url;
  process.env['E2E_MAIL_URL'] = mail.url;
  process.env['E2E_LEMONSQUEEZY_URL'] = lemonSqueezy.origin;

  return async () => {
    server.proc.kill('SIGTERM');
    // A graceful stop normally takes well under a second; this ceiling only guards against a hang.
    const stopped = await Promise.race([server.proc.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 60_000))]);
    if (!stopped) server.proc.kill('SIGKILL');
    await mail.close();
    await lemonSqueezy?.close();
    await dropDatabase();
    await pg.stop();
  };
}
