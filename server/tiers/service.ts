import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CreateTierInput, TierView, UpdateTierInput } from '../../shared/admin.ts';
import type { PublicTier } from '../../shared/portal.ts';
import { audit, type Actor } from '../audit/service.ts';
import type { AlertService } from '../alerts/service.ts';
import { AppError } from '../errors.ts';
import { broadcastInvalidation } from '../events/invalidation.ts';
import { User } from '../users/entity.ts';
import { Tier } from './entity.ts';

function tierView(t: Tier, users: number): TierView {
  return {
    id: t.id,
    name: t.name,
    monthlyQuota: t.monthlyQuota ?? null,
    priceCents: t.priceCents ?? null,
    description: t.description,
    isDefault: t.isDefault,
    public: t.public,
    users,
    lemonsqueezyVariantId: t.lemonsqueezyVariantId ?? null,
    alertPercents: [...t.alertPercents],
    createdAt: t.createdAt.toISOString(),
  };
}

/** A tier as the portal shows it: what it offers, not who is on it. */
export function publicTierView(t: Tier): PublicTier {
  return {
    id: t.id,
    name: t.name,
    monthlyQuota: t.monthlyQuota ?? null,
    priceCents: t.priceCents ?? null,
    description: t.description,
    isDefault: t.isDefault,
  };
}

const variantTaken = (variantId: string, tierName: string) =>
  new AppError('CONFLICT', `Lemon Squeezy variant ${variantId} is already sold as ${tierName}`, { details: { issues: [{ field: 'variantId', message: `is already ${tierName}'s` }] } });

const nameTaken = (name: string) =>
  new AppError('CONFLICT', `A tier named ${JSON.stringify(name)} already exists`, { details: { issues: [{ field: 'name', message: 'is already taken' }] } });

/**
 * Tiers: quota and price plans. A quota change applies from the next request
 * on every instance, because admission reads the tier's quota in the same
 * statement that counts the call.
 */
export class TierService {
  private readonly alerts: Pick<AlertService, 'quotaChanged'> | undefined;

  constructor(deps: { alerts?: Pick<AlertService, 'quotaChanged'> } = {}) {
    this.alerts = deps.alerts;
  }

  async list(em: EntityManager): Promise<TierView[]> {
    const byTier = await em.getRepository(User).liveCountsByTier();
    const tiers = await em.find(Tier, {}, { orderBy: { monthlyQuota: 'asc nulls last', name: 'asc' } });
    return tiers.map((t) => tierView(t, byTier.get(t.id) ?? 0));
  }

  /** The tiers admins made public, cheapest quota first, as the portal lists them. */
  async listPublic(em: EntityManager): Promise<PublicTier[]> {
    const tiers = await em.find(Tier, { public: true }, { orderBy: { monthlyQuota: 'asc nulls last', name: 'asc' } });
    return tiers.map(publicTierView);
  }

