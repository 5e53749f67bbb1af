import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AlertSettingsService } from './alerts/settings.ts';
import { AlertService } from './alerts/service.ts';
import { AdminAccountService } from './admin/accounts/service.ts';
import { AdminAuthService } from './admin/auth/service.ts';
import { BillingService } from './billing/service.ts';
import type { Config } from './config.ts';
import { CustomerAccountService } from './customers/account.ts';
import { CustomerAuthService } from './customers/auth.ts';
import type { Orm } from './db/orm.ts';
import { DatabaseHealth } from './db/health.ts';
import { InvalidationListener } from './events/invalidation.ts';
import { Jobs } from './jobs/service.ts';
import { KbService } from './kb/service.ts';
import { BcryptPool } from './keys/bcrypt-pool.ts';
import { KeyCache } from './keys/cache.ts';
import { KeyService } from './keys/service.ts';
import { MailService } from './mail/service.ts';
import { VerifyThrottle } from './keys/throttle.ts';
import { ManagementKeyService, type VerifiedManagementKey } from './management/service.ts';
import { MaintenanceJob } from './maintenance.ts';
import { Metrics } from './metrics.ts';
import { SourceService } from './sources/service.ts';
import { TierService } from './tiers/service.ts';
import { LedgerWriter } from './usage/admission/ledger.ts';
import { Admissions } from './usage/admission/service.ts';
import { RefusalWriter } from './usage/refusals/writer.ts';
import { SettingsService } from './settings/service.ts';
import { ReportingService } from './usage/reporting/service.ts';
import { UsageService } from './usage/service.ts';
import { UserService } from './users/service.ts';
import { loadSecretKey } from './webhooks/secret-box.ts';
import { WebhookService } from './webhooks/service.ts';

/**
 * The composition root: every long-lived service, built once per process and
 * shared by the tRPC router and the REST adapter.
 */
export interface Services {
  config: Config;
  logger: Logger;
  orm: Orm;
  databaseHealth: DatabaseHealth;
  keyCache: KeyCache;
  /** bcrypt off the event loop (server/keys/bcrypt-pool.ts). */
  bcrypt: BcryptPool;
  keys: KeyService;
  /** Management keys (`hmm_…`) for operators' scripts (server/management/). */
  managementKeys: ManagementKeyService;
  users: UserService;
  ledger: LedgerWriter;
  /** Refused keyed calls, counted per user, day and reason (server/usage/refusals/). */
  refusals: RefusalWriter;
  usage: UsageService;
  /** The dashboards' reads and usage resets (server/usage/reporting/), apart from admission. */
  reporting: ReportingService;
  sources: SourceService;
  kb: KbService;
  invalidations: InvalidationListener;
  /** Admin sign-in, sessions and their throttle (server/admin/auth/). */
  adminAuth: AdminAuthService;
  /** Admin accounts and their roles (server/admin/accounts/). */
  adminAccounts: AdminAccountService;
  tiers: TierService;
  /** What admins change at run time (server/settings/): sign-up on or off. */
  settings: SettingsService;
  /** Customers' sign-up, sign-in and sessions on the portal (server/customers/). */
  customerAuth: CustomerAuthService;
  /** Customers' own account changes and the emailed links that finish them (server/customers/). */
  customerAccounts: CustomerAccountService;
  maintenance: MaintenanceJob;
  metrics: Metrics;
  /** Durable background jobs on pg-boss (server/jobs/). */
  jobs: Jobs;
  /** Email: kinds defined by their owners, sent by jobs (server/mail/). */
  mail: MailService;
  /** Lemon Squeezy billing: webhooks, tier rules, reconciliation, checkout (server/billing/). */
  billing: BillingService;
  /** Outgoing webhooks: endpoints, events, signed durable deliveries (server/webhooks/). */
  webhooks: WebhookService;
  /** Usage alerts' thresholds, the portal's notices and the operator's feed (server/alerts/settings.ts). */
  alertSettings: AlertSettingsService;
  /** Usage alerts: announcing and resolving what the ledger flush detects (server/alerts/). */
  alerts: AlertService;
}

