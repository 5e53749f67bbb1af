import path from 'node:path';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './client-address.ts';
import { billingEnvShape, toBillingConfig, type BillingConfig } from './billing/config.ts';
import { envFlag } from './env-flag.ts';
import { jobsEnvShape, toJobsConfig, type JobsConfig } from './jobs/config.ts';
import { mailEnvShape, toMailConfig, type MailConfig } from './mail/config.ts';
import { sourcesEnvShape, toSourcesConfig, type SourcesConfig } from './sources/config.ts';
import { toWebhooksConfig, webhooksEnvShape, type WebhooksConfig } from './webhooks/config.ts';

/**
 * Every setting Harmonic reads from the environment, parsed once at start-up.
 * A bad value stops the process with a message naming the variable, rather than
 * surfacing later as a confusing runtime error.
 */
const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);


const postgresUrl = z
  .url({ error: 'must be a URL such as postgres://user:password@host:5432/dbname' })
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must start with postgres:// or postgresql://');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  HARMONIC_DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): TrustProxy => {
      const trust = parseTrustProxy(v);
      if (trust && 'error' in trust) {
        ctx.issues.push({ code: 'custom', message: trust.error, input: v });
        return z.NEVER;
      }
      return trust;
    }),
  BCRYPT_COST: z.coerce.number().int().min(4, 'must be between 4 and 15').max(15, 'must be between 4 and 15').default(10),
  KEY_CACHE_MAX: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(86_400_000).default(300_000),
  KEY_CACHE_NEGATIVE_TTL_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  DEMO_ENABLED: envFlag(true),
  DEMO_MONTHLY_QUOTA: z.coerce.number().int().min(0).max(1_000_000_000).optional(),
  ADMISSION_BATCHING: envFlag(true),
  ADMISSION_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(500),
  ADMISSION_BATCH_MAX_INFLIGHT: z.coerce.number().int().min(1).max(100).default(2),
  LEDGER_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  LEDGER_BATCH: z.coerce.number().int().min(1).max(10_000).default(500),
  HARMONIC_ADMIN_EMAIL: z.email({ error: 'must be an email address' }).optional(),
  HARMONIC_ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .refine((p) => Buffer.byteLength(p) <= 72, 'must be at most 72 bytes')
    .optional(),
  PUBLIC_URL: z.url({ error: 'must be a URL such as https://harmonic.example.com' }).optional(),
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.url({ error: 'must be a comma-separated list of origins such as https://admin.example.com' })))
    .optional(),
  CORS_ORIGINS: z
    .string()
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .refine(
      (list) => (list.length === 1 && list[0] === '*') || list.every((o) => /^https?:\/\//.test(o) && URL.canParse(o)),
      'must be * or a comma-separated list of origins such as https://app.example.com',
    )
    .optional(),
  ADMIN_SESSION_IDLE_MS: z.coerce.number().int().min(1000).max(30 * 86_400_000).default(12 * 3_600_000),
  ADMIN_SESSION_MAX_AGE_MS: z.coerce.number().int().min(1000).max(365 * 86_400_000).default(7 * 86_400_000),
  ADMIN_LOGIN_MAX_FAILURES_ACCOUNT: z.coerce.number().int().min(1).max(1000).default(5),
  ADMIN_LOGIN_MAX_FAILURES_IP: z.coerce.number().int().min(1).max(100_000).default(20),
  ADMIN_LOGIN_WINDOW_MS: z.coerce.number().int().min(1000).max(86_400_000).default(15 * 60_000),
  ADMIN_LOGIN_LOCKOUT_MS: z.coerce.number().int().min(1000).max(86_400_000).default(15 * 60_000),
  ADMIN_LOGIN_ACCOUNT_HOURLY_CAP: z.coerce.number().int().min(1).max(1_000_000).default(100),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  SIGNUP_ENABLED: envFlag(true),
  SIGNUP_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
  PORTAL_SESSION_IDLE_MS: z.coerce.number().int().min(1000).max(90 * 86_400_000).default(7 * 86_400_000),
  PORTAL_SESSION_MAX_AGE_MS: z.coerce.number().int().min(1000).max(365 * 86_400_000).default(30 * 86_400_000),
  ...sourcesEnvShape,
  ...jobsEnvShape,
  ...mailEnvShape,
  ...billingEnvShape,
  ...webhooksEnvShape,
});

export type Env = z.input<typeof envSchema>;

