import type { EntityManager } from '@mikro-orm/postgresql';
import type { AuditPage } from '../../shared/admin.ts';
import { AuditEvent } from './entity.ts';

/**
 * Who did something: an admin, an API key acting for its user, a management key (an operator's script),
 * the CLI, Harmonic itself, a customer on the portal, or billing (a Lemon Squeezy event or the reconciler).
 */
export interface Actor {
  type: 'admin' | 'api_key' | 'management_key' | 'cli' | 'system' | 'customer' | 'billing';
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

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  targetType?: string | undefined;
  targetId?: string | undefined;
  userId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  before?: number | undefined;
  limit: number;
}

/** Reads the audit log newest first, filtered, a page at a time (keyset on id, so deep pages stay fast). */
export async function listAudit(em: EntityManager, f: AuditFilter): Promise<AuditPage> {
  const where: Record<string, unknown>[] = [];
  if (f.actor) where.push({ $or: [{ actorId: f.actor }, { actorLabel: { $ilike: `%${f.actor.replace(/[\\%_]/g, '\\$&')}%` } }] });
  if (f.action) where.push(f.action.endsWith('.') || f.action.endsWith('*') ? { action: { $like: `${f.action.replace(/\*$/, '')}%` } } : { action: f.action });
  if (f.targetType) where.push({ targetType: f.targetType });
  if (f.targetId) where.push({ targetId: f.targetId });
  // Key events name their owner in details.userId (indexed: audit_events_details_user_index).
  if (f.userId) where.push({ $or: [{ targetType: 'user', targetId: f.userId }, { details: { userId: f.userId } }] });
  if (f.from) where.push({ createdAt: { $gte: new Date(f.from) } });
  if (f.to) where.push({ createdAt: { $lte: new Date(f.to) } });
  if (f.before) where.push({ id: { $lt: f.before } });
  const rows = await em.find(AuditEvent, where.length ? { $and: where } : {}, { orderBy: { id: 'desc' }, limit: f.limit + 1 });
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((e) => ({
      id: Number(e.id),
      at: e.createdAt.toISOString(),
      actorType: e.actorType,
      actorId: e.actorId ?? null,
      actorLabel: e.actorLabel,
      action: e.action,
      targetType: e.targetType,
      targetId: e.targetId ?? null,
      details: e.details,
      ip: e.ip ?? null,
    })),
    nextBefore: rows.length > f.limit ? Number(page.at(-1)?.id) : null,
  };
}
