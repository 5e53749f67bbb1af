import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { CustomerSession as CustomerSessionView, CustomerView } from '../../shared/portal.ts';
import { takeRate } from '../auth/rate-limit.ts';
import { auditLockout, SignInThrottle, type StartedLockout } from '../auth/sign-in-throttle.ts';
import { newToken, sha256, tokensMatch } from '../auth/tokens.ts';
import { audit, type Actor } from '../audit/service.ts';
import { addressBucket } from '../client-address.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { BcryptPool } from '../keys/bcrypt-pool.ts';
import type { Metrics } from '../metrics.ts';
import type { SettingsService } from '../settings/service.ts';
import { Tier } from '../tiers/entity.ts';
import { User } from '../users/entity.ts';
import { CustomerEmails, type Mailer } from './emails.ts';
import { CustomerSession } from './entity.ts';
import { assertStrongPassword } from './passwords.ts';

/** The signed-in customer, as customer procedures see them: always the session's, never the input's. */
export interface CustomerIdentity {
  /** The user's id. */
  id: string;
  email: string;
  sessionId: string;
  csrfToken: string;
}

/** A customer acting on their own account, as the audit log names them. */
export const customerActor = (customer: { id: string; email: string }, ip: string | null): Actor => ({ type: 'customer', id: customer.id, label: customer.email, ip });

const SUSPENDED_REASON = 'Your account is suspended, so the API refuses your keys. Contact us to have it reactivated.';

export function customerView(user: User, tier: Tier): CustomerView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    pendingEmail: user.pendingEmail ?? null,
    tier: tier.name,
    status: user.status,
    suspendedReason: user.status === 'suspended' ? SUSPENDED_REASON : null,
    createdAt: user.createdAt.toISOString(),
  };
}

const invalidCredentials = () => new AppError('UNAUTHORIZED', 'Invalid email or password');

/** Sign-ups counted per client address: `signupsPerAddressHourly` an hour. */
const signupLimit = (perHour: number) => [{ name: 'signup', max: perHour, windowMs: 3_600_000 }];

/**
 * The customer realm's sign-up, sign-in and sessions (the account's own changes: ./account.ts).
 * Sessions are revocable rows like the admins' (`customer_sessions`, only the token's SHA-256
 * kept), so signing out, "sign out everywhere", a password reset and account deletion take effect
 * on the very next request. Sign-in shares the admins' lockout policy (SignInThrottle) in its own
 * realm of throttle rows, and answers an unknown email exactly like a wrong password.
 */
export class CustomerAuthService {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  private readonly bcrypt: BcryptPool;
  private readonly settings: SettingsService;
  private readonly throttle: SignInThrottle;
  private dummyHash: Promise<string> | undefined;
  /** The customer emails (verification, reset, change of email), queued in the caller's transaction. */
  readonly emails: CustomerEmails;
  /** The realm's clock (ms since the epoch): sessions, links and throttles. Tests replace it to move time without waiting. */
  clock: () => number = Date.now;

  constructor(deps: { config: Config; logger: Logger; metrics?: Metrics | undefined; bcrypt: BcryptPool; settings: SettingsService; mail: Mailer }) {
    this.config = deps.config;
    this.emails = new CustomerEmails({ mail: deps.mail, now: () => this.now() });
    this.logger = deps.logger.child({ component: 'customer-auth' });
    this.metrics = deps.metrics;
    this.bcrypt = deps.bcrypt;
    this.settings = deps.settings;
    this.throttle = new SignInThrottle({ policy: deps.config.admin.throttle, realm: 'customer:' });
  }

  now(): Date {
    return new Date(this.clock());
  }

  /** bcrypt on the worker pool, at the configured cost. */
  hashPassword(password: string): Promise<string> {
    return this.bcrypt.hash(password, this.config.bcryptCost);
  }

  /** Whether `password` is the user's; a user without a password (admin-created) costs the same compare. */
  async passwordMatches(user: User | null, password: string): Promise<boolean> {
    this.dummyHash ??= this.hashPassword(randomBytes(16).toString('hex'));
    const ok = await this.bcrypt.compare(password, user?.passwordHash ?? (await this.dummyHash));
    return ok && !!user?.passwordHash;
  }

