import { LRUCache } from 'lru-cache';
import type { UserStatus } from '../users/entity.ts';

/** What a successful verification established, plus the owner's state at that time. */
export interface VerifiedKey {
  keyId: string;
  lookupId: string;
  name: string;
  userId: string;
  userStatus: UserStatus;
  tierId: string;
  tierName: string;
  /** Monthly quota of the owner's tier; null = unlimited. */
  quota: number | null;
  /** Epoch ms, or null for keys that do not expire. */
  expiresAt: number | null;
}

/** What the cache needs of an entry: the key's id, and the owner and tier it depends on, when it has them. */
export interface CachedCredential {
  keyId: string;
  userId?: string;
  tierId?: string;
}

export interface KeyCacheOptions {
  max: number;
  ttlMs: number;
  negativeTtlMs: number;
  /** Monotonic ms for the TTLs (default performance.now); tests pass a manual clock. */
  now?: () => number;
}

/**
 * bcrypt is slow on purpose, so verified keys are remembered in memory, keyed
 * by the SHA-256 of the presented key (never the key itself). Failed
 * verifications are remembered briefly too, so a flood of bad keys costs no
 * bcrypt work. Entries are evicted when the key, its owner or the owner's tier
 * changes (locally and through LISTEN/NOTIFY on every instance); the TTL only
 * bounds the damage of a missed notification. Admission re-checks key and owner
 * in the database anyway, so the cache can never admit a revoked key.
 */
export class KeyCache<K extends CachedCredential = VerifiedKey> {
  private readonly verified: LRUCache<string, K>;
  /** A refused digest, with the owner's id when the key was genuine but no longer valid (its refusals are counted). */
  private readonly rejected: LRUCache<string, string | true>;
  hits = 0;
  misses = 0;

  constructor(opts: KeyCacheOptions) {
    // lru-cache reuses a reading of its clock for ttlResolution ms of real time; a given clock is read every time instead.
    const clock = opts.now ? { perf: { now: opts.now }, ttlResolution: 0 } : {};
    this.verified = new LRUCache({ max: opts.max, ttl: opts.ttlMs, ...clock });
    this.rejected = new LRUCache({ max: opts.max, ttl: opts.negativeTtlMs, ...clock });
  }

  get(digest: string): K | 'rejected' | undefined {
    const hit = this.verified.get(digest) ?? (this.rejected.get(digest) ? 'rejected' : undefined);
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  remember(digest: string, key: K): void {
    this.rejected.delete(digest);
    this.verified.set(digest, key);
  }

  /** `ownerId`: the key was genuine (its secret matched) but revoked or expired, so its holder is known. */
  reject(digest: string, ownerId?: string): void {
    this.verified.delete(digest);
    this.rejected.set(digest, ownerId ?? true);
  }

  /** Whose genuine, no longer valid key a rejected digest is; undefined for made-up keys. */
  rejectedOwner(digest: string): string | undefined {
    const entry = this.rejected.peek(digest);
    return typeof entry === 'string' ? entry : undefined;
  }

  evictKey(keyId: string): void {
    this.evictWhere((k) => k.keyId === keyId);
  }

  evictUser(userId: string): void {
    this.evictWhere((k) => k.userId === userId);
  }

  evictTier(tierId: string): void {
    this.evictWhere((k) => k.tierId === tierId);
  }

  clear(): void {
    this.verified.clear();
    this.rejected.clear();
  }

  get size(): number {
    return this.verified.size;
  }

  private evictWhere(match: (k: K) => boolean): void {
    // Invalidations are rare (admin actions), so a scan of a bounded cache is cheaper than keeping indexes.
    for (const [digest, key] of this.verified.entries()) if (match(key)) this.verified.delete(digest);
  }
}
