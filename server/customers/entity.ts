import { randomUUID } from 'node:crypto';
import { defineEntity, p } from '@mikro-orm/core';
import { User } from '../users/entity.ts';
import { AccountTokenRepository, CustomerSessionRepository } from './repository.ts';

/**
 * A browser signed in to the portal: the customer realm's own sessions, apart from admin_sessions,
 * so neither kind of cookie can ever be taken for the other. The cookie holds a random token; we keep only its SHA-256.
 */
const CustomerSessionSchema = defineEntity({
  name: 'CustomerSession',
  tableName: 'customer_sessions',
  repository: () => CustomerSessionRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    tokenHash: p.string().length(64).unique().hidden(),
    user: () => p.manyToOne(User).ref().deleteRule('cascade'),
    /** Sent back by the portal in X-CSRF-Token on every mutation. */
    csrfToken: p.string().length(64).hidden(),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    /** Idle expiry: moves forward while the session is used. */
    expiresAt: p.datetime(),
    ip: p.string().columnType('inet').nullable(),
    userAgent: p.string().length(300).nullable(),
  },
});
export class CustomerSession extends CustomerSessionSchema.class {}
CustomerSessionSchema.setClass(CustomerSession);

/** What an emailed link does when followed. */
export const ACCOUNT_TOKEN_KINDS = ['verify_email', 'reset_password', 'change_email'] as const;
export type AccountTokenKind = (typeof ACCOUNT_TOKEN_KINDS)[number];

/**
 * The token of an emailed link (server/customers/links.ts): only its SHA-256 is kept, with what it
 * is for, whose it is, the address it was sent to, when it expires and when it was used (once).
 */
const AccountTokenSchema = defineEntity({
  name: 'AccountToken',
  tableName: 'account_tokens',
  repository: () => AccountTokenRepository,
  properties: {
    id: p.uuid().primary().onCreate(() => randomUUID()),
    kind: p.enum(ACCOUNT_TOKEN_KINDS),
    user: () => p.manyToOne(User).ref().deleteRule('cascade'),
    /** The address the link was sent to: for change_email, the new one. */
    email: p.string().length(320),
    tokenHash: p.string().length(64).unique().hidden(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export class AccountToken extends AccountTokenSchema.class {}
AccountTokenSchema.setClass(AccountToken);
