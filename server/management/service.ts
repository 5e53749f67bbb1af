import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreatedManagementKey, ManagementKeySummary, ManagementScope } from '../../shared/management.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation, type Invalidation } from '../events/invalidation.ts';
import type { BcryptPool } from '../keys/bcrypt-pool.ts';
import type { KeyCache } from '../keys/cache.ts';
import { keyDigest, MANAGEMENT_KEY_FORMAT } from '../keys/format.ts';
import { issueCredential } from '../keys/issue.ts';
import type { VerifyThrottle } from '../keys/throttle.ts';
import { VerificationGate } from '../keys/verifier.ts';
import { ManagementKey } from './entity.ts';

/** What a successful verification of a management key established. */
export interface VerifiedManagementKey {
  keyId: string;
  lookupId: string;
  name: string;
  scopes: ManagementScope[];
  /** When this instance last recorded the key's use (performance.now ms); see touch(). */
  touchedAt?: number;
}

export interface ManagementKeyServiceDeps {
  cache: KeyCache<VerifiedManagementKey>;
  bcrypt: BcryptPool;
  bcryptCost: number;
  /** The API keys' throttle: one budget of failures per address, whichever kind of key it makes up. */
  throttle: VerifyThrottle;
}

/** The one answer for every bad management key: unknown, mistyped, wrong secret, revoked. */
const invalidKey = () => new AppError('UNAUTHORIZED', 'Invalid management key');
const TOUCH_EVERY_MS = 60_000;

export const maskManagementKey = (lookupId: string) => MANAGEMENT_KEY_FORMAT.mask(lookupId);

/** True when `presented` claims to be a management key (its prefix); whether it is one is for authenticate(). */
export const looksLikeManagementKey = (presented: string | undefined): presented is string =>
  presented !== undefined && presented.startsWith(MANAGEMENT_KEY_FORMAT.prefix);

/** A management key acting, as the audit log names it. */
export function managementActor(key: VerifiedManagementKey, ip: string | null): Actor {
  return { type: 'management_key', id: key.keyId, label: maskManagementKey(key.lookupId), ip };
}

