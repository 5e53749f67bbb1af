import { ref } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { CreatedKey, KeySummary } from '../../shared/keys.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError, retryAfterHeaders } from '../errors.ts';
import type { AuthFailureReason, Metrics } from '../metrics.ts';
import { broadcastInvalidation, type Invalidation } from '../events/invalidation.ts';
import { User } from '../users/entity.ts';
import type { BcryptPool } from './bcrypt-pool.ts';
import type { KeyCache, VerifiedKey } from './cache.ts';
import { ApiKey } from './entity.ts';
import { API_KEY_FORMAT, keyDigest, maskKey, parseKey } from './format.ts';
import { issueCredential } from './issue.ts';
import type { VerifyThrottle } from './throttle.ts';
import { VerificationGate } from './verifier.ts';
import type { WebhookEmitter } from '../webhooks/service.ts';
import type { RefusalWriter } from '../usage/refusals/writer.ts';

export interface KeyServiceDeps {
  cache: KeyCache;
  logger: Logger;
  bcryptCost: number;
  bcrypt: BcryptPool;
  throttle: VerifyThrottle;
  metrics?: Metrics | undefined;
  /** Where key.created, key.revoked and key.rotated go (server/webhooks/), in the change's own transaction. */
  events?: WebhookEmitter | undefined;
  /** Where refusals of genuine keys are counted for their owners (server/usage/refusals/); made-up keys count nowhere. */
  refusals?: Pick<RefusalWriter, 'count'> | undefined;
}

export interface CreateKeyParams {
  userId: string;
  name: string;
  expiresAt?: Date | undefined;
  metadata?: Record<string, unknown> | undefined;
  actor: Actor;
}

/** The one answer for every bad key: unknown id, wrong secret, bad checksum, revoked, expired, malformed. */
const invalidKey = () => new AppError('UNAUTHORIZED', 'Invalid API key');

/** The same answer whichever limit was hit (address or lookup id), so it tells nothing about the key. */
const tooManyAttempts = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', `Too many failed API key attempts; retry in ${retryAfterSeconds} s`, {
    details: { retryAfterSeconds },
    headers: retryAfterHeaders(retryAfterSeconds),
  });

/** A key's usage as the ledger has recorded it (key_usage); a key never used has none. */
export interface KeyUsageState {
  usageCount: number;
  lastUsedAt: Date | null;
}

/** A key as events name it: id, name and the masked lookup id, never the key or its hash. */
export function keyRef(key: Pick<ApiKey, 'id' | 'name' | 'lookupId'>): { id: string; name: string; masked: string } {
  return { id: key.id, name: key.name, masked: maskKey(key.lookupId) };
}

const NEVER_USED: KeyUsageState = { usageCount: 0, lastUsedAt: null };

export function keySummary(key: ApiKey, usage: KeyUsageState = NEVER_USED, now = Date.now()): KeySummary {
  const status = key.revokedAt ? 'revoked' : key.expiresAt && key.expiresAt.getTime() <= now ? 'expired' : 'active';
  return {
    id: key.id,
    name: key.name,
    masked: maskKey(key.lookupId),
    status,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: usage.lastUsedAt?.toISOString() ?? null,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    usageCount: usage.usageCount,
    metadata: key.metadata,
    replacedById: key.replacedBy?.id ?? null,
  };
}

/**
 * API keys: issue (shown once), verify (cached), list (masked), revoke and
 * rotate. The plaintext exists only in the return value of create/rotate; the
 * database holds a bcrypt hash of the whole key.
 */
export class KeyService {
  private readonly deps: KeyServiceDeps;
  private readonly gate: VerificationGate<VerifiedKey>;

  constructor(deps: KeyServiceDeps) {
    this.deps = deps;
    this.gate = new VerificationGate(deps.throttle);
  }

