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
    expiresAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    metadata: p.json<Record<string, unknown>>().default('{}'),
    /** When the key's expiry was written to the audit log (by the maintenance job). */
    expiryAuditedAt: p.datetime().nullable(),
    /** Set on the old key when it is rotated. */
    replacedBy: () => p.manyToOne(ApiKey).ref().nullable(),
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

/**
 * How often and when a key was last used, bumped by every ledger flush. Kept
 * off api_keys, which is replicated to every node in a sharded deployment (a
 * reference table, where each write is a distributed commit): this table is
 * keyed, and distributed, by the owner's user id like the counters.
 */
const KeyUsageSchema = defineEntity({
  name: 'KeyUsage',
  tableName: 'key_usage',
  properties: {
    user: () => p.manyToOne(User).primary().ref(),
    key: () => p.manyToOne(ApiKey).primary().ref(),
    usageCount: p.bigint('number').default(0),
    lastUsedAt: p.datetime().nullable(),
  },
});

export class KeyUsage extends KeyUsageSchema.class {}
KeyUsageSchema.setClass(KeyUsage);
