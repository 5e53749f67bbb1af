import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';

export const ADMIN_ROLES = ['owner', 'admin', 'viewer'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

const AdminAccountSchema = defineEntity({
  name: 'AdminAccount',
  tableName: 'admin_accounts',
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    /** Stored lower-cased. */
    email: p.string().length(320).unique(),
    name: p.string().length(200).default(''),
    /** bcrypt; the password itself is never stored. */
    passwordHash: p.string().length(100).hidden(),
    role: p.enum(ADMIN_ROLES),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
    lastSignInAt: p.datetime().nullable(),
  },
});
export class AdminAccount extends AdminAccountSchema.class {}
AdminAccountSchema.setClass(AdminAccount);