  /**
   * Resolves the `X-API-Key` header to a verified key, or throws 401 (any bad
   * key, one body for all), 403 (the owner is suspended) or 429 (too many
   * failed attempts from this address or on this lookup id; server/keys/throttle.ts).
   * `clientIp` is the caller's address; without one only the per-id limits apply.
   */
  async authenticate(em: EntityManager, presented: string | undefined, clientIp?: string): Promise<VerifiedKey> {
    const { metrics } = this.deps;
    const fail = (reason: AuthFailureReason, error: AppError = invalidKey()) => {
      metrics?.authFailures.inc({ reason });
      return error;
    };
    if (!presented) throw fail('missing', new AppError('UNAUTHORIZED', 'Missing X-API-Key header'));
    // A mistyped or made-up key is refused here, without touching the database.
    const parsed = parseKey(presented);
    if (!parsed) throw fail('malformed');

    const digest = keyDigest(presented);
    const cached = this.deps.cache.get(digest);
    metrics?.keyCacheLookups.inc({ result: cached === 'rejected' ? 'rejected_hit' : cached ? 'hit' : 'miss' });
    let key: VerifiedKey | undefined;
    if (cached === 'rejected') {
      this.countDeadKey(digest);
      throw fail('cached_rejection');
    }
    if (cached) {
      key = cached;
    } else {
      const pending = this.gate.run(parsed.lookupId, digest, clientIp, () => this.verify(em, presented, parsed.lookupId, digest));
      if ('retryAfterSeconds' in pending) throw fail('throttled', tooManyAttempts(pending.retryAfterSeconds));
      key = await pending;
    }
    if (!key) {
      // Every request that shared this verification is a refusal of its own.
      this.countDeadKey(digest);
      throw invalidKey(); // counted by verify()
    }
    if (key.expiresAt !== null && key.expiresAt <= Date.now()) {
      this.deps.cache.reject(digest, key.userId);
      this.deps.refusals?.count(key.userId, 'key_invalid');
      throw fail('expired');
    }
    if (key.userStatus === 'suspended') {
      // A cached suspension may have been lifted a moment ago, its NOTIFY still on the way: the user's row
      // decides. Only suspended owners' calls pay this one primary-key read, and a lifted one is forgotten.
      const owner = cached ? await em.getRepository(User).findLiveById(key.userId) : null;
      if (owner?.status !== 'active') {
        this.deps.refusals?.count(key.userId, 'suspended');
        throw fail('suspended', new AppError('USER_SUSPENDED', 'This account is suspended'));
      }
      this.deps.cache.evictUser(key.userId);
      return { ...key, userStatus: 'active' };
    }
    return key;
  }

  private async verify(em: EntityManager, presented: string, lookupId: string, digest: string): Promise<VerifiedKey | undefined> {
    const row = await em.getRepository(ApiKey).findByLookupId(lookupId);
    if (!row || !(await this.deps.bcrypt.compare(presented, row.key_hash))) {
      this.deps.metrics?.authFailures.inc({ reason: row?.live ? 'wrong_secret' : 'not_found_or_revoked' });
      this.deps.cache.reject(digest);
      return undefined;
    }
    if (!row.live) {
      // The holder's own key, revoked, expired or of a deleted account: refused, and remembered as its owner's.
      this.deps.metrics?.authFailures.inc({ reason: 'not_found_or_revoked' });
      this.deps.cache.reject(digest, row.user_id);
      return undefined;
    }
    const key: VerifiedKey = {
      keyId: row.id,
      lookupId: row.lookup_id,
      name: row.name,
      userId: row.user_id,
      userStatus: row.user_status,
      tierId: row.tier_id,
      tierName: row.tier_name,
      quota: row.monthly_quota,
      expiresAt: row.expires_at_ms,
    };
    this.deps.cache.remember(digest, key);
    return key;
  }

  /** A refused digest that is a genuine key no longer valid counts as its owner's refused call; a made-up key counts nowhere. */
  private countDeadKey(digest: string): void {
    const owner = this.deps.cache.rejectedOwner(digest);
    if (owner) this.deps.refusals?.count(owner, 'key_invalid');
  }

