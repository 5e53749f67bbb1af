import type { QueryResult } from '@mikro-orm/core';
import { EntityRepository } from '@mikro-orm/postgresql';
import type { AccountToken, AccountTokenKind, CustomerSession } from './entity.ts';

export class CustomerSessionRepository extends EntityRepository<CustomerSession> {
  /** A session whose idle expiry and absolute lifetime have not passed at `now`, with its (live) customer. */
  findLive(tokenHash: string, now: Date, maxAgeMs: number): Promise<CustomerSession | null> {
    return this.findOne(
      { tokenHash, expiresAt: { $gt: now }, createdAt: { $gt: new Date(now.getTime() - maxAgeMs) }, user: { deletedAt: null } },
      { populate: ['user'] },
    );
  }

  /** The customer's sessions that are still live at `now`, most recently used first. */
  listLive(userId: string, now: Date, maxAgeMs: number): Promise<CustomerSession[]> {
    return this.find(
      { user: userId, expiresAt: { $gt: now }, createdAt: { $gt: new Date(now.getTime() - maxAgeMs) } },
      { orderBy: { lastSeenAt: 'desc', id: 'asc' } },
    );
  }

  /** Ends every session of the customer, or every one but `except`; how many were live or not. */
  async endAllFor(userId: string, except?: string): Promise<number> {
    return this.nativeDelete(except ? { user: userId, id: { $ne: except } } : { user: userId });
  }

  /** Forgets sessions past their idle expiry or their absolute lifetime, by the database clock. */
  async purgeExpired(maxAgeMs: number): Promise<number> {
    const result = await this.em.execute<QueryResult>(
      `delete from customer_sessions where expires_at <= now() or created_at <= now() - ? * interval '1 millisecond'`,
      [maxAgeMs],
      'run',
    );
    return result.affectedRows;
  }
}

/** A link token as consuming it finds it. */
export type TokenState = { token: AccountToken; state: 'valid' | 'used' | 'expired' } | null;

export class AccountTokenRepository extends EntityRepository<AccountToken> {
  /** The token behind a link, and whether it can still be used at `now`. */
  async lookup(kind: AccountTokenKind, tokenHash: string, now: Date): Promise<TokenState> {
    const token = await this.findOne({ tokenHash, kind });
    if (!token) return null;
    return { token, state: token.usedAt ? 'used' : token.expiresAt <= now ? 'expired' : 'valid' };
  }

  /**
   * Marks the token used if it still can be, atomically: of two requests following one link at
   * once, exactly one gets true.
   */
  async markUsed(id: string, now: Date): Promise<boolean> {
    const changed = await this.nativeUpdate({ id, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now });
    return changed === 1;
  }

  /** Forgets the customer's unused tokens of a kind: a newer link replaces them. */
  async supersede(userId: string, kind: AccountTokenKind): Promise<number> {
    return this.nativeDelete({ user: userId, kind, usedAt: null });
  }

  /** Forgets tokens a day after they expired (used ones too: they are kept only to say "already used"). */
  async purgeExpired(): Promise<number> {
    const result = await this.em.execute<QueryResult>(`delete from account_tokens where expires_at <= now() - interval '1 day'`, [], 'run');
    return result.affectedRows;
  }
}
