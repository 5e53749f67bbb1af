import type { EntityManager } from '@mikro-orm/postgresql';
import type { QuotaState } from '../../shared/usage.ts';
import { AppError, validationError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { KeyCache, VerifiedKey } from '../keys/cache.ts';
import { UsageCounter } from './entities.ts';
import { quotaHeaders } from './headers.ts';
import type { AdmissionBatcher } from './batcher.ts';
import type { BatchAdmissionRow, DemoBatchRow } from './repository.ts';
import { ledgerIssues, type LedgerWriter } from './ledger.ts';
import { nextPeriodStart, periodKey } from './period.ts';

/** Who a metered call is charged to. */
export type Subject = { kind: 'key'; key: VerifiedKey } | { kind: 'demo'; clientIp: string };

/** The outcome of an admission: the numbers every rate-limit header is made of. */
export interface Admission {
  demo: boolean;
  userId: string | null;
  keyId: string | null;
  clientIp: string | null;
  /** null = unlimited */
  limit: number | null;
  used: number;
  remaining: number | null;
  periodStart: Date;
  resetAt: Date;
  /** When the database admitted the call; the ledger row's time. */
  at: Date;
}

export interface MeteredCall {
  endpoint: string;
  method: string;
  sources: string[];
  units?: number;
  /** performance.now() when the request arrived, for the recorded response time. */
  startedAt: number;
}

/**
 * Whether one call of a batch got in, and the count to report: calls admitted
 * together are numbered as if they had come one after another; a refused call
 * reports at least the limit.
 */
function batchOutcome(row: { nth: number; admitted: number; used_after: number | null; used_seen: number | null; quota: number | null }): { admitted: boolean; used: number } {
  const admitted = row.nth <= row.admitted;
  if (admitted && row.used_after !== null) return { admitted, used: row.used_after - row.admitted + row.nth };
  return { admitted: false, used: Math.max(row.used_after ?? row.used_seen ?? 0, row.quota ?? 0) };
}

/** What one admission statement decided for one call. */
interface Decision {
  userId: string;
  userStatus: 'active' | 'suspended';
  admitted: boolean;
  used: number;
  limit: number | null;
  period: string;
  atMs: number;
}

export interface UsageServiceDeps {
  /** Batch concurrent single-unit admissions; without them each call is admitted alone. */
  batchers?: { keys: AdmissionBatcher<string, BatchAdmissionRow>; demo: AdmissionBatcher<string, DemoBatchRow> } | undefined;
  ledger: LedgerWriter;
  keyCache: KeyCache;
  demo: { enabled: boolean; quota: number | undefined };
  metrics?: Metrics | undefined;
}

/**
 * Quotas and metering. Admission is one atomic statement on the (user, period)
 * counter in PostgreSQL; no in-memory counter is ever the source of truth.
 * Every admitted call is then written to the ledger, from which the dashboards
 * read; the counter is the ledger's running total for the period.
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
  get batchers(): UsageServiceDeps['batchers'] {
    return this.deps.batchers;
  }

  /** Admits a keyed call or throws 401 (key no longer valid), 403 (owner suspended) or 429 (over quota). */
  async admitKey(em: EntityManager, key: VerifiedKey, units = 1): Promise<Admission> {
    // Single-unit calls (every /data call) go through the batcher; larger tracked units are admitted alone.
    const decided = units === 1 && this.deps.batchers ? await this.admitBatched(key.keyId) : await this.admitAlone(em, key.keyId, units);
    if (!decided) {
      // Revoked, expired or deleted since it was cached: the database is the judge.
      this.deps.keyCache.evictKey(key.keyId);
      this.deps.metrics?.authFailures.inc({ reason: 'revoked_since_cached' });
      throw new AppError('UNAUTHORIZED', 'Invalid API key');
    }
    if (decided.userStatus !== 'active') {
      this.deps.keyCache.evictKey(key.keyId);
      this.deps.metrics?.authFailures.inc({ reason: 'suspended' });
      throw new AppError('USER_SUSPENDED', 'This account is suspended');
    }
    const admission = this.admission({ ...decided, demo: false, keyId: key.keyId, clientIp: null });
    this.deps.metrics?.admissions.inc({ outcome: decided.admitted ? 'admitted' : 'rejected', kind: 'key' });
    if (!decided.admitted) throw this.overQuota(admission);
    return admission;
  }

  private async admitAlone(em: EntityManager, keyId: string, units: number): Promise<Decision | undefined> {
    const row = await em.getRepository(UsageCounter).admitKey(keyId, units);
    if (!row) return undefined;
    return {
      userId: row.user_id,
      userStatus: row.user_status,
      admitted: row.used_after !== null,
      // A refusal means used + units > limit when the row was locked; the count this
      // statement saw may predate concurrent admissions, so never report less than the limit.
      used: row.used_after ?? Math.max(row.used_seen ?? 0, row.quota !== null && units === 1 ? row.quota : 0),
      limit: row.quota,
      period: row.period,
      atMs: row.at_ms,
    };
  }

  private async admitBatched(keyId: string): Promise<Decision | undefined> {
    const row = await this.deps.batchers?.keys.submit(keyId);
    if (!row) return undefined;
    return { userId: row.user_id, userStatus: row.user_status, ...batchOutcome(row), limit: row.quota, period: row.period, atMs: row.at_ms };
  }

  /** Admits a keyless demo call, metered per client IP, or throws 429. */
  async admitDemo(em: EntityManager, clientIp: string, units = 1): Promise<Admission> {
    let decided: { admitted: boolean; used: number; limit: number; period: string; atMs: number };
    const batched = units === 1 ? await this.deps.batchers?.demo.submit(clientIp) : undefined;
    if (batched) {
      decided = { ...batchOutcome(batched), limit: batched.quota, period: batched.period, atMs: batched.at_ms };
    } else {
      const row = await em.getRepository(UsageCounter).admitDemo(clientIp, units, this.deps.demo.quota);
      decided = {
        admitted: row.used_after !== null,
        used: row.used_after ?? Math.max(row.used_seen ?? 0, units === 1 ? (row.quota ?? 0) : 0),
        limit: row.quota ?? 0,
        period: row.period,
        atMs: row.at_ms,
      };
    }
    const admission = this.admission({ ...decided, demo: true, userId: null, keyId: null, clientIp });
    this.deps.metrics?.admissions.inc({ outcome: decided.admitted ? 'admitted' : 'rejected', kind: 'demo' });
    if (!decided.admitted) throw this.overQuota(admission);
    return admission;
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
      periodStart: `${row.period}T00:00:00.000Z`,
      resetAt: nextPeriodStart(new Date(`${row.period}T00:00:00Z`)).toISOString(),
    };
  }

  private admission(r: {
    demo: boolean;
    userId: string | null;
    keyId: string | null;
    clientIp: string | null;
    limit: number | null;
    used: number;
    /** YYYY-MM-DD */
    period: string;
    atMs: number;
  }): Admission {
    const periodStart = new Date(`${r.period}T00:00:00Z`);
    return {
      demo: r.demo,
      userId: r.userId,
      keyId: r.keyId,
      clientIp: r.clientIp,
      limit: r.limit,
      used: r.used,
      remaining: r.limit === null ? null : Math.max(0, r.limit - r.used),
      periodStart,
      resetAt: nextPeriodStart(periodStart),
      at: new Date(r.atMs),
    };
  }

  private overQuota(a: Admission): AppError {
    const headers = quotaHeaders(a);
    const retryAfter = Math.max(1, Math.ceil((a.resetAt.getTime() - Date.now()) / 1000));
    return new AppError(
      'QUOTA_EXCEEDED',
      `Monthly quota of ${a.limit} requests exceeded; it resets at ${a.resetAt.toISOString()}`,
      {
        details: { limit: a.limit, used: a.used, remaining: 0, resetAt: a.resetAt.toISOString(), retryAfterSeconds: retryAfter },
        headers: { ...headers, 'Retry-After': String(retryAfter) },
      },
    );
  }
}
