import type { EntityManager } from '@mikro-orm/postgresql';
import type { Breakdown, QuotaState, UsageAnalytics } from '../../shared/usage.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError, validationError } from '../errors.ts';
import type { VerifiedKey } from '../keys/cache.ts';
import { UsageCounter, UsageEvent } from './entities.ts';
import { quotaExceeded } from './admission/headers.ts';
import { ledgerIssues, type LedgerWriter } from './admission/ledger.ts';
import type { Admission } from './admission/outcome.ts';
import { periodKey, periodOfKey } from './admission/period.ts';
import type { Admissions, KeyRefusal } from './admission/service.ts';

export interface Overview {
  days: number;
  requestsToday: number;
  requestsThisMonth: number;
  activeKeys: number;
  users: number;
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  daily: { date: string; ok: number; clientErrors: number; serverErrors: number; demo: number; bySource: Record<string, number> }[];
  topUsers: { userId: string; email: string; tier: string; requests: number }[];
  nearQuota: { userId: string; email: string; tier: string; used: number; quota: number; utilisation: number }[];
  revenue: {
    tierId: string;
    tier: string;
    priceCents: number | null;
    monthlyQuota: number | null;
    users: number;
    payingUsers: number;
    monthlyRevenueCents: number | null;
  }[];
  monthlyRevenueCents: number;
  /** Everyone's calls in the window, by endpoint, source and status. */
  byEndpoint: Breakdown[];
  bySource: Breakdown[];
  byStatus: Breakdown[];
}

/** Who a metered call is charged to. */
export type Subject = { kind: 'key'; key: VerifiedKey } | { kind: 'demo'; clientIp: string };

export type { Admission } from './admission/outcome.ts';

export interface MeteredCall {
  endpoint: string;
  method: string;
  sources: string[];
  units?: number;
  /** performance.now() when the request arrived, for the recorded response time. */
  startedAt: number;
}

export interface UsageServiceDeps {
  admissions: Admissions;
  ledger: LedgerWriter;
  /** What key auth answers when admission finds a cached key no longer good (server/keys/service.ts). */
  keyRefused: (key: VerifiedKey, reason: KeyRefusal) => AppError;
  demo: { enabled: boolean };
}

/**
 * Quotas and metering. Admission (server/usage/admission/) is one atomic
 * statement on the caller's counter in PostgreSQL; no in-memory counter is
 * ever the source of truth. Every admitted call is then written to the
 * ledger, from which the dashboards read; the counter is the ledger's running
 * total for the period.
 */
export class UsageService {
  private readonly deps: UsageServiceDeps;
  constructor(deps: UsageServiceDeps) {
    this.deps = deps;
  }

  get demoEnabled(): boolean {
    return this.deps.demo.enabled;
  }

  /** The admission batchers, when batching is on (their batch sizes feed tests and the benchmark). */
  get batchers(): Admissions['batchers'] {
    return this.deps.admissions.batchers;
  }

  /** Admits a keyed call or throws 401 (key no longer valid), 403 (owner suspended) or 429 (over quota). */
  async admitKey(em: EntityManager, key: VerifiedKey, units = 1): Promise<Admission> {
    const result = await this.deps.admissions.key(em, key, units);
    if ('refused' in result) throw this.deps.keyRefused(key, result.refused);
    if (!result.admitted) throw quotaExceeded(result.admission);
    return result.admission;
  }

  /** Admits a keyless demo call, metered per client IP, or throws 429. */
  async admitDemo(em: EntityManager, clientIp: string, units = 1): Promise<Admission> {
    const result = await this.deps.admissions.demo(em, clientIp, units);
    if (!result.admitted) throw quotaExceeded(result.admission);
    return result.admission;
  }

  /**
   * Admits, runs `fn`, and records the call in the ledger with its outcome.
   * The admission is returned with the result so the caller can set headers.
   */
  async meter<T>(em: EntityManager, subject: Subject, call: MeteredCall, fn: () => Promise<T>): Promise<{ result: T; admission: Admission }> {
    const units = call.units ?? 1;
    // A call whose ledger row the database would refuse is never admitted, so the count cannot run ahead of the ledger.
    const issues = ledgerIssues({ ...call, units });
    if (issues.length) throw validationError(issues);
    const admission =
      subject.kind === 'key' ? await this.admitKey(em, subject.key, units) : await this.admitDemo(em, subject.clientIp, units);
    let status = 200;
    try {
      return { result: await fn(), admission };
    } catch (err) {
      status = err instanceof AppError ? err.status : 500;
      throw err;
    } finally {
      this.deps.ledger.append({
        period: periodKey(admission.periodStart),
        userId: admission.userId,
        apiKeyId: admission.keyId,
        clientIp: admission.clientIp,
        endpoint: call.endpoint,
        method: call.method,
        sources: call.sources,
        status,
        responseTimeMs: Math.max(0, Math.round(performance.now() - call.startedAt)),
        units,
        createdAt: admission.at.toISOString(),
      });
    }
  }

