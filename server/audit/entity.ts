import { defineEntity, p } from '@mikro-orm/core';

export const ACTOR_TYPES = ['admin', 'api_key', 'management_key', 'cli', 'system', 'customer', 'billing'] as const;

const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    actorType: p.enum(ACTOR_TYPES),
    /** The admin account, key or user id behind the action, when there is one. */
    actorId: p.string().length(64).nullable(),
    /** A human label for the actor, e.g. the admin's email, kept even if the actor is deleted. */
    actorLabel: p.string().length(320),
    action: p.string().length(64),
    targetType: p.string().length(32),
    targetId: p.string().length(64).nullable(),
    /** What changed, e.g. `{ tier: { from: 'Free', to: 'Pro' } }`. Never holds secrets. */
    details: p.json<Record<string, unknown>>().default('{}'),
    ip: p.string().columnType('inet').nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export class AuditEvent extends AuditEventSchema.class {}
AuditEventSchema.setClass(AuditEvent);
