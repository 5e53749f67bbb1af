import { defineEntity, p } from '@mikro-orm/core';
import { ApiKey } from '../keys/entity.ts';
import { User } from '../users/entity.ts';
import { DemoCounterRepository, LedgerRepository, UsageCounterRepository } from './admission/repository.ts';

/**
 * The authoritative monthly count per user. Admission increments it in one
 * atomic statement, so it is exact across any number of server instances.
 */
const UsageCounterSchema = defineEntity({
  name: 'UsageCounter',
  tableName: 'usage_counters',
  repository: () => UsageCounterRepository,
  properties: {
    user: () => p.manyToOne(User).primary().ref(),
    /** The period's key: the UTC date it starts (the first of the month, or a subscriber's renewal day; server/usage/admission/period.ts). */
    period: p.date().primary(),
    used: p.integer().default(0),
    /** The quota in force at the last admission (null = unlimited). */
    quota: p.integer().nullable(),
    /** Calls the last batched admission statement asked for, and how many it admitted (see server/usage/admission/repository.ts). */
    batchRequested: p.integer().default(0),
    batchAdmitted: p.integer().default(0),
    /** When an admin last reset this period's usage; earlier ledger rows no longer count. */
    resetAt: p.datetime().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class UsageCounter extends UsageCounterSchema.class {}
UsageCounterSchema.setClass(UsageCounter);

/** Demo callers have no user; they are metered per client IP (sharded: distributed by client_ip). */
const DemoCounterSchema = defineEntity({
  name: 'DemoCounter',
  tableName: 'demo_counters',
  repository: () => DemoCounterRepository,
  properties: {
    clientIp: p.string().columnType('inet').primary(),
    period: p.date().primary(),
    used: p.integer().default(0),
    /** The demo quota in force at the last admission. */
    quota: p.integer().nullable(),
    batchRequested: p.integer().default(0),
    batchAdmitted: p.integer().default(0),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class DemoCounter extends DemoCounterSchema.class {}
DemoCounterSchema.setClass(DemoCounter);

/** The usage ledger: one row per admitted call, partitioned by period. */
const UsageEventSchema = defineEntity({
  name: 'UsageEvent',
  tableName: 'usage_events',
  repository: () => LedgerRepository,
  properties: {
    period: p.date().primary(),
    id: p.bigint('number').primary().autoincrement(),
    user: () => p.manyToOne(User).ref().nullable(),
    apiKey: () => p.manyToOne(ApiKey).ref().nullable(),
    clientIp: p.string().columnType('inet').nullable(),
    endpoint: p.string().length(200),
    method: p.string().length(10),
    sources: p.array().default([]),
    status: p.smallint(),
    responseTimeMs: p.integer(),
    /** How much of the quota this event used; calls use 1, manual tracking may use more. */
    units: p.integer().default(1),
    createdAt: p.datetime(),
  },
});
export class UsageEvent extends UsageEventSchema.class {}
UsageEventSchema.setClass(UsageEvent);

/** Per user per month roll-up of the ledger, kept in step by the ledger writer. */
const UsageSummarySchema = defineEntity({
  name: 'UsageSummary',
  tableName: 'usage_summaries',
  properties: {
    user: () => p.manyToOne(User).primary().ref(),
    period: p.date().primary(),
    requests: p.bigint('number').default(0),
    units: p.bigint('number').default(0),
    errors: p.bigint('number').default(0),
    totalResponseMs: p.bigint('number').default(0),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class UsageSummary extends UsageSummarySchema.class {}
UsageSummarySchema.setClass(UsageSummary);
