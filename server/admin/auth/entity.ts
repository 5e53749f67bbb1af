import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { AdminAccount } from '../accounts/entity.ts';
import { AdminSessionRepository, AuthThrottleRepository } from './repository.ts';

/** A signed-in browser. The cookie holds a random token; we keep only its SHA-256. */
const AdminSessionSchema = defineEntity({
  name: 'AdminSession',
  tableName: 'admin_sessions',
  repository: () => AdminSessionRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    tokenHash: p.string().length(64).unique().hidden(),
    admin: () => p.manyToOne(AdminAccount).ref().deleteRule('cascade'),
    /** Sent back by the SPA in X-CSRF-Token on every mutation. */
    csrfToken: p.string().length(64).hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    lastSeenAt: p.datetime().onCreate(() => new Date()),
    /** Idle expiry: moves forward while the session is used. */
    expiresAt: p.datetime(),
    ip: p.string().columnType('inet').nullable(),
    userAgent: p.string().length(300).nullable(),
  },
});
export class AdminSession extends AdminSessionSchema.class {}
AdminSessionSchema.setClass(AdminSession);

/**
 * Failed sign-ins per address, per (account, address) and per account, known addresses, and rate
 * limits (sign-ups, emails sent); shared by every instance (see ThrottleScope).
 */
const AuthThrottleSchema = defineEntity({
  name: 'AuthThrottle',
  tableName: 'auth_throttle',
  repository: () => AuthThrottleRepository,
  properties: {
    scope: p.enum(['ip', 'account_ip', 'account', 'known', 'rate'] as const).primary(),
    subject: p.string().length(400).primary(),
    failures: p.integer().default(0),
    windowStartedAt: p.datetime(),
    lockedUntil: p.datetime().nullable(),
  },
});
export class AuthThrottle extends AuthThrottleSchema.class {}
AuthThrottleSchema.setClass(AuthThrottle);
