import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { ALERT_KINDS, RESOLVED_REASONS } from '../../shared/alerts.ts';
import { User } from '../users/entity.ts';
import { QuotaAlertRepository } from './repository.ts';

/**
 * One threshold crossed by one user in one period. Written by the ledger flush
 * (server/usage/admission/repository.ts), at most once per (user, period, kind,
 * value, atCount); announced once (dispatchedAt), and resolved once when a new
 * period starts or an upgrade brings usage back under it.
 */
const QuotaAlertSchema = defineEntity({
  name: 'QuotaAlert',
  tableName: 'quota_alerts',
  repository: () => QuotaAlertRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).ref().deleteRule('cascade'),
    period: p.string().columnType('date'),
    kind: p.enum(ALERT_KINDS),
    value: p.integer(),
    atCount: p.bigint('number'),
    used: p.integer(),
    quotaLimit: p.integer().nullable(),
    periodStart: p.datetime(),
    periodEnd: p.datetime(),
    firedAt: p.datetime().onCreate(() => new Date()),
    dispatchedAt: p.datetime().nullable(),
    resolvedAt: p.datetime().nullable(),
    resolvedReason: p.enum(RESOLVED_REASONS).nullable(),
    resolutionDispatchedAt: p.datetime().nullable(),
  },
});
export class QuotaAlert extends QuotaAlertSchema.class {}
QuotaAlertSchema.setClass(QuotaAlert);
