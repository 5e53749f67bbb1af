import { EntityRepository, LockMode } from '@mikro-orm/postgresql';
import { nativePool } from '../db/pool.ts';
import { KeyUsage, type ApiKey } from './entity.ts';

/** A key row joined with its owner and tier: everything verification needs, in one round trip. */
export interface KeyCredentialRow {
  id: string;
  lookup_id: string;
  name: string;
  key_hash: string;
  /** Epoch ms (the ORM's pool hands back timestamps as raw strings, so we ask for numbers). */
  expires_at_ms: number | null;
  user_id: string;
  user_status: 'active' | 'suspended';
  tier_id: string;
  tier_name: string;
  monthly_quota: number | null;
  /** Neither revoked nor expired, and the owner not deleted, by the database's clock. */
  live: boolean;
}

/** A key whose expiry has just been marked as audited. */
export interface ExpiredKeyRow {
  id: string;
  user_id: string;
  name: string;
  lookup_id: string;
  expires_at_ms: number;
}

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  /**
   * The key with this lookup id (lookup ids are unique, revoked keys' too),
   * and whether it is live: not revoked, not expired, owner not deleted. A
   * dead key is returned so that, once its secret is checked, its refusal can
   * be counted for its owner. Hot path (every cache miss), so one hand-written statement.
   */
  async findByLookupId(lookupId: string): Promise<KeyCredentialRow | undefined> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<KeyCredentialRow>({
      name: 'harmonic_key_by_lookup',
      text: `select k.id, k.lookup_id, k.name, k.key_hash, (extract(epoch from k.expires_at) * 1000)::float8 as expires_at_ms,
                    u.id as user_id, u.status as user_status,
                    t.id as tier_id, t.name as tier_name, t.monthly_quota,
                    (k.revoked_at is null and (k.expires_at is null or k.expires_at > now()) and u.deleted_at is null) as live
               from api_keys k
               join users u on u.id = k.user_id
               join tiers t on t.id = u.tier_id
              where k.lookup_id = $1`,
      values: [lookupId],
    });
    return rows[0];
  }

  /**
   * Marks every live key whose expiry has passed and was not yet audited, and
   * returns them. Inside a transaction, so the marks commit with their audit events.
   */
  markExpiriesAudited(): Promise<ExpiredKeyRow[]> {
    return this.em.execute<ExpiredKeyRow[]>(
      `update api_keys set expiry_audited_at = now()
        where expires_at <= now() and expiry_audited_at is null and revoked_at is null
        returning id, user_id, name, lookup_id, (extract(epoch from expires_at) * 1000)::float8 as expires_at_ms`,
    );
  }

  /** Revokes every live key of a user at once; returns how many it revoked. */
  async revokeAllForUser(userId: string): Promise<number> {
    const [row] = await this.em.execute<{ n: number }[]>(
      `with r as (update api_keys set revoked_at = now() where user_id = ? and revoked_at is null returning 1) select count(*)::int as n from r`,
      [userId],
    );
    return row?.n ?? 0;
  }

  /** How often and when this user's keys (all, or those named) were last used; a key never used has no entry. */
  async usageOf(userId: string, keyIds?: string[]): Promise<Map<string, { usageCount: number; lastUsedAt: Date | null }>> {
    const rows = await this.em.find(KeyUsage, keyIds ? { user: userId, key: { $in: keyIds } } : { user: userId });
    return new Map(rows.map((r) => [r.key.id, { usageCount: Number(r.usageCount), lastUsedAt: r.lastUsedAt ?? null }]));
  }

  listForUser(userId: string): Promise<ApiKey[]> {
    return this.find({ user: userId }, { orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  /** A key by id, optionally only if `userId` owns it; `lock` takes a row lock (inside a transaction). */
  findOwned(keyId: string, userId: string | undefined, opts: { lock?: boolean } = {}): Promise<ApiKey | null> {
    return this.findOne(userId ? { id: keyId, user: userId } : { id: keyId }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  }
}
