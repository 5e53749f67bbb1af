import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import bcrypt from 'bcryptjs';
import type { Logger } from 'pino';
import type { AdminRole } from '../../shared/admin.ts';
import { audit, type Actor } from '../audit/service.ts';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { AdminAccount, AdminSession, AuthThrottle } from './entity.ts';
import { generatePassword } from './passwords.ts';

/** The signed-in admin, as procedures see them. */
export interface AdminIdentity {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  sessionId: string;
  csrfToken: string;
}

export interface AdminView {
  id: string;
  email: string;
  name: string;
  role: AdminRole;
  createdAt: string;
  lastSignInAt: string | null;
}

export function adminView(a: AdminAccount): AdminView {
  return { id: a.id, email: a.email, name: a.name, role: a.role, createdAt: a.createdAt.toISOString(), lastSignInAt: a.lastSignInAt?.toISOString() ?? null };
}

export const adminActor = (admin: Pick<AdminIdentity, 'id' | 'email'>, ip: string | null): Actor => ({ type: 'admin', id: admin.id, label: admin.email, ip });

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const invalidCredentials = () => new AppError('UNAUTHORIZED', 'Invalid email or password');

/**
 * Admin accounts and their sessions. Passwords and session tokens are kept
 * only as hashes (bcrypt; SHA-256 for the high-entropy session token). Sign-in
 * is throttled per IP and per account in PostgreSQL, so the limits hold across
 * every instance, and it answers an unknown email exactly like a wrong password.
 */
export class AdminAuthService {
  private readonly config: Config;
  private readonly logger: Logger;
  /** A real bcrypt hash of nothing, compared against when the email is unknown, so both cases cost the same. */
  private readonly dummyHash: Promise<string>;

