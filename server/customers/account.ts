import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { CustomerView } from '../../shared/portal.ts';
import { takeRate } from '../auth/rate-limit.ts';
import { audit, type Actor } from '../audit/service.ts';
import { addressBucket } from '../client-address.ts';
import { AppError, validationError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import { ApiKey } from '../keys/entity.ts';
import { User } from '../users/entity.ts';
import { customerActor, customerView, type CustomerAuthService, type CustomerIdentity } from './auth.ts';
import { SEND_LIMITS } from './emails.ts';
import { AccountToken, CustomerSession } from './entity.ts';
import { consumeLink } from './links.ts';
import { assertStrongPassword } from './passwords.ts';
import { WebhookEndpoint } from '../webhooks/entity.ts';

/** Forgot-password requests per client address an hour: beyond it the address waits (429), which tells nothing about any account. */
const FORGOT_PER_ADDRESS = [{ name: 'forgot-address', max: 20, windowMs: 3_600_000 }];

const wrongPassword = (field: string, message = 'is not your password') => validationError([{ field, message }]);
const noAccount = () => validationError([{ field: 'token', message: 'belongs to an account that no longer exists' }]);
const emailTaken = () =>
  new AppError('CONFLICT', 'Another account already uses this email', { details: { issues: [{ field: 'email', message: 'is already taken' }] } });

/**
 * What a customer does to their own account, and the emailed links that finish it: verify the
 * email, forget and reset the password, change the email (effective once the new address's link
 * is followed), change the password and name, delete the account. Every change is audited with
 * the customer as the actor; the links' tokens are single use (server/customers/links.ts).
 */
export class CustomerAccountService {
  private readonly auth: CustomerAuthService;
  private readonly logger: Logger;

  constructor(deps: { auth: CustomerAuthService; logger: Logger }) {
    this.auth = deps.auth;
    this.logger = deps.logger.child({ component: 'customer-account' });
  }

  private get emails() {
    return this.auth.emails;
  }

  private async live(em: EntityManager, id: string): Promise<User> {
    const user = await em.getRepository(User).findLiveById(id);
    // The session guard found them a moment ago; only a deletion in between gets here.
    if (!user) throw new AppError('UNAUTHORIZED', 'Your session has ended; sign in again');
    return user;
  }

  async view(em: EntityManager, user: User): Promise<CustomerView> {
    return customerView(user, await user.tier.loadOrFail());
  }

  /** Follows a verification link (from any browser: no session needed). */
  async verifyEmail(em: EntityManager, token: string, ip: string): Promise<{ email: string }> {
    return em.transactional(async (tx) => {
      const link = await consumeLink(tx, 'verify_email', token, this.auth.now());
      const user = await tx.getRepository(User).findLiveById(link.user.id);
      if (!user) throw noAccount();
      if (user.email !== link.email) throw validationError([{ field: 'token', message: 'was sent to an address this account no longer uses' }]);
      if (!user.emailVerifiedAt) {
        user.emailVerifiedAt = this.auth.now();
        audit(tx, customerActor(user, ip), { action: 'customer.email_verified', target: { type: 'user', id: user.id }, details: { email: user.email } });
      }
      await tx.flush();
      return { email: user.email };
    });
  }

  async resendVerification(em: EntityManager, identity: CustomerIdentity): Promise<{ sentTo: string }> {
    return em.transactional(async (tx) => {
      const user = await this.live(tx, identity.id);
      if (user.emailVerifiedAt) throw new AppError('CONFLICT', `${user.email} is already verified`);
      await takeRate(tx, SEND_LIMITS.verification, user.id, this.auth.now(), (wait) => `We sent you a verification email moments ago. You can ask for another in ${wait}.`);
      await this.emails.enqueueVerification(tx, user);
      await tx.flush();
      return { sentTo: user.email };
    });
  }

  /** An admin sends the verification email again (`admin.users.resendVerification`), for any live user not yet verified. */
  async adminResendVerification(em: EntityManager, userId: string, actor: Actor): Promise<{ sentTo: string }> {
    return em.transactional(async (tx) => {
      const user = await tx.getRepository(User).findLiveById(userId);
      if (!user) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
      if (user.emailVerifiedAt) throw new AppError('CONFLICT', `${user.email} is already verified`);
      await this.emails.enqueueVerification(tx, user);
      audit(tx, actor, { action: 'user.verification_sent', target: { type: 'user', id: user.id }, details: { email: user.email } });
      await tx.flush();
      return { sentTo: user.email };
    });
  }

  /**
   * Emails a reset link if the address has an account, and answers the same whether or not it
   * does. The per-account sending limit is silent for the same reason; the per-address one (429)
   * is about the caller, not the account.
   */
  async forgotPassword(em: EntityManager, email: string, ip: string): Promise<{ accepted: true }> {
    const now = this.auth.now();
    await takeRate(em, FORGOT_PER_ADDRESS, addressBucket(ip), now, (wait) => `Too many password reset requests from your network. Try again in ${wait}.`);
    await em.transactional(async (tx) => {
      const user = await tx.getRepository(User).findLiveByEmail(email);
      if (user) await this.emails.sendReset(tx, user, now);
      await tx.flush();
    });
    return { accepted: true };
  }

  /**
   * Sets a new password from a reset link and ends every session of the account, this browser's
   * included. Following the link proves the address, so an unverified email becomes verified, and
   * the account's failed sign-ins are forgotten. This is also how an admin-created customer sets
   * their first password.
   */
  async resetPassword(em: EntityManager, input: { token: string; password: string }, ip: string): Promise<{ reset: true }> {
    const passwordHash = await this.auth.hashPassword(input.password);
    await em.transactional(async (tx) => {
      const now = this.auth.now();
      const link = await consumeLink(tx, 'reset_password', input.token, now);
      const user = await tx.getRepository(User).findLiveById(link.user.id);
      if (!user) throw noAccount();
      if (user.email !== link.email) throw validationError([{ field: 'token', message: 'was sent to an address this account no longer uses' }]);
      // A refusal rolls the transaction back, so the link still works with a better password.
      assertStrongPassword(input.password, user.email);
      user.passwordHash = passwordHash;
      user.emailVerifiedAt ??= now;
      const sessions = await tx.getRepository(CustomerSession).endAllFor(user.id);
      await this.auth.clearThrottle(tx, user.email);
      audit(tx, customerActor(user, ip), { action: 'customer.password_reset', target: { type: 'user', id: user.id }, details: { sessionsEnded: sessions } });
      await tx.flush();
    });
    return { reset: true };
  }

  /** Asks for a new email (the current password confirms it is the customer); it takes effect when the link sent there is followed. */
  async changeEmail(em: EntityManager, identity: CustomerIdentity, input: { email: string; password: string }, ip: string): Promise<{ pendingEmail: string }> {
    const email = input.email.toLowerCase();
    const user = await this.live(em, identity.id);
    if (!(await this.auth.passwordMatches(user, input.password))) throw wrongPassword('password');
    if (email === user.email) throw validationError([{ field: 'email', message: 'is already your email' }]);
    if (await em.getRepository(User).findLiveByEmail(email)) throw emailTaken();
    return em.transactional(async (tx) => {
      const current = await this.live(tx, identity.id);
      await takeRate(tx, SEND_LIMITS.emailChange, current.id, this.auth.now(), (wait) => `We sent a confirmation email moments ago. You can ask for another in ${wait}.`);
      current.pendingEmail = email;
      await this.emails.enqueueEmailChange(tx, current, email);
      audit(tx, customerActor(current, ip), { action: 'customer.email_change_requested', target: { type: 'user', id: current.id }, details: { from: current.email, to: email } });
      await tx.flush();
      return { pendingEmail: email };
    });
  }

  /** Follows the new address's link: the email changes, already verified. */
  async confirmEmailChange(em: EntityManager, token: string, ip: string): Promise<{ email: string }> {
    try {
      return await em.transactional(async (tx) => {
        const link = await consumeLink(tx, 'change_email', token, this.auth.now());
        const user = await tx.getRepository(User).findLiveById(link.user.id);
        if (!user) throw noAccount();
        if (user.pendingEmail !== link.email) throw validationError([{ field: 'token', message: 'is for a change of email that was replaced or cancelled' }]);
        const other = await tx.getRepository(User).findLiveByEmail(link.email);
        if (other && other.id !== user.id) throw emailTaken();
        const from = user.email;
        user.email = link.email;
        user.pendingEmail = null;
        user.emailVerifiedAt = this.auth.now();
        audit(tx, customerActor(user, ip), { action: 'customer.email_changed', target: { type: 'user', id: user.id }, details: { email: { from, to: user.email } } });
        await tx.flush();
        return { email: user.email };
      });
    } catch (err) {
      // Someone took the address between the request and the link: the unique index decides.
      if (err instanceof UniqueConstraintViolationException) throw emailTaken();
      throw err;
    }
  }

  /** Sets a new password; every other browser signed in to the account is signed out. */
  async changePassword(em: EntityManager, identity: CustomerIdentity, input: { currentPassword: string; newPassword: string }, ip: string): Promise<{ changed: true }> {
    const user = await this.live(em, identity.id);
    if (!(await this.auth.passwordMatches(user, input.currentPassword))) throw wrongPassword('currentPassword', 'is not your current password');
    assertStrongPassword(input.newPassword, user.email, 'newPassword');
    const passwordHash = await this.auth.hashPassword(input.newPassword);
    await em.transactional(async (tx) => {
      const current = await this.live(tx, identity.id);
      current.passwordHash = passwordHash;
      const ended = await tx.getRepository(CustomerSession).endAllFor(current.id, identity.sessionId);
      audit(tx, customerActor(current, ip), { action: 'customer.password_changed', target: { type: 'user', id: current.id }, details: { otherSessionsEnded: ended } });
      await tx.flush();
    });
    return { changed: true };
  }

  async updateProfile(em: EntityManager, identity: CustomerIdentity, input: { name: string }, ip: string): Promise<CustomerView> {
    return em.transactional(async (tx) => {
      const user = await this.live(tx, identity.id);
      if (input.name !== user.name) {
        audit(tx, customerActor(user, ip), { action: 'customer.profile_updated', target: { type: 'user', id: user.id }, details: { name: { from: user.name, to: input.name } } });
        user.name = input.name;
        await tx.flush();
      }
      return this.view(tx, user);
    });
  }

  /**
   * Deletes the account: every key revoked at once on every instance (the same revocation as an
   * admin's deletion: api_keys.revoked_at and a user invalidation), every session and link ended,
   * webhook endpoints deleted,
   * name and email erased (the row stays, anonymised, so the usage ledger keeps its owner).
   */
  async deleteAccount(em: EntityManager, identity: CustomerIdentity, input: { password: string; confirmEmail: string }, ip: string): Promise<{ deleted: true }> {
    const user = await this.live(em, identity.id);
    if (input.confirmEmail.toLowerCase() !== user.email) throw validationError([{ field: 'confirmEmail', message: "must be your account's email" }]);
    if (!(await this.auth.passwordMatches(user, input.password))) throw wrongPassword('password');
    await em.transactional(async (tx) => {
      const current = await this.live(tx, identity.id);
      const keysRevoked = await tx.getRepository(ApiKey).revokeAllForUser(current.id);
      const sessions = await tx.getRepository(CustomerSession).endAllFor(current.id);
      await tx.getRepository(AccountToken).nativeDelete({ user: current.id });
      // Their URLs are the customer's data, and nothing is sent about a deleted account.
      await tx.getRepository(WebhookEndpoint).nativeDelete({ user: current.id });
      current.email = `deleted-${current.id}@invalid`;
      current.name = '';
      current.pendingEmail = null;
      current.passwordHash = null;
      current.externalId = null;
      current.signupIp = null;
      current.deletedAt = this.auth.now();
      // Audited after the erasure, so the event is labelled with the anonymised address and names no personal data.
      audit(tx, customerActor(current, ip), { action: 'customer.deleted', target: { type: 'user', id: current.id }, details: { keysRevoked, sessionsEnded: sessions } });
      await broadcastInvalidation(tx, { kind: 'user', id: current.id });
      await tx.flush();
    });
    this.logger.info({ userId: identity.id }, 'customer deleted their account');
    return { deleted: true };
  }
}
