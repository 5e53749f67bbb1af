import type { EntityManager } from '@mikro-orm/postgresql';
import type { Overview } from '../../../shared/admin.ts';
import type { QuotaState, UsageAnalytics } from '../../../shared/usage.ts';
import { audit, type Actor } from '../../audit/service.ts';
import { AppError } from '../../errors.ts';
import type { LedgerWriter } from '../admission/ledger.ts';
import type { UsageService } from '../service.ts';
import { reportingRepository } from './repository.ts';

export interface ReportingServiceDeps {
  /** Flushed before every read, so a caller sees the calls this instance has just admitted. */
  ledger: Pick<LedgerWriter, 'flush'>;
  /** A reset answers with the user's standing, as the headers would tell it. */
  usage: Pick<UsageService, 'current'>;
}

/**
 * Usage as the dashboards see it: series, breakdowns, latency and revenue read
 * from the ledger and the counters, and the admin's reset of a counter. Kept
 * apart from admission (UsageService.meter): nothing here is on a keyed call's path.
 */
export class ReportingService {
  private readonly deps: ReportingServiceDeps;
  constructor(deps: ReportingServiceDeps) {
    this.deps = deps;
  }

  /** Daily series, breakdowns and latency from the ledger; `userId` null means everyone. */
  async analytics(em: EntityManager, userId: string | null, days: number): Promise<UsageAnalytics> {
    // Read-your-writes: calls this instance admitted are in the ledger before we read it.
    await this.deps.ledger.flush();
    const rows = await reportingRepository(em).analytics(userId, days);
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
    const [rows, everyone] = await Promise.all([reportingRepository(em).overview(days), reportingRepository(em.fork()).analytics(null, days)]);
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
      const repo = reportingRepository(tx);
      const usedBefore = await repo.usedThisPeriod(userId);
      if (usedBefore === undefined) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
      await repo.resetCounter(userId);
      audit(tx, actor, { action: 'usage.reset', target: { type: 'user', id: userId }, details: { usedBefore } });
      await tx.flush();
    });
    return this.deps.usage.current(em, userId);
  }
}
