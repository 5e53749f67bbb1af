import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ListUsersParams, UserList, UserView } from '../../shared/admin.ts';
import type { AlertService } from '../alerts/service.ts';
import { audit, type Actor } from '../audit/service.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import { ApiKey } from '../keys/entity.ts';
import { Tier } from '../tiers/entity.ts';
import { User } from './entity.ts';
import { WebhookEndpoint } from '../webhooks/entity.ts';
import type { WebhookEmitter } from '../webhooks/service.ts';

export function userView(user: User, tier: Tier): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    externalId: user.externalId ?? null,
    tier: tier.name,
    tierId: tier.id,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
    origin: user.origin,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
  };
}

/** Users (the customers who own keys). Every change is audited in its own transaction. */
export class UserService {
  private readonly events: WebhookEmitter | undefined;
  private readonly alerts: Pick<AlertService, 'quotaChanged'> | undefined;

  constructor(deps: { events?: WebhookEmitter; alerts?: Pick<AlertService, 'quotaChanged'> } = {}) {
    this.events = deps.events;
    this.alerts = deps.alerts;
  }

  /** An admin moved the user to another tier (in `tx`): say so to webhooks, and resolve the alerts it undoes once it commits. */
  private async tierChanged(tx: EntityManager, userId: string, from: Tier, to: Tier): Promise<void> {
    await this.events?.emit(tx, userId, { type: 'subscription.changed', data: { userId, tierId: to.id, tierName: to.name, previousTierId: from.id, status: 'assigned_by_admin' } });
    await this.alerts?.quotaChanged(tx);
  }
  /** A tier by name (the CLI) or id (the admin API); omitted means the default tier. */
  async resolveTier(em: EntityManager, ref: string | undefined, field = 'tier'): Promise<Tier> {
    const repo = em.getRepository(Tier);
    const tier = !ref ? await repo.findDefault() : UUID.test(ref) ? await repo.findOne({ id: ref }) : await repo.findByName(ref);
    if (!tier) {
      const names = (await repo.findAll({ orderBy: { name: 'asc' } })).map((t) => t.name);
      throw new AppError('VALIDATION_FAILED', `Unknown tier ${JSON.stringify(ref)}. Tiers: ${names.join(', ')}`, {
        details: { issues: [{ field, message: `must be one of: ${names.join(', ')}` }] },
      });
    }
    return tier;
  }

