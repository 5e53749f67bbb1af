import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { audit, type Actor } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import { Tier } from '../tiers/entity.ts';
import { User } from './entity.ts';

export interface UserView {
  id: string;
  email: string;
  name: string;
  tier: string;
  tierId: string;
  status: 'active' | 'suspended';
  createdAt: string;
}

export function userView(user: User, tier: Tier): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    tier: tier.name,
    tierId: tier.id,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
  };
}

/** Users (the customers who own keys). Every change is audited in its own transaction. */
export class UserService {
  async resolveTier(em: EntityManager, name: string | undefined): Promise<Tier> {
    const repo = em.getRepository(Tier);
    const tier = name ? await repo.findByName(name) : await repo.findDefault();
    if (!tier) {
      const names = (await repo.findAll({ orderBy: { name: 'asc' } })).map((t) => t.name);
      throw new AppError('VALIDATION_FAILED', `Unknown tier ${JSON.stringify(name)}. Tiers: ${names.join(', ')}`, {
        details: { issues: [{ field: 'tier', message: `must be one of: ${names.join(', ')}` }] },
      });
    }
    return tier;
  }

  async create(em: EntityManager, input: { email: string; name: string; tier?: string | undefined }, actor: Actor): Promise<UserView> {
    try {
      return await em.transactional(async (tx) => {
        const tier = await this.resolveTier(tx, input.tier);
        if (await tx.getRepository(User).findLiveByEmail(input.email)) throw emailTaken(input.email);
        const user = tx.create(User, { email: input.email.toLowerCase(), name: input.name, tier, status: 'active' });
        await tx.flush();
        audit(tx, actor, { action: 'user.created', target: { type: 'user', id: user.id }, details: { email: user.email, tier: tier.name } });
        await tx.flush();
        return userView(user, tier);
      });
    } catch (err) {
      // Two concurrent creates of one email: the unique index decides.
      if (err instanceof UniqueConstraintViolationException) throw emailTaken(input.email);
      throw err;
    }
  }

  async get(em: EntityManager, id: string): Promise<UserView> {
    const user = await em.getRepository(User).findLiveById(id);
    if (!user) throw new AppError('NOT_FOUND', `No user with id ${id}`);
    return userView(user, await user.tier.loadOrFail());
  }

  async findByEmailOrId(em: EntityManager, ref: string): Promise<User> {
    const repo = em.getRepository(User);
    const user = /^[0-9a-f-]{36}$/i.test(ref) ? await repo.findLiveById(ref) : await repo.findLiveByEmail(ref);
    if (!user) throw new AppError('NOT_FOUND', `No user ${ref}`);
    return user;
  }

  /** Moves a user to another tier; the new quota applies from their next request, on every instance. */
  async setTier(em: EntityManager, userId: string, tierName: string, actor: Actor): Promise<UserView> {
    return em.transactional(async (tx) => {
      const user = await tx.getRepository(User).findLiveById(userId);
      if (!user) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
      const from = await user.tier.loadOrFail();
      const to = await this.resolveTier(tx, tierName);
      if (from.id !== to.id) {
        user.tier = tx.getReference(Tier, to.id, { wrapped: true });
        audit(tx, actor, { action: 'user.tier_changed', target: { type: 'user', id: user.id }, details: { tier: { from: from.name, to: to.name } } });
        await broadcastInvalidation(tx, { kind: 'user', id: user.id });
        await tx.flush();
      }
      return userView(user, to);
    });
  }

  /** Suspends or reactivates; a suspended user's keys get 403 from their next request, on every instance. */
  async setStatus(em: EntityManager, userId: string, status: 'active' | 'suspended', actor: Actor): Promise<UserView> {
    return em.transactional(async (tx) => {
      const user = await tx.getRepository(User).findLiveById(userId);
      if (!user) throw new AppError('NOT_FOUND', `No user with id ${userId}`);
      if (user.status !== status) {
        const from = user.status;
        user.status = status;
        audit(tx, actor, {
          action: status === 'suspended' ? 'user.suspended' : 'user.reactivated',
          target: { type: 'user', id: user.id },
          details: { status: { from, to: status } },
        });
        await broadcastInvalidation(tx, { kind: 'user', id: user.id });
        await tx.flush();
      }
      return userView(user, await user.tier.loadOrFail());
    });
  }
}

const emailTaken = (email: string) =>
  new AppError('CONFLICT', `A user with email ${email} already exists`, { details: { issues: [{ field: 'email', message: 'is already taken' }] } });
