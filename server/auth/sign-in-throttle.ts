import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { AuthThrottle } from '../admin/auth/entity.ts';
import type { RecordedFailure } from '../admin/auth/repository.ts';
import { audit, SYSTEM_ACTOR } from '../audit/service.ts';
import { addressBucket } from '../client-address.ts';
import type { Config } from '../config.ts';
import { AppError, retryAfterHeaders } from '../errors.ts';

/** The kinds of sign-in lockout, as audited and metered. */
export type LockoutScope = 'address' | 'account_address' | 'account_cap';

export type SignInThrottlePolicy = Config['admin']['throttle'];

/** A lockout that just started, for the realm to audit and meter. */
export interface StartedLockout {
  scope: LockoutScope;
  email: string;
  /** The address bucket (IPv6: its /64). */
  address: string;
  ip: string;
  failure: RecordedFailure;
}

/**
 * Audits (in `em`'s unit of work, flushed by the throttle) and logs a lockout that just started,
 * in the same shape for every realm; `account` is the locked account when there is one.
 */
export function auditLockout(
  em: EntityManager,
  logger: Logger,
  realm: 'admin' | 'customer',
  at: StartedLockout,
  account: { type: 'admin' | 'user'; id: string | null },
): void {
  const { scope } = at;
  audit(em, { ...SYSTEM_ACTOR, ip: at.ip }, {
    action: `${realm}.sign_in_locked`,
    target: scope === 'address' ? { type: 'address', id: at.address } : account,
    details: {
      scope,
      ...(scope === 'address' ? {} : { email: at.email }),
      address: at.address,
      failures: at.failure.failures,
      lockedUntil: at.failure.lockedUntil?.toISOString() ?? null,
    },
  });
  logger.warn({ scope, address: at.address, lockedUntil: at.failure.lockedUntil }, `${realm} sign-in lockout`);
}

/**
 * The sign-in lockout policy, one implementation for every realm (admins, customers), kept in
 * PostgreSQL (`auth_throttle`) so the limits hold across instances. Failures from one place
 * never lock the owner out elsewhere: an address is locked after too many failures (on any
 * account), an (account, address) pair after fewer; failures on the account from everywhere only
 * make the failing address wait longer (a delay doubling with the account's failures), and past an
 * hourly cap only addresses that signed in to the account before may try. See docs/operations.md,
 * "Sign-in lockouts".
 *
 * Realms never share a row: each prefixes its subjects (`realm`), so failures on the portal
 * neither lock nor slow an admin and the reverse.
 */
export class SignInThrottle {
  private readonly policy: SignInThrottlePolicy;
  private readonly realm: string;

  constructor(opts: { policy: SignInThrottlePolicy; realm: string }) {
    this.policy = opts.policy;
    this.realm = opts.realm;
  }

  /**
   * Refuses (RATE_LIMITED, with Retry-After) an attempt that is locked out or must still wait, before
   * the password is even compared, so a locked attempt costs no bcrypt and says nothing about the password.
   */
  async assertMayTry(em: EntityManager, email: string, ip: string, now: Date): Promise<void> {
    const throttle = em.getRepository(AuthThrottle);
    const { address, pair, account } = this.subjects(email, ip);
    const locks = [await throttle.lockedUntil('ip', address, now), await throttle.lockedUntil('account_ip', pair, now)];
    const capped = await throttle.lockedUntil('account', account, now);
    if (capped && !(await throttle.knownSince(pair, new Date(now.getTime() - this.policy.knownAddressMs)))) locks.push(capped);
    const lockedUntil = latest(locks);
    if (lockedUntil) throw lockedOut(lockedUntil, now);
  }

  /**
   * Counts a failed attempt (an unknown email counts like a wrong password) and flushes `em`; each
   * lockout it starts goes to `onLockout` first, for the realm to audit and meter in the same flush.
   * Returns the lockout or wait this failure leaves its address in, if any; the caller refuses with it.
   */
  async recordFailure(
    em: EntityManager,
    attempt: { email: string; ip: string; now: Date },
    onLockout: (lockout: StartedLockout) => void,
  ): Promise<AppError | null> {
    const { email, ip, now } = attempt;
    const throttle = em.getRepository(AuthThrottle);
    const policy = this.policy;
    const { address, pair, account } = this.subjects(email, ip);
    const byAddress = await throttle.recordFailure('ip', address, policy.ip, now);
    const byPair = await throttle.recordFailure('account_ip', pair, policy.accountAddress, now);
    const byAccount = await throttle.recordFailure('account', account, { maxFailures: policy.account.hourlyCap, ...hourly(policy.account.windowMs) }, now);
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
    const bucket = addressBucket(ip);
    for (const [scope, failure] of started) if (failure.lockStarted) onLockout({ scope, email, address: bucket, ip, failure });
    await em.flush();
    // The cap shuts out unknown addresses only; this attempt's own wait comes from its address and pair.
    const until = latest([byAddress.lockedUntil, byPair.lockedUntil, delayedUntil]);
    return until ? lockedOut(until, now) : null;
  }

  /** A successful sign-in clears its own address's failures on the account and marks the address known. */
  async recordSuccess(em: EntityManager, email: string, ip: string, now: Date): Promise<void> {
    const throttle = em.getRepository(AuthThrottle);
    const { pair } = this.subjects(email, ip);
    await throttle.clear('account_ip', pair);
    await throttle.markKnown(pair, now);
  }

  /** Forgets the account's failures on every address (a password reset starts afresh). */
  async clearAccount(em: EntityManager, email: string): Promise<void> {
    await em.getRepository(AuthThrottle).clearAccount(this.subjects(email, '').account);
  }

  private subjects(email: string, ip: string) {
    const address = ip ? addressBucket(ip) : '';
    const account = `${this.realm}${email}`;
    return { address: `${this.realm}${address}`, pair: `${account}|${address}`, account };
  }
}

const hourly = (windowMs: number) => ({ windowMs, lockoutMs: windowMs });

export function latest(dates: (Date | null)[]): Date | null {
  const ms = dates.filter((d): d is Date => d !== null).map((d) => d.getTime());
  return ms.length ? new Date(Math.max(...ms)) : null;
}

function lockedOut(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${waitPhrase(seconds)}.`, {
    details: { retryAfterSeconds: seconds, lockedUntil: until.toISOString() },
    headers: retryAfterHeaders(seconds),
  });
}

/** "40 seconds", "1 minute", "15 minutes": how long to wait, as a person reads it. */
export function waitPhrase(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return seconds < 60 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${minutes} minute${minutes === 1 ? '' : 's'}`;
}
