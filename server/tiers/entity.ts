import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { DEFAULT_ALERT_PERCENTS } from '../../shared/alerts.ts';
import { TierRepository } from './repository.ts';

const TierSchema = defineEntity({
  name: 'Tier',
  tableName: 'tiers',
  repository: () => TierRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    name: p.string().length(64),
    /** Requests a user may make per period (calendar month, UTC, or renewal to renewal while subscribed); null means unlimited. */
    monthlyQuota: p.integer().nullable(),
    /** Monthly price in cents; null means a negotiated price. */
    priceCents: p.integer().nullable(),
    description: p.text().default(''),
    /** The tier new users get when none is named. */
    isDefault: p.boolean().default(false),
    /** Shown on the portal's front page and Plan screen, for anyone to see. */
    public: p.boolean().default(false),
    /** The Lemon Squeezy variant this tier is sold as; null: not for sale through billing. Unique. */
    lemonsqueezyVariantId: p.string().length(20).nullable(),
    /** Default alert thresholds, in percent of the quota, for users who set none of their own. */
    // The column's default is for rows written in SQL; an entity gets the array itself (the ORM would store `default` as a JSON string).
    alertPercents: p.json<number[]>().default('[80, 100]').onCreate(() => [...DEFAULT_ALERT_PERCENTS]),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});

export class Tier extends TierSchema.class {}
TierSchema.setClass(Tier);