  async list(em: EntityManager, q: ListUsersParams): Promise<UserList> {
    const { rows, total } = await em.getRepository(User).search(q);
    return {
      items: rows.map((r) => ({
        id: r.id,
        email: r.email,
        name: r.name,
        externalId: r.external_id,
        tier: r.tier_name,
        tierId: r.tier_id,
        status: r.status,
        createdAt: new Date(r.created_at_ms).toISOString(),
        origin: r.origin,
        emailVerifiedAt: r.email_verified_at_ms === null ? null : new Date(r.email_verified_at_ms).toISOString(),
        tierQuota: r.monthly_quota,
        usedThisPeriod: r.used,
        activeKeys: r.active_keys,
      })),
      total,
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** `tierField` names the input field in a validation error: `tier` (a name, CLI) or `tierId` (admin API). */
  async create(
    em: EntityManager,
    input: { email: string; name: string; tier?: string | undefined; externalId?: string | undefined },
    actor: Actor,
    tierField = 'tier',
  ): Promise<UserView> {
    try {
      return await em.transactional(async (tx) => {
        const tier = await this.resolveTier(tx, input.tier, tierField);
        if (await tx.getRepository(User).findLiveByEmail(input.email)) throw emailTaken(input.email);
        if (input.externalId !== undefined && (await tx.getRepository(User).findLiveByExternalId(input.externalId))) throw externalIdTaken(input.externalId);
        const user = tx.create(User, { email: input.email.toLowerCase(), name: input.name, externalId: input.externalId ?? null, tier, status: 'active' });
        await tx.flush();
        audit(tx, actor, {
          action: 'user.created',
          target: { type: 'user', id: user.id },
          details: { email: user.email, tier: tier.name, ...(user.externalId ? { externalId: user.externalId } : {}) },
        });
        await tx.flush();
        return userView(user, tier);
      });
    } catch (err) {
      // Two concurrent creates of one email (or external id): the unique index decides.
      if (err instanceof UniqueConstraintViolationException) throw /external_id/.test(err.message) && input.externalId ? externalIdTaken(input.externalId) : emailTaken(input.email);
      throw err;
    }
  }

  async get(em: EntityManager, id: string): Promise<UserView> {
    const user = await em.getRepository(User).findLiveById(id);
    if (!user) throw new AppError('NOT_FOUND', `No user with id ${id}`);
    return userView(user, await user.tier.loadOrFail());
  }

  /** A live user by id, email or external id (the operator's own id, e.g. `user123`). */
  async findByEmailOrId(em: EntityManager, ref: string): Promise<User> {
    const repo = em.getRepository(User);
    const user = UUID.test(ref) ? await repo.findLiveById(ref) : ((await repo.findLiveByEmail(ref)) ?? (await repo.findLiveByExternalId(ref)));
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
        await this.tierChanged(tx, user.id, from, to);
      }
      return userView(user, to);
    });
  }

  /** Changes email, name and/or tier; a tier change applies to the user's next request, on every instance. */
  async update(em: EntityManager, input: { id: string; email?: string | undefined; name?: string | undefined; tierId?: string | undefined }, actor: Actor): Promise<UserView> {
    try {
      return await em.transactional(async (tx) => {
        const repo = tx.getRepository(User);
        const user = await repo.findLiveById(input.id);
        if (!user) throw new AppError('NOT_FOUND', `No user with id ${input.id}`);
        let tier = await user.tier.loadOrFail();
        let previous: Tier | undefined;
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        if (input.email !== undefined && input.email !== user.email) {
          const other = await repo.findLiveByEmail(input.email);
          if (other && other.id !== user.id) throw emailTaken(input.email);
          changes['email'] = { from: user.email, to: input.email };
          user.email = input.email;
          // Verification is of an address: the new one has not been, and a change the customer asked for is moot.
          user.emailVerifiedAt = null;
          user.pendingEmail = null;
        }
        if (input.name !== undefined && input.name !== user.name) {
          changes['name'] = { from: user.name, to: input.name };
          user.name = input.name;
        }
        if (input.tierId !== undefined && input.tierId !== tier.id) {
          const to = await this.resolveTier(tx, input.tierId, 'tierId');
          changes['tier'] = { from: tier.name, to: to.name };
          user.tier = tx.getReference(Tier, to.id, { wrapped: true });
          previous = tier;
          tier = to;
          await broadcastInvalidation(tx, { kind: 'user', id: user.id });
        }
        if (Object.keys(changes).length) {
          audit(tx, actor, { action: changes['tier'] && Object.keys(changes).length === 1 ? 'user.tier_changed' : 'user.updated', target: { type: 'user', id: user.id }, details: changes });
          await tx.flush();
        }
        if (previous) await this.tierChanged(tx, user.id, previous, tier);
        return userView(user, tier);
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw emailTaken(input.email ?? '');
      throw err;
    }
  }

  /**
   * Deletes a user: every key is revoked at once, their webhook endpoints are
   * deleted, and the user disappears from lists, but the row stays so the usage
   * ledger keeps its owner.
   */
  async delete(em: EntityManager, id: string, actor: Actor): Promise<void> {
    await em.transactional(async (tx) => {
      const user = await tx.getRepository(User).findLiveById(id);
      if (!user) throw new AppError('NOT_FOUND', `No user with id ${id}`);
      user.deletedAt = new Date();
      const keysRevoked = await tx.getRepository(ApiKey).revokeAllForUser(id);
      // Nothing is sent about a deleted user, so their endpoints (and delivery logs) go.
      await tx.getRepository(WebhookEndpoint).nativeDelete({ user: id });
      audit(tx, actor, { action: 'user.deleted', target: { type: 'user', id }, details: { email: user.email, keysRevoked } });
      await broadcastInvalidation(tx, { kind: 'user', id });
      await tx.flush();
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const externalIdTaken = (externalId: string) =>
  new AppError('CONFLICT', `A user with external id ${externalId} already exists`, { details: { issues: [{ field: 'externalId', message: 'is already taken' }] } });

const emailTaken = (email: string) =>
  new AppError('CONFLICT', `A user with email ${email} already exists`, { details: { issues: [{ field: 'email', message: 'is already taken' }] } });