  /** Whether sign-up is open: SIGNUP_ENABLED and the admins' setting both allow it. */
  async signupEnabled(em: EntityManager): Promise<boolean> {
    return this.config.portal.signupEnabled && (await this.settings.get(em)).signupEnabled;
  }

  /**
   * Creates a customer on the default tier, signed in at once (the returned token is the cookie),
   * and queues the verification email. An email that already has an account is a clear CONFLICT:
   * signing in at once would tell anyway, and the per-address limit bounds how many addresses
   * anyone can probe (docs/architecture.md, "Customers").
   */
  async signUp(
    em: EntityManager,
    input: { email: string; name: string; password: string; ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; identity: CustomerIdentity; user: User; tier: Tier }> {
    if (!(await this.signupEnabled(em))) throw new AppError('FORBIDDEN', 'Sign-up is closed on this server; ask its operator for an account');
    const email = input.email.toLowerCase();
    assertStrongPassword(input.password, email);
    const now = this.now();
    // Counted outside the transaction, so an attempt on a taken email counts too.
    await takeRate(em, signupLimit(this.config.portal.signupsPerAddressHourly), addressBucket(input.ip), now, (wait) => `Too many sign-ups from your network. Try again in ${wait}.`);
    const passwordHash = await this.hashPassword(input.password);
    try {
      return await em.transactional(async (tx) => {
        if (await tx.getRepository(User).findLiveByEmail(email)) throw emailTaken();
        const tier = await tx.getRepository(Tier).findDefault();
        if (!tier) throw new AppError('INTERNAL', 'No default tier');
        const user = tx.create(User, {
          email,
          name: input.name,
          tier,
          status: 'active',
          origin: 'signup',
          passwordHash,
          emailVerifiedAt: null,
          pendingEmail: null,
          signedUpAt: now,
          signupIp: input.ip,
          externalId: null,
        });
        await tx.flush();
        audit(tx, customerActor(user, input.ip), { action: 'customer.signed_up', target: { type: 'user', id: user.id }, details: { email, tier: tier.name } });
        const { token, identity } = this.startSession(tx, user, input, now);
        await this.emails.sendVerification(tx, user, now);
        await tx.flush();
        return { token, identity, user, tier };
      });
    } catch (err) {
      // Two sign-ups of one email at once: the unique index decides.
      if (err instanceof UniqueConstraintViolationException) throw emailTaken();
      throw err;
    }
  }

  async signIn(
    em: EntityManager,
    input: { email: string; password: string; ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; identity: CustomerIdentity; user: User }> {
    const email = input.email.trim().toLowerCase();
    const now = this.now();
    await this.throttle.assertMayTry(em, email, input.ip, now);
    const user = await em.getRepository(User).findLiveByEmail(email);
    if (!(await this.passwordMatches(user, input.password)) || !user) {
      const lockout = await this.throttle.recordFailure(em, { email, ip: input.ip, now }, (started) => this.recordLockout(em, started, user));
      this.logger.warn({ ip: input.ip, lockedOut: lockout !== null }, 'failed customer sign-in');
      throw lockout ?? invalidCredentials();
    }
    await this.throttle.recordSuccess(em, email, input.ip, now);
    // A suspended customer signs in too: the portal tells them why their keys are refused.
    const { token, identity } = this.startSession(em, user, input, now);
    audit(em, customerActor(user, input.ip), { action: 'customer.signed_in', target: { type: 'user', id: user.id } });
    await em.flush();
    return { token, identity, user };
  }

  /** Forgets the account's failed sign-ins on every address (a password reset starts afresh). */
  clearThrottle(em: EntityManager, email: string): Promise<void> {
    return this.throttle.clearAccount(em, email);
  }

  /** A new session for `user` in `em`'s unit of work (flushed by the caller); the token is the cookie's value. */
  startSession(em: EntityManager, user: User, client: { ip: string; userAgent: string | undefined }, now: Date): { token: string; identity: CustomerIdentity } {
    const token = newToken();
    const session = em.create(CustomerSession, {
      tokenHash: sha256(token),
      user,
      csrfToken: newToken(),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.portal.sessionIdleMs),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 300) ?? null,
    });
    return { token, identity: identityOf(user, session) };
  }

