import { EntityRepository } from '@mikro-orm/postgresql';
import type { ManagementScope } from '../../shared/management.ts';
import { nativePool } from '../db/pool.ts';
import type { ManagementKey } from './entity.ts';

export interface ManagementCredentialRow {
  id: string;
  lookup_id: string;
  name: string;
  key_hash: string;
  scopes: ManagementScope[];
}

export class ManagementKeyRepository extends EntityRepository<ManagementKey> {
  /** The unrevoked key with this lookup id (every cache miss, so one hand-written statement). */
  async findActiveByLookupId(lookupId: string): Promise<ManagementCredentialRow | undefined> {
    const pool = await nativePool(this.em);
    const { rows } = await pool.query<ManagementCredentialRow>({
      name: 'harmonic_management_key_by_lookup',
      text: `select id, lookup_id, name, key_hash, scopes from management_keys where lookup_id = $1 and revoked_at is null`,
      values: [lookupId],
    });
    return rows[0];
  }

  async lookupIdTaken(lookupId: string): Promise<boolean> {
    return (await this.count({ lookupId })) > 0;
  }

  listAll(): Promise<ManagementKey[]> {
    return this.findAll({ orderBy: { createdAt: 'desc', id: 'asc' } });
  }

  /** Records use; at most once a minute per key, so a busy script does not write on every call. */
  async touch(id: string): Promise<void> {
    const pool = await nativePool(this.em);
    await pool.query({
      name: 'harmonic_management_key_touch',
      text: `update management_keys set last_used_at = now() where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      values: [id],
    });
  }
}
