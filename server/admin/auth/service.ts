import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import bcrypt from 'bcryptjs';
import type { Logger } from 'pino';
import type { AdminRole } from '../../../shared/admin.ts';
import { audit } from '../../audit/service.ts';
import { auditLockout, SignInThrottle, type StartedLockout } from '../../auth/sign-in-throttle.ts';
import { newToken, sha256, tokensMatch } from '../../auth/tokens.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';
import { AdminAccount } from '../accounts/entity.ts';
import { adminActor } from '../accounts/service.ts';
import { AdminSession } from './entity.ts';

/** The signed-in admin, as procedures see them. */
export interface AdminIdentity {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  sessionId: string;
  csrfToken: string;
}

const invalidCredentials = () => new AppError('UNAUTHORIZED', 'Invalid email or password');

/**
 * Admin sign-in and sessions (the accounts themselves: ../accounts/). Passwords and session tokens are kept
 * only as hashes (bcrypt; SHA-256 for the high-entropy session token). Sign-in
 * is throttled in PostgreSQL, so the limits hold across every instance, and it
 * answers an unknown email exactly like a wrong password.
 *
 * The lockout policy is SignInThrottle's (server/auth/sign-in-throttle.ts), which the customer
 * realm shares: failures from one place never lock the owner out elsewhere.
 */
export class AdminAuthService {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  /** A real bcrypt hash of nothing, compared against when the email is unknown, so both cases cost the same. */
  private readonly dummyHash: Promise<string>;
  private readonly throttle: SignInThrottle;
  /** The throttle's clock (ms since the epoch); tests replace it to move time without waiting. */
  clock: () => number = Date.now;

  constructor(deps: { config: Config; logger: Logger; metrics?: Metrics }) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'admin-auth' });
    this.metrics = deps.metrics;
    this.dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), deps.config.bcryptCost);
    // Admin rows predate realms, so their subjects carry no prefix.
    this.throttle = new SignInThrottle({ policy: deps.config.admin.throttle, realm: '' });
  }

  async signIn(
    em: EntityManager,
    input: { email: string; password: string; ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; identity: AdminIdentity }> {
    const email = input.email.trim().toLowerCase();
    const now = new Date(this.clock());
    await this.throttle.assertMayTry(em, email, input.ip, now);

    const account = await em.getRepository(AdminAccount).findByEmail(email);
    const ok = await bcrypt.compare(input.password, account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) {
      const lockout = await this.throttle.recordFailure(em, { email, ip: input.ip, now }, (started) => this.recordLockout(em, started, account));
      this.logger.warn({ ip: input.ip, lockedOut: lockout !== null }, 'failed admin sign-in');
      throw lockout ?? invalidCredentials();
    }
    await this.throttle.recordSuccess(em, email, input.ip, now);

    const token = newToken();
    const session = em.create(AdminSession, {
      tokenHash: sha256(token),
      admin: account,
      csrfToken: newToken(),
      expiresAt: new Date(Date.now() + this.config.admin.sessionIdleMs),
      ip: input.ip,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    account.lastSignInAt = new Date();
    audit(em, adminActor(account, input.ip), { action: 'admin.signed_in', target: { type: 'admin', id: account.id } });
    await em.flush();
    return { token, identity: identityOf(account, session) };
  }

  /** The admin behind a session cookie, sliding its idle expiry forward; null if absent or expired. */
  async authenticate(em: EntityManager, token: string | undefined): Promise<AdminIdentity | null> {
    if (!token || token.length > 200) return null;
    const session = await em.getRepository(AdminSession).findLive(sha256(token), this.config.admin.sessionMaxAgeMs);
    if (!session) return null;
    const now = Date.now();
    // Writing on every request would be wasteful; a minute's precision is plenty for a 12-hour idle limit.
    if (now - session.lastSeenAt.getTime() > 60_000) {
      session.lastSeenAt = new Date(now);
      session.expiresAt = new Date(now + this.config.admin.sessionIdleMs);
      await em.flush();
    }
    return identityOf(session.admin.getEntity(), session);
  }

  /** Constant-time comparison of the X-CSRF-Token header with the session's token. */
  csrfMatches(identity: AdminIdentity, header: string | undefined): boolean {
    return tokensMatch(identity.csrfToken, header);
  }

  async signOut(em: EntityManager, identity: AdminIdentity, ip: string): Promise<void> {
    await em.getRepository(AdminSession).nativeDelete({ id: identity.sessionId });
    audit(em, adminActor(identity, ip), { action: 'admin.signed_out', target: { type: 'admin', id: identity.id } });
    await em.flush();
  }

  async signOutEverywhere(em: EntityManager, identity: AdminIdentity, ip: string): Promise<number> {
    return em.transactional(async (tx) => {
      const ended = await tx.getRepository(AdminSession).endAllFor(identity.id);
      audit(tx, adminActor(identity, ip), { action: 'admin.signed_out_everywhere', target: { type: 'admin', id: identity.id }, details: { sessions: ended } });
      await tx.flush();
      return ended;
    });
  }

  async changePassword(em: EntityManager, identity: AdminIdentity, input: { currentPassword: string; newPassword: string }, ip: string): Promise<void> {
    await em.transactional(async (tx) => {
      const account = await tx.findOneOrFail(AdminAccount, { id: identity.id });
      if (!(await bcrypt.compare(input.currentPassword, account.passwordHash))) {
        throw new AppError('VALIDATION_FAILED', 'currentPassword: is not your current password', {
          details: { issues: [{ field: 'currentPassword', message: 'is not your current password' }] },
        });
      }
      account.passwordHash = await bcrypt.hash(input.newPassword, this.config.bcryptCost);
      // Every other browser signed in as this admin is signed out.
      await tx.getRepository(AdminSession).nativeDelete({ admin: account.id, id: { $ne: identity.sessionId } });
      audit(tx, adminActor(identity, ip), { action: 'admin.password_changed', target: { type: 'admin', id: account.id } });
      await tx.flush();
    });
  }

  /** Meters and audits a lockout that just started (in `em`'s unit of work, flushed by the throttle). */
  private recordLockout(em: EntityManager, at: StartedLockout, account: { id: string } | null): void {
    this.metrics?.adminLockouts.inc({ scope: at.scope });
    auditLockout(em, this.logger, 'admin', at, { type: 'admin', id: account?.id ?? null });
  }

}

function identityOf(account: AdminAccount, session: AdminSession): AdminIdentity {
  return { id: account.id, email: account.email, name: account.name, role: account.role, sessionId: session.id, csrfToken: session.csrfToken };
}
