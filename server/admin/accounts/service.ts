import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import bcrypt from 'bcryptjs';
import type { AdminRole, AdminView } from '../../../shared/admin.ts';
import { audit, type Actor } from '../../audit/service.ts';
import type { Config } from '../../config.ts';
import { AppError } from '../../errors.ts';
import { AdminSession, AuthThrottle } from '../auth/entity.ts';
import { generatePassword } from '../passwords.ts';
import { AdminAccount } from './entity.ts';

export function adminView(a: AdminAccount): AdminView {
  return { id: a.id, email: a.email, name: a.name, role: a.role, createdAt: a.createdAt.toISOString(), lastSignInAt: a.lastSignInAt?.toISOString() ?? null };
}

export const adminActor = (admin: { id: string; email: string }, ip: string | null): Actor => ({ type: 'admin', id: admin.id, label: admin.email, ip });

/**
 * Admin accounts: who may sign in to the admin app, with which role. Owners
 * manage them (and the CLI); the first start creates one owner. Passwords are
 * kept only as bcrypt hashes; a reset ends the account's sessions.
 */
export class AdminAccountService {
  private readonly config: Config;

  constructor(deps: { config: Config }) {
    this.config = deps.config;
  }

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
      await tx.getRepository(AuthThrottle).clearAccount(account.email);
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
      await tx.getRepository(AdminAccount).lockForBootstrap();
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
