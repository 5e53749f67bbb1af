import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../../db/orm.ts';
import type { VerifiedKey } from '../../keys/cache.ts';
import type { Metrics } from '../../metrics.ts';
import { DemoCounter, UsageCounter } from '../entity.ts';
import { AdmissionBatcher, bySeq } from './batcher.ts';
import { outcome, toAdmission, type Admission } from './outcome.ts';
import type { AdmissionRow } from './repository.ts';

/** Why a cached key was refused at admission; key auth (server/keys/) decides what follows. */
export type KeyRefusal = 'revoked_since_cached' | 'suspended';

export type AdmissionResult = { refused: KeyRefusal } | { admitted: boolean; admission: Admission };

export interface AdmissionsOptions {
  orm: Orm;
  /** Group commit of concurrent single-unit calls (server/usage/admission/batcher.ts); off: each call alone. */
  batching: { enabled: boolean; maxBatch: number; maxInFlight: number };
  /** The configured demo quota; undefined: the default tier's. */
  demoQuota: number | undefined;
  metrics?: Metrics | undefined;
}

type KeyCall = { keyId: string; userId: string };

/**
 * Admission: one atomic statement on the caller's counter row in PostgreSQL
 * decides every metered call (server/usage/admission/repository.ts); no
 * in-memory counter is ever the source of truth. This wires the batchers to
 * the statements and turns their rows into admissions.
 */
export class Admissions {
  readonly batchers: { keys: AdmissionBatcher<KeyCall, AdmissionRow>; demo: AdmissionBatcher<string, AdmissionRow> } | undefined;
  private readonly opts: AdmissionsOptions;

  constructor(opts: AdmissionsOptions) {
    this.opts = opts;
    const { orm, batching } = opts;
    if (!batching.enabled) return;
    const limits = { maxBatch: batching.maxBatch, maxInFlight: batching.maxInFlight };
    // A batch is not part of any one request's unit of work, so it runs on a fork of its own.
    this.batchers = {
      keys: new AdmissionBatcher<KeyCall, AdmissionRow>({
        ...limits,
        partition: (call) => call.userId,
        run: async (userId, calls) => bySeq(await orm.em.fork().getRepository(UsageCounter).admit(userId, calls.map((c) => c.keyId), 1), calls.length),
      }),
      demo: new AdmissionBatcher<string, AdmissionRow>({
        ...limits,
        partition: (ip) => ip,
        run: async (ip, calls) => bySeq(await orm.em.fork().getRepository(DemoCounter).admit(ip, calls.length, 1, opts.demoQuota), calls.length),
      }),
    };
  }

  /** A keyed call of `units`; single-unit calls (every /data call) are batched, larger tracked units go alone. */
  async key(em: EntityManager, key: VerifiedKey, units: number): Promise<AdmissionResult> {
    const call = { keyId: key.keyId, userId: key.userId };
    const row =
      units === 1 && this.batchers
        ? await this.batchers.keys.submit(call)
        : (await em.getRepository(UsageCounter).admit(call.userId, [call.keyId], units))[0];
    // No row: revoked, expired or deleted since it was cached; the database is the judge.
    if (!row) return { refused: 'revoked_since_cached' };
    if (row.user_status !== 'active') return { refused: 'suspended' };
    return this.decided(row, units, { demo: false, userId: row.subject, keyId: key.keyId, clientIp: null });
  }

  /** A keyless demo call of `units`, metered per client address. */
  async demo(em: EntityManager, clientIp: string, units: number): Promise<{ admitted: boolean; admission: Admission }> {
    const row =
      units === 1 && this.batchers
        ? await this.batchers.demo.submit(clientIp)
        : (await em.getRepository(DemoCounter).admit(clientIp, 1, units, this.opts.demoQuota))[0];
    if (!row) throw new Error('demo admission returned no row');
    return this.decided(row, units, { demo: true, userId: null, keyId: null, clientIp });
  }

  private decided(row: AdmissionRow, units: number, who: Parameters<typeof toAdmission>[2]): { admitted: boolean; admission: Admission } {
    const decided = outcome(row, units);
    this.opts.metrics?.admissions.inc({ outcome: decided.admitted ? 'admitted' : 'rejected', kind: who.demo ? 'demo' : 'key' });
    return { admitted: decided.admitted, admission: toAdmission(row, decided, who) };
  }
}
