import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import bcrypt from 'bcryptjs';
import type { Logger } from 'pino';
import type { AdminRole } from '../../../shared/admin.ts';
import { audit, SYSTEM_ACTOR } from '../../audit/service.ts';
import { addressBucket } from '../../client-address.ts';
import type { Config } from '../../config.ts';
import { AppError, retryAfterHeaders } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';
import { AdminAccount } from '../accounts/entity.ts';
import { adminActor } from '../accounts/service.ts';
import { AdminSession, AuthThrottle } from './entity.ts';
import type { RecordedFailure } from './repository.ts';

/** The signed-in admin, as procedures see them. */
export interface AdminIdentity {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  sessionId: string;
  csrfToken: string;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidCredentials = () => new AppError('UNAUTHORIZED', 'Invalid email or password');

/** The kinds of sign-in lockout, as audited and metered. */
type LockoutScope = 'address' | 'account_address' | 'account_cap';

/**
 * Admin sign-in and sessions (the accounts themselves: ../accounts/). Passwords and session tokens are kept
 * only as hashes (bcrypt; SHA-256 for the high-entropy session token). Sign-in
 * is throttled in PostgreSQL, so the limits hold across every instance, and it
 * answers an unknown email exactly like a wrong password.
 *
 * Throttling never lets failures from one place lock the owner out elsewhere:
 * an address is locked after too many failures (on any account), an
 * (account, address) pair after fewer; failures on the account from everywhere
 * only make the failing address wait longer (a delay doubling with the
 * account's failures), and past an hourly cap only addresses that signed in to
 * the account before may try. See docs/operations.md, "Sign-in lockouts".
 */
export class AdminAuthService {
  private readonly config: Config;
  private readonly logger: Logger;
  private readonly metrics: Metrics | undefined;
  /** A real bcrypt hash of nothing, compared against when the email is unknown, so both cases cost the same. */
  private readonly dummyHash: Promise<string>;
  /** The throttle's clock (ms since the epoch); tests replace it to move time without waiting. */
  clock: () => number = Date.now;

  constructor(deps: { config: Config; logger: Logger; metrics?: Metrics }) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'admin-auth' });
    this.metrics = deps.metrics;
    this.dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), deps.config.bcryptCost);
  }

  async signIn(
    em: EntityManager,
    input: { email: string; password: string; ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; identity: AdminIdentity }> {
    const email = input.email.trim().toLowerCase();
    const throttle = em.getRepository(AuthThrottle);
    const policy = this.config.admin.throttle;
    const now = new Date(this.clock());
    const address = addressBucket(input.ip);
    const pair = `${email}|${address}`;

    // Refused before the password is even compared, so a locked attempt costs no bcrypt and says nothing about the password.
    const locks = [await throttle.lockedUntil('ip', address, now), await throttle.lockedUntil('account_ip', pair, now)];
    const capped = await throttle.lockedUntil('account', email, now);
    if (capped && !(await throttle.knownSince(pair, new Date(now.getTime() - policy.knownAddressMs)))) locks.push(capped);
    const lockedUntil = latest(locks);
    if (lockedUntil) throw lockedOut(lockedUntil, now);

    const account = await em.getRepository(AdminAccount).findByEmail(email);
    const ok = await bcrypt.compare(input.password, account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) {
      const byAddress = await throttle.recordFailure('ip', address, policy.ip, now);
      const byPair = await throttle.recordFailure('account_ip', pair, policy.accountAddress, now);
      const byAccount = await throttle.recordFailure('account', email, { maxFailures: policy.account.hourlyCap, ...hourly(policy.account.windowMs) }, now);
      // Past the per-pair allowance, counted over every address, each failure makes its address wait twice as long.
      const beyond = byAccount.failures - policy.accountAddress.maxFailures;
      let delayedUntil: Date | null = null;
      if (beyond > 0) {
        delayedUntil = new Date(now.getTime() + Math.min(1000 * 2 ** Math.min(beyond - 1, 30), policy.accountAddress.lockoutMs));
        await throttle.holdUntil('account_ip', pair, delayedUntil);
      }
      const started: [LockoutScope, RecordedFailure][] = [
        ['address', byAddress],
        ['account_address', byPair],
        ['account_cap', byAccount],
      ];
      for (const [scope, failure] of started) if (failure.lockStarted) this.recordLockout(em, scope, { email, account, address, ip: input.ip, failure });
      await em.flush();
      // The cap shuts out unknown addresses only; this attempt's own wait comes from its address and pair.
      const until = latest([byAddress.lockedUntil, byPair.lockedUntil, delayedUntil]);
      this.logger.warn({ ip: input.ip, lockedOut: until !== null }, 'failed admin sign-in');
      if (until) throw lockedOut(until, now);
      throw invalidCredentials();
    }
    await throttle.clear('account_ip', pair);
    await throttle.markKnown(pair, now);

    const token = randomBytes(32).toString('base64url');
    const session = em.create(AdminSession, {
      tokenHash: sha256(token),
      admin: account,
      csrfToken: randomBytes(32).toString('base64url'),
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
    if (!header) return false;
    const a = Buffer.from(identity.csrfToken);
    const b = Buffer.from(header);
    return a.length === b.length && timingSafeEqual(a, b);
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

  /** Audits and meters a lockout that just started (in `em`'s unit of work, flushed by the caller). */
  private recordLockout(
    em: EntityManager,
    scope: LockoutScope,
    at: { email: string; account: AdminAccount | null; address: string; ip: string; failure: RecordedFailure },
  ): void {
    this.metrics?.adminLockouts.inc({ scope });
    audit(em, { ...SYSTEM_ACTOR, ip: at.ip }, {
      action: 'admin.sign_in_locked',
      target: scope === 'address' ? { type: 'address', id: at.address } : { type: 'admin', id: at.account?.id ?? null },
      details: {
        scope,
        ...(scope === 'address' ? {} : { email: at.email }),
        address: at.address,
        failures: at.failure.failures,
        lockedUntil: at.failure.lockedUntil?.toISOString() ?? null,
      },
    });
    this.logger.warn({ scope, address: at.address, lockedUntil: at.failure.lockedUntil }, 'admin sign-in lockout');
  }
}

function identityOf(account: AdminAccount, session: AdminSession): AdminIdentity {
  return { id: account.id, email: account.email, name: account.name, role: account.role, sessionId: session.id, csrfToken: session.csrfToken };
}

const hourly = (windowMs: number) => ({ windowMs, lockoutMs: windowMs });

function latest(dates: (Date | null)[]): Date | null {
  const ms = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return ms.length ? new Date(Math.max(...ms)) : null;
}

function lockedOut(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  const wait = seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
  return new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${wait}.`, {
    details: { retryAfterSeconds: seconds, lockedUntil: until.toISOString() },
    headers: retryAfterHeaders(seconds),
  });
}
