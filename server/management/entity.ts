import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import type { ManagementScope } from '../../shared/management.ts';
import { ManagementKeyRepository } from './repository.ts';

/** A key for operators' scripts (`hmm_…`): acts on any user, within its scopes. Created by owners only. */
const ManagementKeySchema = defineEntity({
  name: 'ManagementKey',
  tableName: 'management_keys',
  repository: () => ManagementKeyRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    name: p.string().length(100),
    /** The non-secret first part of the key, used to find its row. */
    lookupId: p.string().length(16).unique(),
    /** bcrypt hash of the whole key; the plaintext is never stored. */
    keyHash: p.string().length(100).hidden(),
    scopes: p.json<ManagementScope[]>(),
    /** The creator as the audit log names them (an admin's email, or the CLI's operator). */
    createdBy: p.string().length(320),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});

export class ManagementKey extends ManagementKeySchema.class {}
ManagementKeySchema.setClass(ManagementKey);
