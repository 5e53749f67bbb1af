import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { AdminAccountRepository } from './repository.ts';
import { ADMIN_ROLES } from '../../../shared/admin.ts';

export { ADMIN_ROLES, type AdminRole } from '../../../shared/admin.ts';

const AdminAccountSchema = defineEntity({
  name: 'AdminAccount',
  tableName: 'admin_accounts',
  repository: () => AdminAccountRepository,
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