  /** The caller's standing this period: the same numbers as the headers. */
  async current(em: EntityManager, userId: string): Promise<QuotaState> {
    const row = await em.getRepository(UsageCounter).currentForUser(userId);
    if (!row) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
    return {
      userId,
      tier: row.tier_name,
      limit: row.quota,
      used: row.used,
      remaining: row.quota === null ? null : Math.max(0, row.quota - row.used),
      periodStart: periodOfKey(row.period).start.toISOString(),
      resetAt: periodOfKey(row.period).end.toISOString(),
    };
  }

  /** Daily series, breakdowns and latency from the ledger; `userId` null means everyone. */
  async analytics(em: EntityManager, userId: string | null, days: number): Promise<UsageAnalytics> {
    // Read-your-writes: calls this instance admitted are in the ledger before we read it.
    await this.deps.ledger.flush();
    const rows = await em.getRepository(UsageEvent).analytics(userId, days);
    const totals = rows.daily.reduce(
      (t, d) => ({ requests: t.requests + d.requests, units: t.units + d.units, errors: t.errors + d.errors }),
      { requests: 0, units: 0, errors: 0 },
    );
    return {
      days,
      daily: rows.daily,
      byEndpoint: rows.byEndpoint,
      bySource: rows.bySource,
      byStatus: rows.byStatus,
      avgResponseMs: rows.latency.avg,
      p95ResponseMs: rows.latency.p95,
      totals,
    };
  }

  /** The admin dashboard: traffic, errors, latency, top users, users near their quota and revenue by tier. */
  async overview(em: EntityManager, days: number): Promise<Overview> {
    await this.deps.ledger.flush();
    // The ledger was flushed once above; both reads see it.
    const [rows, everyone] = await Promise.all([em.getRepository(UsageEvent).overview(days), em.fork().getRepository(UsageEvent).analytics(null, days)]);
    const h = rows.headline;
    const bySource = new Map<string, Record<string, number>>();
    for (const r of rows.dailyBySource) bySource.set(r.date, { ...bySource.get(r.date), [r.source]: r.requests });
    const revenue = rows.revenue.map((r) => ({
      tierId: r.tier_id,
      tier: r.tier,
      priceCents: r.price_cents,
      monthlyQuota: r.monthly_quota,
      users: r.users,
      payingUsers: r.paying_users,
      /** null: a negotiated price, not known here. */
      monthlyRevenueCents: r.price_cents === null ? null : r.price_cents * r.paying_users,
    }));
    return {
      days,
      requestsToday: h.requests_today,
      requestsThisMonth: h.requests_this_month,
      activeKeys: h.active_keys,
      users: h.users,
      requests: h.requests,
      errors: h.errors,
      errorRate: h.requests ? h.errors / h.requests : 0,
      p50Ms: h.p50_ms,
      p95Ms: h.p95_ms,
      daily: rows.daily.map((d) => ({
        date: d.date,
        ok: d.ok,
        clientErrors: d.client_errors,
        serverErrors: d.server_errors,
        demo: d.demo,
        bySource: bySource.get(d.date) ?? {},
      })),
      topUsers: rows.topUsers.map((u) => ({ userId: u.user_id, email: u.email, tier: u.tier, requests: u.requests })),
      nearQuota: rows.nearQuota.map((u) => ({ userId: u.user_id, email: u.email, tier: u.tier, used: u.used, quota: u.quota, utilisation: u.used / Math.max(1, u.quota) })),
      revenue,
      monthlyRevenueCents: revenue.reduce((sum, r) => sum + (r.monthlyRevenueCents ?? 0), 0),
      byEndpoint: everyone.byEndpoint,
      bySource: everyone.bySource,
      byStatus: everyone.byStatus,
    };
  }

  /**
   * Starts a user's count for this period again at zero (an admin's courtesy,
   * audited). Ledger rows are kept; the counter remembers when it was reset so
   * it still equals the ledger rows since then.
   */
  async resetUsage(em: EntityManager, userId: string, actor: Actor): Promise<QuotaState> {
    await this.deps.ledger.flush();
    await em.transactional(async (tx) => {
      const [row] = await tx.execute<{ used: number | null; found: boolean }[]>(
        `select (select used from usage_counters where user_id = u.id and period = date_trunc('month', now() at time zone 'utc')::date) as used,
                true as found
           from users u where u.id = ? and u.deleted_at is null`,
        [userId],
      );
      if (!row) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
      await tx.execute(
        `insert into usage_counters (user_id, period, used, reset_at, updated_at)
         values (?, date_trunc('month', now() at time zone 'utc')::date, 0, clock_timestamp(), now())
         on conflict (user_id, period) do update set used = 0, reset_at = excluded.reset_at, updated_at = excluded.updated_at`,
        [userId],
      );
      audit(tx, actor, { action: 'usage.reset', target: { type: 'user', id: userId }, details: { usedBefore: row.used ?? 0 } });
      await tx.flush();
    });
    return this.current(em, userId);
  }
}
