import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { Tier } from '../tiers/entity.ts';
import { UserRepository } from './repository.ts';

import { USER_STATUSES } from '../../shared/admin.ts';

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
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);
