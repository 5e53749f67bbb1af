import type { EntityManager as CoreEntityManager } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimit } from '../auth/rate-limit.ts';
import { tryTakeRate } from '../auth/rate-limit.ts';
import type { Email, MailService } from '../mail/service.ts';
import { User } from '../users/entity.ts';
import type { AccountTokenKind } from './entity.ts';
import { LINK_LIFETIME_MS, LINK_PATH, mintLinkToken } from './links.ts';

/** The parts of the mail service (server/mail/) the customer emails use. */
export type Mailer = Pick<MailService, 'define' | 'enqueue' | 'link' | 'render'>;

/**
 * How often a customer can have each email sent: one a minute and five an hour per account, so
 * nobody can use the portal to flood an inbox. The sign-up's own verification email counts.
 */
export const SEND_LIMITS = {
  verification: [
    { name: 'verify-minute', max: 1, windowMs: 60_000 },
    { name: 'verify-hour', max: 5, windowMs: 3_600_000 },
  ],
  reset: [
    { name: 'reset-minute', max: 1, windowMs: 60_000 },
    { name: 'reset-hour', max: 5, windowMs: 3_600_000 },
  ],
  emailChange: [
    { name: 'change-email-minute', max: 1, windowMs: 60_000 },
    { name: 'change-email-hour', max: 5, windowMs: 3_600_000 },
  ],
} as const satisfies Record<string, readonly RateLimit[]>;

/** The email kinds (queues `mail.<kind>`). */
export const CUSTOMER_EMAIL_KINDS = { verify: 'verify-email', reset: 'reset-password', changeEmail: 'confirm-email-change' } as const;

const hours = (ms: number) => `${ms / 3_600_000} hour${ms === 3_600_000 ? '' : 's'}`;

/**
 * The customer emails. Each job holds the user's id (and, for an email change, the new address),
 * never a token: the link's token is minted when the email is composed, on each attempt, so a
 * retried send gets a fresh link and the older one stops working. Compose skips an email that no
 * longer makes sense (the address was verified, changed, or the account deleted meanwhile).
 */
export class CustomerEmails {
  private readonly mail: Mailer;
  private readonly now: () => Date;

  constructor(deps: { mail: Mailer; now: () => Date }) {
    this.mail = deps.mail;
    this.now = deps.now;
    this.defineKinds();
  }

  /** Queues the verification email in `tx`, counted against the account's limit; false (nothing queued) when it is used up. */
  async sendVerification(tx: EntityManager, user: User, now: Date): Promise<boolean> {
    if (!(await tryTakeRate(tx, SEND_LIMITS.verification, user.id, now))) return false;
    await this.enqueueVerification(tx, user);
    return true;
  }

  /** Queues the verification email in `tx` (the caller has applied any limit). */
  async enqueueVerification(tx: EntityManager, user: User): Promise<void> {
    await this.mail.enqueue(tx, CUSTOMER_EMAIL_KINDS.verify, { userId: user.id, email: user.email });
  }

  /** Queues the password-reset email; false when the limit is used up (the caller answers the same either way). */
  async sendReset(tx: EntityManager, user: User, now: Date): Promise<boolean> {
    if (!(await tryTakeRate(tx, SEND_LIMITS.reset, user.id, now))) return false;
    await this.mail.enqueue(tx, CUSTOMER_EMAIL_KINDS.reset, { userId: user.id });
    return true;
  }

  /** Queues the confirmation email to the new address (the caller has applied the limit). */
  async enqueueEmailChange(tx: EntityManager, user: User, newEmail: string): Promise<void> {
    await this.mail.enqueue(tx, CUSTOMER_EMAIL_KINDS.changeEmail, { userId: user.id, email: newEmail });
  }

  private defineKinds(): void {
    const { mail } = this;
    // Compose gets the mail worker's transaction, a PostgreSQL EntityManager like every other here.
    const define = <D extends object>(kind: string, compose: (em: EntityManager, data: D) => Promise<Email | null>) =>
      mail.define<D>(kind, (em: CoreEntityManager, data) => compose(em as EntityManager, data));
    const live = (em: EntityManager, id: string) => em.getRepository(User).findLiveById(id);
    const linkFor = async (em: EntityManager, kind: AccountTokenKind, user: User, email: string) =>
      mail.link(LINK_PATH[kind], { token: await mintLinkToken(em, { kind, userId: user.id, email }, this.now()) });

    define<{ userId: string; email: string }>(CUSTOMER_EMAIL_KINDS.verify, async (em, data) => {
      const user = await live(em, data.userId);
      if (!user || user.emailVerifiedAt || user.email !== data.email) return null;
      const url = await linkFor(em, 'verify_email', user, user.email);
      return {
        to: user.email,
        subject: 'Verify your email',
        ...mail.render({
          heading: 'Verify your email',
          paragraphs: [`Hello ${user.name},`, 'Follow the link below to confirm this is your address. Once it is verified you can create API keys.'],
          action: { label: 'Verify my email', url },
          footer: `The link works once, for ${hours(LINK_LIFETIME_MS.verify_email)}. If you did not sign up, ignore this email.`,
        }),
      };
    });

    define<{ userId: string }>(CUSTOMER_EMAIL_KINDS.reset, async (em, data) => {
      const user = await live(em, data.userId);
      if (!user) return null;
      const url = await linkFor(em, 'reset_password', user, user.email);
      return {
        to: user.email,
        subject: user.passwordHash ? 'Reset your password' : 'Set your password',
        ...mail.render({
          heading: user.passwordHash ? 'Reset your password' : 'Set your password',
          paragraphs: [`Hello ${user.name},`, 'Someone (we hope you) asked to set a new password for this account. Follow the link below to choose one; every browser signed in to the account will be signed out.'],
          action: { label: 'Choose a new password', url },
          footer: `The link works once, for ${hours(LINK_LIFETIME_MS.reset_password)}. If you did not ask for it, ignore this email: your password stays as it is.`,
        }),
      };
    });

    define<{ userId: string; email: string }>(CUSTOMER_EMAIL_KINDS.changeEmail, async (em, data) => {
      const user = await live(em, data.userId);
      if (!user || user.pendingEmail !== data.email) return null;
      const url = await linkFor(em, 'change_email', user, data.email);
      return {
        to: data.email,
        subject: 'Confirm your new email',
        ...mail.render({
          heading: 'Confirm your new email',
          paragraphs: [`Hello ${user.name},`, `Follow the link below to use ${data.email} for your account instead of ${user.email}.`],
          action: { label: 'Confirm my new email', url },
          footer: `The link works once, for ${hours(LINK_LIFETIME_MS.change_email)}. If you did not ask for this, ignore this email.`,
        }),
      };
    });
  }
}