  constructor(deps: { config: Config; logger: Logger }) {
    this.config = deps.config;
    this.logger = deps.logger.child({ component: 'admin-auth' });
    this.dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), deps.config.bcryptCost);
  }

  async signIn(
    em: EntityManager,
    input: { email: string; password: string; ip: string; userAgent: string | undefined },
  ): Promise<{ token: string; identity: AdminIdentity }> {
    const email = input.email.trim().toLowerCase();
    const throttle = em.getRepository(AuthThrottle);
    const { account: accountPolicy, ip: ipPolicy } = this.config.admin.throttle;

    const locked = [await throttle.lockedUntil('ip', input.ip), await throttle.lockedUntil('account', email)].filter((d): d is Date => d !== null);
    if (locked.length) throw lockedOut(new Date(Math.max(...locked.map((d) => d.getTime()))));

    const account = await em.getRepository(AdminAccount).findByEmail(email);
    const ok = await bcrypt.compare(input.password, account?.passwordHash ?? (await this.dummyHash));
    if (!account || !ok) {
      const until = [await throttle.recordFailure('ip', input.ip, ipPolicy), await throttle.recordFailure('account', email, accountPolicy)].filter(
        (d): d is Date => d !== null,
      );
      this.logger.warn({ ip: input.ip, lockedOut: until.length > 0 }, 'failed admin sign-in');
      if (until.length) throw lockedOut(new Date(Math.max(...until.map((d) => d.getTime()))));
      throw invalidCredentials();
    }
    await throttle.clear('account', email);

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

  // Accounts (owners only, and the CLI)

  async listAccounts(em: EntityManager): Promise<AdminView[]> {
    return (await em.find(AdminAccount, {}, { orderBy: { createdAt: 'asc' } })).map(adminView);
  }

  /** Creates an account; without a password, generates one and returns it (once). */
  async createAccount(
    em: EntityManager,
    input: { email: string; name?: string | undefined; role: AdminRole; password?: string | undefined },
    actor: Actor,
  ): Promise<{ account: AdminView; generatedPassword: string | undefined }> {
    const generatedPassword = input.password ? undefined : generatePassword();
    const password = input.password ?? generatedPassword ?? '';
    try {
      return await em.transactional(async (tx) => {
        const account = tx.create(AdminAccount, {
          email: input.email.toLowerCase(),
          name: input.name ?? '',
          role: input.role,
          passwordHash: await bcrypt.hash(password, this.config.bcryptCost),
        });
        await tx.flush();
        audit(tx, actor, { action: 'admin.created', target: { type: 'admin', id: account.id }, details: { email: account.email, role: account.role } });
        await tx.flush();
        return { account: adminView(account), generatedPassword };
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new AppError('CONFLICT', `An admin with email ${input.email} already exists`, {
          details: { issues: [{ field: 'email', message: 'is already taken' }] },
        });
      }
      throw err;
    }
  }

  async updateAccount(em: EntityManager, input: { id: string; role?: AdminRole | undefined; name?: string | undefined }, actor: Actor): Promise<AdminView> {
    return em.transactional(async (tx) => {
      const account = await tx.findOne(AdminAccount, { id: input.id });
      if (!account) throw new AppError('NOT_FOUND', `No admin with id ${input.id}`);
      const changes: Record<string, unknown> = {};
      if (input.role && input.role !== account.role) {
        if (account.role === 'owner') await this.assertAnotherOwner(tx, account.id);
        changes['role'] = { from: account.role, to: input.role };
        account.role = input.role;
      }
      if (input.name !== undefined && input.name !== account.name) {
        changes['name'] = { from: account.name, to: input.name };
        account.name = input.name;
      }
      if (Object.keys(changes).length) {
        audit(tx, actor, { action: 'admin.updated', target: { type: 'admin', id: account.id }, details: changes });
        await tx.flush();
      }
      return adminView(account);
    });
  }

  async deleteAccount(em: EntityManager, id: string, actor: Actor): Promise<void> {
    await em.transactional(async (tx) => {
      const account = await tx.findOne(AdminAccount, { id });
      if (!account) throw new AppError('NOT_FOUND', `No admin with id ${id}`);
      if (account.role === 'owner') await this.assertAnotherOwner(tx, account.id);
      audit(tx, actor, { action: 'admin.deleted', target: { type: 'admin', id: account.id }, details: { email: account.email, role: account.role } });
      tx.remove(account);
      await tx.flush();
    });
  }

  /** Sets a new password (generated unless given) and ends the account's sessions. */
  async resetPassword(em: EntityManager, email: string, password: string | undefined, actor: Actor): Promise<{ password: string; generated: boolean }> {
    return em.transactional(async (tx) => {
      const account = await tx.getRepository(AdminAccount).findByEmail(email);
      if (!account) throw new AppError('NOT_FOUND', `No admin with email ${email}`);
      const next = password ?? generatePassword();
      account.passwordHash = await bcrypt.hash(next, this.config.bcryptCost);
      await tx.getRepository(AdminSession).endAllFor(account.id);
      await tx.getRepository(AuthThrottle).clear('account', account.email);
      audit(tx, actor, { action: 'admin.password_reset', target: { type: 'admin', id: account.id } });
      await tx.flush();
      return { password: next, generated: password === undefined };
    });
  }

  /**
   * First start: with no admin at all, create an owner from HARMONIC_ADMIN_EMAIL
   * and HARMONIC_ADMIN_PASSWORD, or with a generated password that the caller
   * prints once. Several instances starting together create exactly one.
   */
  async bootstrap(em: EntityManager, actor: Actor): Promise<{ email: string; password: string | undefined } | undefined> {
    return em.transactional(async (tx) => {
      await tx.execute(`select pg_advisory_xact_lock(hashtext('harmonic:admin-bootstrap'))`);
      if ((await tx.count(AdminAccount, {})) > 0) return undefined;
      const email = this.config.admin.bootstrapEmail ?? 'admin@harmonic.local';
      const { generatedPassword } = await this.createAccount(tx, { email, name: 'Owner', role: 'owner', password: this.config.admin.bootstrapPassword }, actor);
      return { email, password: generatedPassword };
    });
  }

  private async assertAnotherOwner(em: EntityManager, exceptId: string): Promise<void> {
    if ((await em.count(AdminAccount, { role: 'owner', id: { $ne: exceptId } })) === 0) {
      throw new AppError('CONFLICT', 'This is the last owner; make another admin an owner first');
    }
  }
}

function identityOf(account: AdminAccount, session: AdminSession): AdminIdentity {
  return { id: account.id, email: account.email, name: account.name, role: account.role, sessionId: session.id, csrfToken: session.csrfToken };
}

function lockedOut(until: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  const minutes = Math.ceil(seconds / 60);
  return new AppError('RATE_LIMITED', `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    details: { retryAfterSeconds: seconds, lockedUntil: until.toISOString() },
    headers: { 'Retry-After': String(seconds) },
  });
}
