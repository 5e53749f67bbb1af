import type { EntityManager } from '@mikro-orm/postgresql';
import type { Overview } from '../../../shared/admin.ts';
import type { Breakdown, QuotaState, RefusedUsage, UsageAnalytics } from '../../../shared/usage.ts';
import { audit, type Actor } from '../../audit/service.ts';
import { AppError } from '../../errors.ts';
import type { LedgerWriter } from '../admission/ledger.ts';
import type { RefusalWriter } from '../refusals/writer.ts';
import type { UsageService } from '../service.ts';
import { reportingRepository } from './repository.ts';

export interface ReportingServiceDeps {
  /** Flushed before every read, so a caller sees the calls this instance has just admitted. */
  ledger: Pick<LedgerWriter, 'flush'>;
  /** Flushed likewise, so the refusals this instance has just answered are counted. */
  refusals: Pick<RefusalWriter, 'flush'>;
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
    // Read-your-writes: calls this instance admitted (or refused) are in the database before we read it.
    await this.flushed();
    const rows = await reportingRepository(em).analytics(userId, days);
    const refused = refusedUsage(rows.refused);
    const totals = rows.daily.reduce(
      (t, d) => ({ requests: t.requests + d.requests, units: t.units + d.units, errors: t.errors + d.errors }),
      { requests: 0, units: 0, errors: 0 },
    );
    return {
      days,
      daily: rows.daily,
      byEndpoint: rows.byEndpoint,
      bySource: rows.bySource,
      byStatus: withRefusals(rows.byStatus, refused),
      avgResponseMs: rows.latency.avg,
      p95ResponseMs: rows.latency.p95,
      totals,
      refused,
    };
  }

  /** The admin dashboard: traffic, errors, latency, top users, users near their quota and revenue by tier. */
  async overview(em: EntityManager, days: number): Promise<Overview> {
    await this.flushed();
    // The ledger was flushed once above; both reads see it.
    const [rows, everyone] = await Promise.all([reportingRepository(em).overview(days), reportingRepository(em.fork()).analytics(null, days)]);
    const refused = refusedUsage(everyone.refused);
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
      byStatus: withRefusals(everyone.byStatus, refused),
      refused,
    };
  }

  private async flushed(): Promise<void> {
    await Promise.all([this.deps.ledger.flush(), this.deps.refusals.flush()]);
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

/** The window's refusals per day, with their sums by reason. */
function refusedUsage(daily: RefusedUsage['daily']): RefusedUsage {
  const sum = (pick: (d: RefusedUsage['daily'][number]) => number) => daily.reduce((n, d) => n + pick(d), 0);
  const overQuota = sum((d) => d.overQuota);
  const suspended = sum((d) => d.suspended);
  const keyInvalid = sum((d) => d.keyInvalid);
  return { total: overQuota + suspended + keyInvalid, overQuota, suspended, keyInvalid, daily };
}

/**
 * The ledger's calls by status with the refused ones added as the status they
 * were answered with, so the breakdown shows every call; refused calls used no units.
 */
function withRefusals(byStatus: Breakdown[], refused: RefusedUsage): Breakdown[] {
  const merged = new Map(byStatus.map((b) => [b.key, { ...b }]));
  for (const [status, count] of [['429', refused.overQuota], ['403', refused.suspended], ['401', refused.keyInvalid]] as const) {
    if (count === 0) continue;
    const entry = merged.get(status);
    if (entry) entry.requests += count;
    else merged.set(status, { key: status, requests: count, units: 0 });
  }
  return [...merged.values()].sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
}