  async create(em: EntityManager, params: CreateKeyParams): Promise<CreatedKey> {
    const created = await em.transactional(async (tx) => {
      const owner = await tx.findOne(User, { id: params.userId, deletedAt: null });
      if (!owner) throw new AppError('NOT_FOUND', `No user with id ${params.userId}`);
      const { record, key } = await this.issue(tx, owner, params.name, params.expiresAt ?? null, params.metadata ?? {});
      audit(tx, params.actor, {
        action: 'key.created',
        target: { type: 'api_key', id: record.id },
        details: { userId: owner.id, name: record.name, masked: maskKey(record.lookupId), expiresAt: record.expiresAt?.toISOString() ?? null },
      });
      await tx.flush();
      await this.deps.events?.emit(tx, owner.id, {
        type: 'key.created',
        data: { userId: owner.id, key: keyRef(record), expiresAt: record.expiresAt?.toISOString() ?? null, rotatedFromId: null },
      });
      return { ...keySummary(record), key };
    });
    this.trustIssued(created.key);
    return created;
  }

  async list(em: EntityManager, userId: string): Promise<KeySummary[]> {
    const repo = em.getRepository(ApiKey);
    const [keys, usage] = await Promise.all([repo.listForUser(userId), repo.usageOf(userId)]);
    return keys.map((k) => keySummary(k, usage.get(k.id)));
  }

  /** Revokes at once, everywhere. Revoking a revoked key changes nothing and answers the same. */
  async revoke(em: EntityManager, params: { keyId: string; ownerId?: string | undefined; actor: Actor }): Promise<KeySummary> {
    const summary = await em.transactional(async (tx) => {
      const key = await tx.getRepository(ApiKey).findOwned(params.keyId, params.ownerId);
      if (!key) throw new AppError('NOT_FOUND', `No key with id ${params.keyId}`);
      if (!key.revokedAt) {
        key.revokedAt = new Date();
        audit(tx, params.actor, {
          action: 'key.revoked',
          target: { type: 'api_key', id: key.id },
          details: { userId: key.user.id, masked: maskKey(key.lookupId) },
        });
        await broadcastInvalidation(tx, { kind: 'key', id: key.id });
        await tx.flush();
        await this.deps.events?.emit(tx, key.user.id, { type: 'key.revoked', data: { userId: key.user.id, key: keyRef(key) } });
      }
      const usage = await tx.getRepository(ApiKey).usageOf(key.user.id, [key.id]);
      return keySummary(key, usage.get(key.id));
    });
    this.deps.cache.evictKey(params.keyId);
    return summary;
  }

