import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from './entity.ts';

/** Who did something: an admin, an API key acting for its user, the CLI, or Harmonic itself. */
export interface Actor {
  type: 'admin' | 'api_key' | 'cli' | 'system';
  id: string | null;
  /** Human label kept with the event (admin email, masked key, OS user). */
  label: string;
  ip?: string | null;
}

export interface AuditRecord {
  action: string;
  target: { type: string; id: string | null };
  details?: Record<string, unknown>;
}

/**
 * Adds an audit event to `em`'s unit of work, so it commits in the same
 * transaction as the change it describes, or not at all.
 */
export function audit(em: EntityManager, actor: Actor, record: AuditRecord): AuditEvent {
  return em.create(AuditEvent, {
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    action: record.action,
    targetType: record.target.type,
    targetId: record.target.id,
    details: record.details ?? {},
    ip: actor.ip ?? null,
    createdAt: new Date(),
  });
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, label: 'harmonic' };