const SECRET_VARIABLE = /PASSWORD|SECRET|TOKEN|DATABASE_URL|SMTP_URL|API_KEY/;

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Absent: run on the embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  dbPoolMax: number;
  shutdownTimeoutMs: number;
  bodyLimitBytes: number;
  /** Which hops may set X-Forwarded-For; the client address is the right-most one not trusted. */
  trustProxy: TrustProxy;
  bcryptCost: number;
  keyCache: { max: number; ttlMs: number; negativeTtlMs: number };
  /** Keyless calls to /api/v1/data; the quota defaults to the default tier's. */
  demo: { enabled: boolean; monthlyQuota: number | undefined };
  ledger: { flushIntervalMs: number; maxBatch: number };
  /** Group commit for admissions; off means one statement per call. */
  admissionBatching: { enabled: boolean; maxBatch: number; maxInFlight: number };
  admin: {
    bootstrapEmail: string | undefined;
    bootstrapPassword: string | undefined;
    sessionIdleMs: number;
    sessionMaxAgeMs: number;
    /** Sign-in lockouts; see docs/operations.md. */
    throttle: {
      /** Failures on one account from one address. */
      accountAddress: { maxFailures: number; windowMs: number; lockoutMs: number };
      /** Failures from one address, whatever the account. */
      ip: { maxFailures: number; windowMs: number; lockoutMs: number };
      /** Failures on one account from everywhere in an hour; past the cap only addresses it signed in from may try. */
      account: { hourlyCap: number; windowMs: number };
      /** How long a successful sign-in keeps its address known to the account. */
      knownAddressMs: number;
    };
  };
  /** Where people reach this server, for printed links; defaults to http://localhost:PORT. */
  publicUrl: string | undefined;
  /** Origins allowed to use cookie-authenticated routes; unset means the server's own origin only. */
  allowedOrigins: string[] | undefined;
  /** Origins whose pages may call /api/v1 (never the cookie routes): `*` for any; empty for none. */
  corsOrigins: '*' | string[];
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  /** The customer portal's accounts (server/customers/); sign-in shares `admin.throttle`'s policy. */
  portal: {
    /** Off: nobody can sign up, whatever the admin setting says. */
    signupEnabled: boolean;
    /** Sign-ups (attempts that passed validation) per client address (IPv6: per /64) per hour. */
    signupsPerAddressHourly: number;
    sessionIdleMs: number;
    sessionMaxAgeMs: number;
  };
  sources: SourcesConfig;
  /** Durable background jobs (server/jobs/). */
  jobs: JobsConfig;
  /** Email: SMTP or the console, sender, product name (server/mail/). */
  mail: MailConfig;
  /** Lemon Squeezy billing (server/billing/); off unless key, store and secret are set. */
  billing: BillingConfig;
  /** Outgoing webhooks (server/webhooks/): the SSRF rules' exceptions, time and size bounds, the secret key. */
  webhooks: WebhooksConfig;
}

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Parses the environment; throws ConfigError naming every bad variable at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const value = present[name];
        // Never echo a secret back, not even a malformed one.
        const shown = value === undefined ? '(unset)' : SECRET_VARIABLE.test(name) ? '(hidden)' : JSON.stringify(value);
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.HARMONIC_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    dbPoolMax: e.DB_POOL_MAX,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    bcryptCost: e.BCRYPT_COST,
    keyCache: { max: e.KEY_CACHE_MAX, ttlMs: e.KEY_CACHE_TTL_MS, negativeTtlMs: e.KEY_CACHE_NEGATIVE_TTL_MS },
    demo: { enabled: e.DEMO_ENABLED, monthlyQuota: e.DEMO_MONTHLY_QUOTA },
    ledger: { flushIntervalMs: e.LEDGER_FLUSH_MS, maxBatch: e.LEDGER_BATCH },
    admissionBatching: { enabled: e.ADMISSION_BATCHING, maxBatch: e.ADMISSION_BATCH_MAX, maxInFlight: e.ADMISSION_BATCH_MAX_INFLIGHT },
    admin: {
      bootstrapEmail: e.HARMONIC_ADMIN_EMAIL?.toLowerCase(),
      bootstrapPassword: e.HARMONIC_ADMIN_PASSWORD,
      sessionIdleMs: e.ADMIN_SESSION_IDLE_MS,
      sessionMaxAgeMs: e.ADMIN_SESSION_MAX_AGE_MS,
      throttle: {
        accountAddress: { maxFailures: e.ADMIN_LOGIN_MAX_FAILURES_ACCOUNT, windowMs: e.ADMIN_LOGIN_WINDOW_MS, lockoutMs: e.ADMIN_LOGIN_LOCKOUT_MS },
        ip: { maxFailures: e.ADMIN_LOGIN_MAX_FAILURES_IP, windowMs: e.ADMIN_LOGIN_WINDOW_MS, lockoutMs: e.ADMIN_LOGIN_LOCKOUT_MS },
        account: { hourlyCap: e.ADMIN_LOGIN_ACCOUNT_HOURLY_CAP, windowMs: 3_600_000 },
        knownAddressMs: 30 * 86_400_000,
      },
    },
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    allowedOrigins: e.ALLOWED_ORIGINS?.map((o) => new URL(o).origin),
    corsOrigins: e.CORS_ORIGINS?.[0] === '*' ? '*' : (e.CORS_ORIGINS?.map((o) => new URL(o).origin) ?? []),
    metricsToken: e.METRICS_TOKEN,
    portal: {
      signupEnabled: e.SIGNUP_ENABLED,
      signupsPerAddressHourly: e.SIGNUP_MAX_PER_ADDRESS,
      sessionIdleMs: e.PORTAL_SESSION_IDLE_MS,
      sessionMaxAgeMs: e.PORTAL_SESSION_MAX_AGE_MS,
    },
    sources: toSourcesConfig(e),
    jobs: toJobsConfig(e),
    mail: toMailConfig(e),
    billing: toBillingConfig(e),
    webhooks: toWebhooksConfig(e),
  };
}