  /**
   * Issues a new key for the same owner (same name and metadata). The old key
   * stops at once, or keeps working for the grace period the caller picks.
   */
  async rotate(
    em: EntityManager,
    params: { keyId: string; ownerId?: string | undefined; gracePeriodSeconds: number; actor: Actor },
  ): Promise<{ key: CreatedKey; previous: KeySummary }> {
    const result = await em.transactional(async (tx) => {
      const old = await tx.getRepository(ApiKey).findOwned(params.keyId, params.ownerId, { lock: true });
      if (!old) throw new AppError('NOT_FOUND', `No key with id ${params.keyId}`);
      const now = new Date();
      if (old.revokedAt || (old.expiresAt && old.expiresAt <= now)) {
        throw new AppError('CONFLICT', `Key ${maskKey(old.lookupId)} is ${old.revokedAt ? 'revoked' : 'expired'} and cannot be rotated`);
      }
      // Its expiry is now the grace deadline, not the key's own, so a second rotation would hand the
      // new key that deadline; the replacement is the key to rotate.
      if (old.replacedBy) {
        throw new AppError('CONFLICT', `Key ${maskKey(old.lookupId)} was already rotated; rotate its replacement (${old.replacedBy.id}) instead`, {
          details: { replacedById: old.replacedBy.id },
        });
      }
      const owner = await tx.findOneOrFail(User, { id: old.user.id });
      const { record, key } = await this.issue(tx, owner, old.name, old.expiresAt ?? null, old.metadata);
      if (params.gracePeriodSeconds === 0) {
        old.revokedAt = now;
      } else {
        const graceEnd = new Date(now.getTime() + params.gracePeriodSeconds * 1000);
        old.expiresAt = old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd;
      }
      old.replacedBy = ref(record);
      audit(tx, params.actor, {
        action: 'key.created',
        target: { type: 'api_key', id: record.id },
        details: { userId: owner.id, name: record.name, masked: maskKey(record.lookupId), rotatedFrom: old.id },
      });
      audit(tx, params.actor, {
        action: 'key.rotated',
        target: { type: 'api_key', id: old.id },
        details: {
          userId: owner.id,
          masked: maskKey(old.lookupId),
          newKeyId: record.id,
          newMasked: maskKey(record.lookupId),
          gracePeriodSeconds: params.gracePeriodSeconds,
          oldKeyStopsAt: (old.revokedAt ?? old.expiresAt)?.toISOString() ?? null,
        },
      });
      await broadcastInvalidation(tx, { kind: 'key', id: old.id });
      await tx.flush();
      const events = this.deps.events;
      if (events) {
        await events.emit(tx, owner.id, {
          type: 'key.created',
          data: { userId: owner.id, key: keyRef(record), expiresAt: record.expiresAt?.toISOString() ?? null, rotatedFromId: old.id },
        });
        await events.emit(tx, owner.id, {
          type: 'key.rotated',
          data: { userId: owner.id, key: keyRef(old), newKey: keyRef(record), oldKeyStopsAt: (old.revokedAt ?? old.expiresAt)?.toISOString() ?? null },
        });
      }
      const usage = await tx.getRepository(ApiKey).usageOf(owner.id, [old.id]);
      return { key: { ...keySummary(record), key }, previous: keySummary(old, usage.get(old.id)) };
    });
    this.deps.cache.evictKey(params.keyId);
    this.trustIssued(result.key.key);
    return result;
  }

  private trustIssued(key: string): void {
    const parsed = parseKey(key);
    if (parsed) this.gate.trust(parsed.lookupId, keyDigest(key));
  }

  /**
   * Admission found a cached key no longer good: revoked, expired or deleted
   * since it was cached, or its owner suspended. It leaves this cache and the
   * caller gets the answer authentication would have given.
   */
  refusedAtAdmission(key: VerifiedKey, reason: 'revoked_since_cached' | 'suspended'): AppError {
    this.deps.cache.evictKey(key.keyId);
    this.deps.metrics?.authFailures.inc({ reason });
    return reason === 'suspended' ? new AppError('USER_SUSPENDED', 'This account is suspended') : invalidKey();
  }

  /** Applies a change announced by this or another instance. */
  invalidate(message: Invalidation): void {
    const { cache } = this.deps;
    if (message.kind === 'key') cache.evictKey(message.id);
    else if (message.kind === 'user') cache.evictUser(message.id);
    else if (message.kind === 'tier') cache.evictTier(message.id);
    else if (message.kind === 'all') cache.clear();
  }

  private async issue(
    tx: EntityManager,
    owner: User,
    name: string,
    expiresAt: Date | null,
    metadata: Record<string, unknown>,
  ): Promise<{ record: ApiKey; key: string }> {
    const repo = tx.getRepository(ApiKey);
    const issued = await issueCredential(API_KEY_FORMAT, async (lookupId) => (await repo.count({ lookupId })) > 0, {
      bcrypt: this.deps.bcrypt,
      cost: this.deps.bcryptCost,
    });
    const record = tx.create(ApiKey, {
      user: owner,
      name,
      lookupId: issued.lookupId,
      keyHash: issued.keyHash,
      expiresAt,
      metadata,
      createdAt: new Date(),
    });
    return { record, key: issued.key };
  }
}
