import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { Tier } from '../tiers/entity.ts';
import { UserRepository } from './repository.ts';

import { USER_STATUSES } from '../../shared/admin.ts';
import type { Threshold } from '../../shared/alerts.ts';
import { USER_ORIGINS } from '../../shared/users.ts';

export type UserStatus = (typeof USER_STATUSES)[number];

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  repository: () => UserRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    /** Stored lower-cased; unique among users that are not deleted. */
    email: p.string().length(320),
    name: p.string().length(200),
    /** The operator's own id for this customer (e.g. `user123`), so scripts can name users as their systems do; unique among live users. */
    externalId: p.string().length(200).nullable(),
    tier: () => p.manyToOne(Tier).ref(),
    status: p.enum(USER_STATUSES).default('active'),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    /** Deleted users are kept so the usage ledger keeps its owner. */
    deletedAt: p.datetime().nullable(),
    /** Signed up on the portal, or created by an admin (the app, the CLI or the management API). */
    origin: p.enum(USER_ORIGINS).default('admin'),
    /** bcrypt, set by sign-up or a password reset; null: the customer cannot sign in to the portal yet. */
    passwordHash: p.string().length(100).nullable().hidden(),
    /** When a link sent to `email` was followed; keys can be created on the portal only after. */
    emailVerifiedAt: p.datetime().nullable(),
    /** A new address waiting for its confirmation link to be followed. */
    pendingEmail: p.string().length(320).nullable(),
    signedUpAt: p.datetime().nullable(),
    /** The client address that signed up. */
    signupIp: p.string().columnType('inet').nullable(),
    /**
     * While a subscription is live: an instant at which one of the user's usage
     * periods starts (a renewal). Periods then run monthly from it, on its day of
     * the month (clamped to the month's last day) and its UTC time of day; null:
     * calendar months. Written by billing; read by admission (server/usage/admission/period.ts).
     */
    periodAnchor: p.datetime().nullable(),
    /** The customer's own alert thresholds (shared/alerts.ts); null: the tier's defaults; []: none. */
    alertThresholds: p.json<Threshold[]>().nullable(),
    /** When the customer last opened their notifications (the unread count is what fired since). */
    notificationsSeenAt: p.datetime().nullable(),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