  /** The customer behind a session cookie, sliding its idle expiry forward; null if absent, expired or ended. */
  async authenticate(em: EntityManager, token: string | undefined): Promise<{ identity: CustomerIdentity; user: User } | null> {
    if (!token || token.length > 200) return null;
    const now = this.now();
    const session = await em.getRepository(CustomerSession).findLive(sha256(token), now, this.config.portal.sessionMaxAgeMs);
    if (!session) return null;
    // Writing on every request would be wasteful; a minute's precision is plenty for a days-long idle limit.
    if (now.getTime() - session.lastSeenAt.getTime() > 60_000) {
      session.lastSeenAt = now;
      session.expiresAt = new Date(now.getTime() + this.config.portal.sessionIdleMs);
      await em.flush();
    }
    const user = session.user.getEntity();
    return { identity: identityOf(user, session), user };
  }

  csrfMatches(identity: CustomerIdentity, header: string | undefined): boolean {
    return tokensMatch(identity.csrfToken, header);
  }

  async signOut(em: EntityManager, identity: CustomerIdentity, ip: string): Promise<void> {
    await em.getRepository(CustomerSession).nativeDelete({ id: identity.sessionId });
    audit(em, customerActor(identity, ip), { action: 'customer.signed_out', target: { type: 'user', id: identity.id } });
    await em.flush();
  }

  async signOutEverywhere(em: EntityManager, identity: CustomerIdentity, ip: string): Promise<number> {
    return em.transactional(async (tx) => {
      const ended = await tx.getRepository(CustomerSession).endAllFor(identity.id);
      audit(tx, customerActor(identity, ip), { action: 'customer.signed_out_everywhere', target: { type: 'user', id: identity.id }, details: { sessions: ended } });
      await tx.flush();
      return ended;
    });
  }

  async sessions(em: EntityManager, identity: CustomerIdentity): Promise<CustomerSessionView[]> {
    const sessions = await em.getRepository(CustomerSession).listLive(identity.id, this.now(), this.config.portal.sessionMaxAgeMs);
    return sessions.map((s) => ({
      id: s.id,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
      ip: s.ip ?? null,
      userAgent: s.userAgent ?? null,
      current: s.id === identity.sessionId,
    }));
  }

  /** Ends one of the customer's own sessions (another customer's id is NOT_FOUND); true if it was this browser's. */
  async endSession(em: EntityManager, identity: CustomerIdentity, sessionId: string, ip: string): Promise<{ current: boolean }> {
    return em.transactional(async (tx) => {
      const ended = await tx.getRepository(CustomerSession).nativeDelete({ id: sessionId, user: identity.id });
      if (ended === 0) throw new AppError('NOT_FOUND', `No session with id ${sessionId}`);
      audit(tx, customerActor(identity, ip), { action: 'customer.session_ended', target: { type: 'user', id: identity.id }, details: { sessionId } });
      await tx.flush();
      return { current: sessionId === identity.sessionId };
    });
  }

  /** Meters and audits a lockout that just started (in `em`'s unit of work, flushed by the throttle). */
  private recordLockout(em: EntityManager, at: StartedLockout, user: { id: string } | null): void {
    this.metrics?.customerLockouts.inc({ scope: at.scope });
    auditLockout(em, this.logger, 'customer', at, { type: 'user', id: user?.id ?? null });
  }

}

function identityOf(user: User, session: CustomerSession): CustomerIdentity {
  return { id: user.id, email: user.email, sessionId: session.id, csrfToken: session.csrfToken };
}

const emailTaken = () =>
  new AppError('CONFLICT', 'An account with this email already exists', {
    details: { issues: [{ field: 'email', message: 'already has an account: sign in, or use "Forgot password" if you have no password yet' }] },
  });
