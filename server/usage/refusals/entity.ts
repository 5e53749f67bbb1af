import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../../users/entity.ts';
import { RefusalCounterRepository } from './repository.ts';

/** Why a keyed call was refused: 429 over quota, 403 owner suspended, 401 a known key no longer valid. */
export const REFUSAL_REASONS = ['over_quota', 'suspended', 'key_invalid'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * Refused keyed calls per user, UTC day and reason: a count, never a row per
 * call, so a flood of refusals cannot grow the database (server/usage/refusals/writer.ts).
 */
const RefusalCounterSchema = defineEntity({
  name: 'RefusalCounter',
  tableName: 'refusal_counters',
  repository: () => RefusalCounterRepository,
  properties: {
    user: () => p.manyToOne(User).primary().ref().deleteRule('cascade'),
    day: p.string().columnType('date').primary(),
    reason: p.enum(REFUSAL_REASONS).primary(),
    count: p.bigint('number').default(0),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class RefusalCounter extends RefusalCounterSchema.class {}
RefusalCounterSchema.setClass(RefusalCounter);
