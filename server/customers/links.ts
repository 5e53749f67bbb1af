import type { EntityManager } from '@mikro-orm/postgresql';
import { newToken, sha256 } from '../auth/tokens.ts';
import { validationError } from '../errors.ts';
import { User } from '../users/entity.ts';
import { AccountToken, type AccountTokenKind } from './entity.ts';

/** How long each kind of link works after it is sent. */
export const LINK_LIFETIME_MS: Readonly<Record<AccountTokenKind, number>> = {
  verify_email: 24 * 3_600_000,
  reset_password: 3_600_000,
  change_email: 24 * 3_600_000,
};

/** The portal page each kind of link opens (under PUBLIC_URL). */
export const LINK_PATH: Readonly<Record<AccountTokenKind, string>> = {
  verify_email: '/verify-email',
  reset_password: '/reset-password',
  change_email: '/confirm-email',
};

/**
 * Mints the token of a link to send now, and returns it (the link is LINK_PATH's page with
 * `?token=`). Runs when the email is composed
 * (each send attempt), so no token is ever in job data; only its SHA-256 is stored. The newest
 * link of a kind is the only one that works: minting deletes the customer's unused older ones.
 */
export async function mintLinkToken(em: EntityManager, link: { kind: AccountTokenKind; userId: string; email: string }, now: Date): Promise<string> {
  const token = newToken();
  await em.transactional(async (tx) => {
    await tx.getRepository(AccountToken).supersede(link.userId, link.kind);
    tx.create(AccountToken, {
      kind: link.kind,
      user: tx.getReference(User, link.userId),
      email: link.email,
      tokenHash: sha256(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + LINK_LIFETIME_MS[link.kind]),
      usedAt: null,
    });
    await tx.flush();
  });
  return token;
}

const badLink = (message: string) => validationError([{ field: 'token', message }]);

/**
 * Uses up the token behind a followed link (in the caller's transaction, with the change it
 * makes), or refuses it saying why: unknown (or replaced by a newer link), already used, expired.
 */
export async function consumeLink(tx: EntityManager, kind: AccountTokenKind, token: string, now: Date): Promise<AccountToken> {
  const repo = tx.getRepository(AccountToken);
  const found = await repo.lookup(kind, sha256(token), now);
  if (!found) throw badLink('is not a valid link; it may have been replaced by a newer one, so use the latest email we sent');
  if (found.state === 'used') throw badLink('was already used');
  if (found.state === 'expired') throw badLink('has expired; ask for a new link');
  // Two requests following one link at once: the other one marked it first.
  if (!(await repo.markUsed(found.token.id, now))) throw badLink('was already used');
  return found.token;
}
