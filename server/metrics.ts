import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataAnswer } from '../shared/data.ts';
import { clientAddress, isPrivateAddress } from './client-address.ts';

export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'cached_rejection'
  | 'not_found_or_revoked'
  | 'wrong_secret'
  | 'expired'
  | 'suspended'
  | 'revoked_since_cached'
  | 'throttled';

/**
 * Prometheus metrics for one server instance (see docs/operations.md). A
 * registry per instance, not prom-client's global one, so several servers in
 * one test process do not collide.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'harmonic_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'harmonic_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly admissions = new Counter({
    name: 'harmonic_quota_admissions_total',
    help: 'Quota decisions: admitted or rejected (over quota), for keyed and demo calls',
    labelNames: ['outcome', 'kind'] as const,
    registers: [this.registry],
  });

  readonly authFailures = new Counter({
    name: 'harmonic_auth_failures_total',
    help: 'API key authentication failures by reason (callers always see the same 401)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly adminLockouts = new Counter({
    name: 'harmonic_admin_signin_lockouts_total',
    help: 'Admin sign-in lockouts started, by scope: address, account_address, account_cap',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly customerLockouts = new Counter({
    name: 'harmonic_customer_signin_lockouts_total',
    help: 'Customer (portal) sign-in lockouts started, by scope: address, account_address, account_cap',
    labelNames: ['scope'] as const,
    registers: [this.registry],
  });

  readonly keyCacheLookups = new Counter({
    name: 'harmonic_key_cache_lookups_total',
    help: 'Key verification cache lookups: hit, rejected_hit (a cached failure) or miss',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly sourceDuration = new Histogram({
    name: 'harmonic_source_duration_seconds',
    help: 'Time each data source took, by source and status (ok, empty, error, timeout, skipped)',
    labelNames: ['source', 'status', 'cached'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [this.registry],
  });

  readonly sourceErrors = new Counter({
    name: 'harmonic_source_errors_total',
    help: 'Data source failures by source and status (error or timeout)',
    labelNames: ['source', 'status'] as const,
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'harmonic_jobs_total',
    help: 'Background job attempts by queue and outcome: completed, retried (failed, will run again) or failed (for good)',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly billingEvents = new Counter({
    name: 'harmonic_billing_events_total',
    help: 'Lemon Squeezy webhook deliveries: received (stored), duplicate (a retry, not stored again), then the state each processing ended in',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly billingDrift = new Counter({
    name: 'harmonic_billing_drift_total',
    help: 'Subscriptions or tiers the reconciler found wrong (a missed or late webhook) and corrected',
    registers: [this.registry],
  });

  readonly billingReconciliations = new Counter({
    name: 'harmonic_billing_reconciliations_total',
    help: 'Reconciliation runs against the Lemon Squeezy API, by outcome: completed or failed',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'harmonic_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retrying, failed: refused or endpoint disabled, exhausted) and event type',
    labelNames: ['outcome', 'event_type'] as const,
    registers: [this.registry],
  });

  readonly alertsFired = new Counter({
    name: 'harmonic_alerts_fired_total',
    help: 'Quota alerts announced (webhook event and email queued), by kind: percent, count, exhausted',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor(opts: {
    ledger: () => { pending: number; lagMs: number; written: number };
    /** The refused-call counts' buffer (server/usage/refusals/writer.ts). */
    refusals?: () => { pending: number; written: number };
    pool: () => Pool | undefined;
    keyCacheSize: () => number;
    /** Jobs waiting and running per queue (server/jobs/); empty when jobs are not started. */
    jobQueues?: () => Promise<{ queue: string; queued: number; active: number }[]>;
    /** Webhook deliveries waiting for an attempt, and the age of the oldest (server/webhooks/). */
    webhookBacklog?: () => Promise<{ pending: number; oldestSeconds: number }>;
  }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'harmonic_' });
    new Gauge({
      name: 'harmonic_ledger_pending_events',
      help: 'Admitted calls whose ledger rows are not yet written',
      registers: [this.registry],
      collect() {
        this.set(opts.ledger().pending);
      },
    });
    new Gauge({
      name: 'harmonic_ledger_lag_seconds',
      help: 'Age of the oldest ledger row not yet written (0 when none)',
      registers: [this.registry],
      collect() {
        this.set(opts.ledger().lagMs / 1000);
      },
    });
    new Gauge({
      name: 'harmonic_ledger_written_events',
      help: 'Ledger rows written by this instance since it started',
      registers: [this.registry],
      collect() {
        this.set(opts.ledger().written);
      },
    });
    const { refusals } = opts;
    if (refusals) {
      new Gauge({
        name: 'harmonic_refusal_pending_counts',
        help: 'Refused-call sums (one per user, day and reason) not yet added to refusal_counters',
        registers: [this.registry],
        collect() {
          this.set(refusals().pending);
        },
      });
      new Gauge({
        name: 'harmonic_refused_calls_written',
        help: 'Refused keyed calls this instance has added to refusal_counters since it started',
        registers: [this.registry],
        collect() {
          this.set(refusals().written);
        },
      });
    }
    new Gauge({
      name: 'harmonic_db_pool_connections',
      help: 'PostgreSQL pool connections: total, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const pool = opts.pool();
        this.set({ state: 'total' }, pool?.totalCount ?? 0);
        this.set({ state: 'idle' }, pool?.idleCount ?? 0);
        this.set({ state: 'waiting' }, pool?.waitingCount ?? 0);
      },
    });
    new Gauge({
      name: 'harmonic_key_cache_entries',
      help: 'Verified keys held in the cache',
      registers: [this.registry],
      collect() {
        this.set(opts.keyCacheSize());
      },
    });
    new Gauge({
      name: 'harmonic_job_queue_jobs',
      help: 'Background jobs per queue, queued (waiting or due for a retry) and active, as pg-boss last counted them',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        // A scrape while the database is away still answers, without the queue counts.
        const queues = await opts.jobQueues?.().catch(() => []);
        for (const q of queues ?? []) {
          this.set({ queue: q.queue, state: 'queued' }, q.queued);
          this.set({ queue: q.queue, state: 'active' }, q.active);
        }
      },
    });
    // A scrape while the database is away still answers, without these two.
    const readBacklog = () => (opts.webhookBacklog?.() ?? Promise.resolve(undefined)).catch(() => undefined);
    new Gauge({
      name: 'harmonic_webhook_pending_deliveries',
      help: 'Webhook deliveries waiting for their next attempt (the delivery queue depth)',
      registers: [this.registry],
      async collect() {
        const b = await readBacklog();
        if (b) this.set(b.pending);
      },
    });
    new Gauge({
      name: 'harmonic_webhook_oldest_pending_seconds',
      help: 'Age of the oldest webhook delivery not yet delivered, failed or exhausted (0 when none)',
      registers: [this.registry],
      async collect() {
        const b = await readBacklog();
        if (b) this.set(b.oldestSeconds);
      },
    });
  }

  /** Per-source latency and failures, read off an answer. */
  observeAnswer(answer: DataAnswer): void {
    for (const report of Object.values(answer.sources)) {
      this.sourceDuration.observe({ source: report.source, status: report.status, cached: String(report.cached) }, report.tookMs / 1000);
      if (report.status === 'error' || report.status === 'timeout') this.sourceErrors.inc({ source: report.source, status: report.status });
    }
  }
}

