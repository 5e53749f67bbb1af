import type { EntityManager } from '@mikro-orm/postgresql';
import type { QuotaState } from '../../shared/usage.ts';
import type { UsagePeriod } from '../../shared/billing.ts';
import { AppError, validationError } from '../errors.ts';
import type { VerifiedKey } from '../keys/cache.ts';
import { UsageCounter } from './entity.ts';
import { quotaExceeded } from './admission/headers.ts';
import { ledgerIssues, type LedgerWriter } from './admission/ledger.ts';
import type { Admission } from './admission/outcome.ts';
import type { Admissions, KeyRefusal } from './admission/service.ts';
import type { RefusalWriter } from './refusals/writer.ts';

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
  /** Where refused calls are counted (never the ledger: a refusal is no admitted call). */
  refusals: Pick<RefusalWriter, 'count'>;
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
    if ('refused' in result) {
      this.deps.refusals.count(key.userId, result.refused === 'suspended' ? 'suspended' : 'key_invalid');
      throw this.deps.keyRefused(key, result.refused);
    }
    if (!result.admitted) {
      this.deps.refusals.count(key.userId, 'over_quota', result.admission.at);
      throw quotaExceeded(result.admission);
    }
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
        period: admission.period,
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
        usedAfter: admission.used,
        limit: admission.limit,
        periodStart: admission.periodStart.toISOString(),
        periodEnd: admission.resetAt.toISOString(),
      });
    }
  }

  /** The user's current period by the database clock: the calendar month, or renewal to renewal while subscribed. */
  async period(em: EntityManager, userId: string): Promise<UsagePeriod> {
    const row = await em.getRepository(UsageCounter).currentForUser(userId);
    if (!row) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
    return { start: new Date(row.period_start_ms).toISOString(), end: new Date(row.period_end_ms).toISOString(), anchored: row.anchored };
  }

  /** The caller's standing in their own current period: the same numbers as the headers. */
  async current(em: EntityManager, userId: string): Promise<QuotaState> {
    const row = await em.getRepository(UsageCounter).currentForUser(userId);
    if (!row) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
    return {
      userId,
      tier: row.tier_name,
      limit: row.quota,
      used: row.used,
      remaining: row.quota === null ? null : Math.max(0, row.quota - row.used),
      periodStart: new Date(row.period_start_ms).toISOString(),
      resetAt: new Date(row.period_end_ms).toISOString(),
    };
  }
}
