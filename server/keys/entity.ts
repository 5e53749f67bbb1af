import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/entity.ts';
import { ApiKeyRepository } from './repository.ts';

const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  repository: () => ApiKeyRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).ref(),
    name: p.string().length(100),
    /** The non-secret first part of the key, used to find its row. */
    lookupId: p.string().length(16).unique(),
    /** bcrypt hash of the whole key; the plaintext is never stored. */
    keyHash: p.string().length(100).hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastUsedAt: p.datetime().nullable(),
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    usageCount: p.bigint('number').default(0),
    metadata: p.json<Record<string, unknown>>().default('{}'),
    /** When the key's expiry was written to the audit log (by the maintenance job). */
    expiryAuditedAt: p.datetime().nullable(),
    /** Set on the old key when it is rotated. */
    replacedBy: () => p.manyToOne(ApiKey).ref().nullable(),
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);
