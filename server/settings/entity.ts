import { defineEntity, p } from '@mikro-orm/core';

/** The instance's settings that admins change at run time: one row (id 1), created by the migration. */
const SettingsSchema = defineEntity({
  name: 'Settings',
  tableName: 'settings',
  properties: {
    id: p.smallint().primary(),
    /** Whether anyone may sign up on the portal (SIGNUP_ENABLED=false overrides it). */
    signupEnabled: p.boolean().default(true),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export class Settings extends SettingsSchema.class {}
SettingsSchema.setClass(Settings);