/** Counts and times every request by its route template (bounded cardinality), and serves /metrics. */
export function registerMetrics(app: FastifyInstance, metrics: Metrics, opts: { token: string | undefined; procedures: ReadonlySet<string> }): void {
  // Callback-style, like the other hot-path hooks in server/app.ts: no promise per request.
  app.addHook('onResponse', (req, reply, done) => {
    let route = req.routeOptions.url ?? 'unmatched';
    // tRPC is one Fastify route; label by procedure instead, from the router's own (bounded) list.
    if (route.startsWith('/trpc/')) {
      const path = /^\/trpc\/([^?]+)/.exec(req.url)?.[1] ?? '';
      route = path.includes(',') ? '/trpc/(batch)' : opts.procedures.has(path) ? `/trpc/${path}` : '/trpc/(unknown)';
    }
    const labels = { route, method: req.method, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  // Hashing both sides gives equal lengths, so the comparison takes the same time whatever was sent.
  const digest = (v: string) => createHash('sha256').update(v).digest();
  const expected = opts.token === undefined ? undefined : digest(`Bearer ${opts.token}`);

  // The metrics tell failure reasons apart (e.g. an unknown key from a wrong secret), so they are not public.
  app.get('/metrics', async (req, reply) => {
    if (expected) {
      if (!timingSafeEqual(expected, digest(req.headers.authorization ?? ''))) {
        return reply.code(401).header('WWW-Authenticate', 'Bearer').send({ error: { code: 'UNAUTHORIZED', message: 'Send Authorization: Bearer <METRICS_TOKEN>' } });
      }
    } else if (!isPrivateAddress(clientAddress(req))) {
      return reply
        .code(403)
        .send({ error: { code: 'FORBIDDEN', message: '/metrics answers loopback and private addresses only; set METRICS_TOKEN to scrape it from elsewhere' } });
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