export function managementKeySummary(key: ManagementKey): ManagementKeySummary {
  return {
    id: key.id,
    name: key.name,
    masked: maskManagementKey(key.lookupId),
    scopes: key.scopes,
    status: key.revokedAt ? 'revoked' : 'active',
    createdAt: key.createdAt.toISOString(),
    createdBy: key.createdBy,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Management keys, in the way of Unkey's root keys: owners issue them for
 * operators' scripts, each with scopes; they act on any user through the REST
 * API. Verified like API keys (checksum, cache, one compare per key in flight,
 * the same throttle, NOTIFY on revocation) but in a table, cache and prefix of
 * their own, so neither kind is ever accepted as the other.
 */
export class ManagementKeyService {
  private readonly deps: ManagementKeyServiceDeps;
  private readonly gate: VerificationGate<VerifiedManagementKey>;

  constructor(deps: ManagementKeyServiceDeps) {
    this.deps = deps;
    this.gate = new VerificationGate(deps.throttle, MANAGEMENT_KEY_FORMAT.prefix);
  }

  /** Resolves a presented `hmm_…` key, or throws 401 (any bad key, one answer for all) or 429 (throttled). */
  async authenticate(em: EntityManager, presented: string, clientIp?: string): Promise<VerifiedManagementKey> {
    const parsed = MANAGEMENT_KEY_FORMAT.parse(presented);
    if (!parsed) throw invalidKey();
    const digest = keyDigest(presented);
    const cached = this.deps.cache.get(digest);
    if (cached === 'rejected') throw invalidKey();
    let key = cached;
    if (!key) {
      const pending = this.gate.run(parsed.lookupId, digest, clientIp, () => this.verify(em, presented, parsed.lookupId, digest));
      if ('retryAfterSeconds' in pending) {
        throw new AppError('RATE_LIMITED', `Too many failed management key attempts; retry in ${pending.retryAfterSeconds} s`, {
          details: { retryAfterSeconds: pending.retryAfterSeconds },
          headers: { 'Retry-After': String(pending.retryAfterSeconds) },
        });
      }
      key = await pending;
    }
    if (!key) throw invalidKey();
    this.touch(em, key);
    return key;
  }

  /** 403 naming the scope when the key lacks it. */
  authorize(key: VerifiedManagementKey, scope: ManagementScope): void {
    if (!key.scopes.includes(scope)) {
      throw new AppError('FORBIDDEN', `This management key lacks the scope ${scope} (it has: ${key.scopes.join(', ')})`, {
        details: { requiredScope: scope },
      });
    }
  }

  private async verify(em: EntityManager, presented: string, lookupId: string, digest: string): Promise<VerifiedManagementKey | undefined> {
    const row = await em.getRepository(ManagementKey).findActiveByLookupId(lookupId);
    if (!row || !(await this.deps.bcrypt.compare(presented, row.key_hash))) {
      this.deps.cache.reject(digest);
      return undefined;
    }
    const key: VerifiedManagementKey = { keyId: row.id, lookupId: row.lookup_id, name: row.name, scopes: row.scopes };
    this.deps.cache.remember(digest, key);
    return key;
  }

  /** Records the key's last use without a write on every call; a failure here never fails the call. */
  private touch(em: EntityManager, key: VerifiedManagementKey): void {
    const now = performance.now();
    if (key.touchedAt !== undefined && now - key.touchedAt < TOUCH_EVERY_MS) return;
    key.touchedAt = now;
    void em
      .getRepository(ManagementKey)
      .touch(key.keyId)
      .catch(() => undefined);
  }

  async create(em: EntityManager, params: { name: string; scopes: ManagementScope[]; actor: Actor }): Promise<CreatedManagementKey> {
    const created = await em.transactional(async (tx) => {
      const repo = tx.getRepository(ManagementKey);
      const issued = await issueCredential(MANAGEMENT_KEY_FORMAT, (lookupId) => repo.lookupIdTaken(lookupId), {
        bcrypt: this.deps.bcrypt,
        cost: this.deps.bcryptCost,
      });
      const record = tx.create(ManagementKey, {
        name: params.name,
        lookupId: issued.lookupId,
        keyHash: issued.keyHash,
        scopes: params.scopes,
        createdBy: params.actor.label,
        createdAt: new Date(),
      });
      audit(tx, params.actor, {
        action: 'management_key.created',
        target: { type: 'management_key', id: record.id },
        details: { name: record.name, masked: maskManagementKey(record.lookupId), scopes: record.scopes },
      });
      await tx.flush();
      return { ...managementKeySummary(record), key: issued.key };
    });
    this.gate.trust(MANAGEMENT_KEY_FORMAT.parse(created.key)?.lookupId ?? '', keyDigest(created.key));
    return created;
  }

  async list(em: EntityManager): Promise<ManagementKeySummary[]> {
    return (await em.getRepository(ManagementKey).listAll()).map(managementKeySummary);
  }

  /** Revokes at once, on every instance. Revoking a revoked key changes nothing and answers the same. */
  async revoke(em: EntityManager, params: { id: string; actor: Actor }): Promise<{ key: ManagementKeySummary; changed: boolean }> {
    const result = await em.transactional(async (tx) => {
      const key = await tx.getRepository(ManagementKey).findOne({ id: params.id });
      if (!key) throw new AppError('NOT_FOUND', `No management key with id ${params.id}`);
      const changed = !key.revokedAt;
      if (changed) {
        key.revokedAt = new Date();
        audit(tx, params.actor, {
          action: 'management_key.revoked',
          target: { type: 'management_key', id: key.id },
          details: { name: key.name, masked: maskManagementKey(key.lookupId) },
        });
        await broadcastInvalidation(tx, { kind: 'management_key', id: key.id });
        await tx.flush();
      }
      return { key: managementKeySummary(key), changed };
    });
    this.deps.cache.evictKey(params.id);
    return result;
  }

  /** Applies a change announced by this or another instance. */
  invalidate(message: Invalidation): void {
    if (message.kind === 'management_key') this.deps.cache.evictKey(message.id);
    else if (message.kind === 'all') this.deps.cache.clear();
  }
}