export function createServices(deps: {
  config: Config;
  logger: Logger;
  orm: Orm;
  /** Where emails are printed when SMTP_URL is unset; stdout by default (tests capture it). */
  mailConsole?: (text: string) => void;
  /** The billing clock (grace periods, ends_at); the wall clock by default, moved by tests. */
  now?: () => Date;
}): Services {
  const { config, logger, orm } = deps;
  const keyCache = new KeyCache(config.keyCache);
  const ledger = new LedgerWriter({ orm, logger, ...config.ledger });
  const refusals = new RefusalWriter({ orm, logger, ...config.ledger });
  let pool: Pool | undefined;
  void (orm.em.getConnection().getNativeClient() as Promise<Pool>).then((p) => (pool = p)).catch(() => undefined);
  const metrics: Metrics = new Metrics({ ledger: () => ledger, refusals: () => refusals, pool: () => pool, keyCacheSize: () => keyCache.size, jobQueues: () => jobs.depths(), webhookBacklog: () => webhooks.backlog() });
  const jobs: Jobs = new Jobs({
    connectionString: orm.config.get('clientUrl') ?? '',
    logger,
    config: config.jobs,
    metrics,
    // Half the shutdown budget for running jobs: flushing the ledger afterwards must still fit in it.
    shutdownTimeoutMs: config.shutdownTimeoutMs / 2,
  });
  const mail = new MailService({ config, logger, jobs, orm, ...(deps.mailConsole ? { write: deps.mailConsole } : {}) });
  const webhooks: WebhookService = new WebhookService({
    config: config.webhooks,
    secretKey: () => loadSecretKey({ configured: config.webhooks.secretKey, dataDir: config.dataDir }),
    logger,
    orm,
    jobs,
    mail,
    metrics,
  });
  const sources = new SourceService({ config: config.sources, logger, orm });
  const bcrypt = new BcryptPool();
  const throttle = new VerifyThrottle();
  const keys = new KeyService({ cache: keyCache, logger, bcryptCost: config.bcryptCost, bcrypt, throttle, metrics, events: webhooks, refusals });
  const managementKeys = new ManagementKeyService({ cache: new KeyCache<VerifiedManagementKey>(config.keyCache), bcrypt, bcryptCost: config.bcryptCost, throttle });
  const settings = new SettingsService({ config });
  const customerAuth = new CustomerAuthService({ config, logger, metrics, bcrypt, settings, mail });
  const usage = new UsageService({
    admissions: new Admissions({ orm, batching: config.admissionBatching, demoQuota: config.demo.monthlyQuota, metrics }),
    ledger,
    refusals,
    keyRefused: (key, reason) => keys.refusedAtAdmission(key, reason),
    demo: { enabled: config.demo.enabled },
  });
  const alerts = new AlertService({ logger, orm, jobs, mail, events: webhooks, usage, metrics });
  ledger.onAlerts = (rows) => alerts.queue(rows);
  const tiers = new TierService({ alerts });
  const billing = new BillingService({ config, logger, orm, jobs, metrics, tiers, usage, events: webhooks, alerts, publicUrl: () => mail.publicUrl, ...(deps.now ? { now: deps.now } : {}) });
  return {
    config,
    logger,
    orm,
    databaseHealth: new DatabaseHealth(orm),
    keyCache,
    bcrypt,
    keys,
    managementKeys,
    users: new UserService({ events: webhooks, alerts }),
    ledger,
    refusals,
    usage,
    reporting: new ReportingService({ ledger, refusals, usage }),
    metrics,
    sources,
    kb: new KbService(),
    adminAuth: new AdminAuthService({ config, logger, metrics }),
    adminAccounts: new AdminAccountService({ config }),
    tiers,
    settings,
    customerAuth,
    customerAccounts: new CustomerAccountService({ auth: customerAuth, logger }),
    maintenance: new MaintenanceJob({ orm, logger, config, jobs, events: webhooks }),
    jobs,
    mail,
    billing,
    webhooks,
    alertSettings: new AlertSettingsService(),
    alerts,
    invalidations: new InvalidationListener({
      connectionString: orm.config.get('clientUrl') ?? '',
      logger,
      onInvalidate: (message) => {
        keys.invalidate(message);
        managementKeys.invalidate(message);
        if (message.kind === 'source') sources.invalidate(message.id);
        else if (message.kind === 'all') sources.invalidate();
      },
    }),
  };
}

/** Starts background work: the ledger's and the refusal counts' flush timers, the LISTEN connection for invalidations, and the job workers. */
export async function startServices(services: Services): Promise<void> {
  services.ledger.start();
  services.refusals.start();
  services.maintenance.start();
  // Registered before the jobs service starts, so its workers start with it (see Jobs.work).
  services.billing.start();
  services.webhooks.start();
  services.alerts.start();
  await services.invalidations.start();
  await services.jobs.start();
}

/** Stops background work and flushes the ledger and the refusal counts; the ORM is closed by the caller afterwards. */
export async function stopServices(services: Services): Promise<void> {
  // First: running jobs may still write through the ORM and the ledger.
  await services.jobs.stop();
  services.mail.close();
  await services.maintenance.stop();
  await services.billing.stop();
  await services.webhooks.stop();
  await services.alerts.stop();
  await Promise.all([services.ledger.stop(services.config.shutdownTimeoutMs), services.refusals.stop(services.config.shutdownTimeoutMs)]);
  await services.invalidations.stop();
  await services.sources.close();
  await services.bcrypt.close();
}