  async create(em: EntityManager, input: CreateTierInput & { description: string }, actor: Actor): Promise<TierView> {
    try {
      return await em.transactional(async (tx) => {
        if (await tx.getRepository(Tier).findByName(input.name)) throw nameTaken(input.name);
        if (input.isDefault) await tx.nativeUpdate(Tier, { isDefault: true }, { isDefault: false });
        const tier = tx.create(Tier, {
          name: input.name,
          monthlyQuota: input.monthlyQuota,
          priceCents: input.priceCents,
          description: input.description,
          isDefault: input.isDefault ?? false,
          public: input.public ?? false,
        });
        await tx.flush();
        audit(tx, actor, {
          action: 'tier.created',
          target: { type: 'tier', id: tier.id },
          details: { name: tier.name, monthlyQuota: tier.monthlyQuota ?? null, priceCents: tier.priceCents ?? null, public: tier.public },
        });
        await tx.flush();
        return tierView(tier, 0);
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw nameTaken(input.name);
      throw err;
    }
  }

  async update(em: EntityManager, input: UpdateTierInput, actor: Actor): Promise<TierView> {
    try {
      return await em.transactional(async (tx) => {
        const tier = await tx.findOne(Tier, { id: input.id });
        if (!tier) throw new AppError('NOT_FOUND', `No tier with id ${input.id}`);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        const set = <K extends 'name' | 'monthlyQuota' | 'priceCents' | 'description' | 'public'>(field: K, value: Tier[K] | undefined) => {
          if (value === undefined || value === tier[field]) return;
          changes[field] = { from: tier[field] ?? null, to: value };
          tier[field] = value;
        };
        if (input.name !== undefined && input.name.toLowerCase() !== tier.name.toLowerCase() && (await tx.getRepository(Tier).findByName(input.name))) {
          throw nameTaken(input.name);
        }
        set('name', input.name);
        set('monthlyQuota', input.monthlyQuota);
        set('priceCents', input.priceCents);
        set('description', input.description);
        set('public', input.public);
        if (input.isDefault && !tier.isDefault) {
          await tx.nativeUpdate(Tier, { isDefault: true, id: { $ne: tier.id } }, { isDefault: false });
          tier.isDefault = true;
          changes['isDefault'] = { from: false, to: true };
        }
        if (Object.keys(changes).length) {
          audit(tx, actor, { action: 'tier.updated', target: { type: 'tier', id: tier.id }, details: changes });
          // Cached keys carry their tier's quota for display; admission reads it fresh anyway.
          await broadcastInvalidation(tx, { kind: 'tier', id: tier.id });
          await tx.flush();
          // A bigger quota can bring its users back under thresholds that fired.
          if (changes['monthlyQuota']) await this.alerts?.quotaChanged(tx);
        }
        return tierView(tier, await tx.getRepository(User).countLiveOnTier(tier.id));
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw nameTaken(input.name ?? '');
      throw err;
    }
  }

  /**
   * Sets or clears the Lemon Squeezy variant the tier is sold as. The caller
   * (server/billing/service.ts) has checked the variant exists; the unique index
   * keeps one variant to one tier. The default tier is what users drop to, so it is never sold.
   */
  async setVariant(em: EntityManager, tierId: string, variantId: string | null, actor: Actor): Promise<TierView> {
    try {
      return await em.transactional(async (tx) => {
        const tier = await tx.findOne(Tier, { id: tierId });
        if (!tier) throw new AppError('NOT_FOUND', `No tier with id ${tierId}`);
        if (variantId !== null && tier.isDefault) {
          throw new AppError('VALIDATION_FAILED', `${tier.name} is the default tier, which users drop to when a subscription ends; it cannot be sold`, {
            details: { issues: [{ field: 'variantId', message: 'the default tier has no variant' }] },
          });
        }
        const from = tier.lemonsqueezyVariantId ?? null;
        if (from !== variantId) {
          if (variantId !== null) {
            const other = await tx.findOne(Tier, { lemonsqueezyVariantId: variantId, id: { $ne: tier.id } });
            if (other) throw variantTaken(variantId, other.name);
          }
          tier.lemonsqueezyVariantId = variantId;
          audit(tx, actor, { action: 'tier.variant_set', target: { type: 'tier', id: tier.id }, details: { name: tier.name, variantId: { from, to: variantId } } });
          await broadcastInvalidation(tx, { kind: 'tier', id: tier.id });
          await tx.flush();
        }
        return tierView(tier, await tx.getRepository(User).countLiveOnTier(tier.id));
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException && variantId) throw variantTaken(variantId, 'another tier');
      throw err;
    }
  }

  /** The tier's default alert thresholds, for its users who set none of their own ([] turns them off); audited. */
  async setAlertPercents(em: EntityManager, tierId: string, percents: number[], actor: Actor): Promise<TierView> {
    return em.transactional(async (tx) => {
      const tier = await tx.findOne(Tier, { id: tierId });
      if (!tier) throw new AppError('NOT_FOUND', `No tier with id ${tierId}`);
      const from = [...tier.alertPercents];
      if (from.join() !== percents.join()) {
        tier.alertPercents = percents;
        audit(tx, actor, { action: 'tier.alert_percents_set', target: { type: 'tier', id: tier.id }, details: { name: tier.name, alertPercents: { from, to: percents } } });
        await tx.flush();
      }
      return tierView(tier, await tx.getRepository(User).countLiveOnTier(tier.id));
    });
  }

  /** The tier sold as this variant, if any. */
  findByVariant(em: EntityManager, variantId: string): Promise<Tier | null> {
    return em.findOne(Tier, { lemonsqueezyVariantId: variantId });
  }

  /** Deletes a tier no live user is on. Deleted users keep their history and move to the default tier. */
  async delete(em: EntityManager, id: string, actor: Actor): Promise<void> {
    await em.transactional(async (tx) => {
      const tier = await tx.findOne(Tier, { id });
      if (!tier) throw new AppError('NOT_FOUND', `No tier with id ${id}`);
      if (tier.isDefault) throw new AppError('CONFLICT', `${tier.name} is the default tier for new users; make another tier the default first`);
      const users = await tx.getRepository(User).countLiveOnTier(id);
      if (users > 0) {
        throw new AppError('CONFLICT', `${users} user${users === 1 ? ' is' : 's are'} on ${tier.name}; move ${users === 1 ? 'them' : 'them all'} to another tier first`, {
          details: { users },
        });
      }
      await tx.getRepository(User).moveDeletedToDefaultTier(id);
      audit(tx, actor, { action: 'tier.deleted', target: { type: 'tier', id }, details: { name: tier.name } });
      tx.remove(tier);
      await tx.flush();
    });
  }
}
