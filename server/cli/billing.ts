import { z } from 'zod';
import type { Command } from 'commander';
import { lemonSqueezyIdSchema } from '../../shared/billing.ts';
import { tierNameSchema } from '../../shared/users.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './lazy.ts';

/** `harmonic tiers set-variant` and `harmonic billing sync` (docs/billing.md). */
export function registerBillingCommands(program: Command): void {
  const tiers = program.command('tiers').description('Tiers (quota and price plans)');
  tiers
    .command('set-variant')
    .description('Sell a tier as a Lemon Squeezy variant (checked with the API), or `none` to stop selling it')
    .argument('<tier>', 'tier name, e.g. Pro')
    .argument('<variant-id>', 'the variant id from Lemon Squeezy (digits), or none')
    .action((tierName: string, variant: string) =>
      withServices(async (s) => {
        const em = s.orm.em.fork();
        const tier = await s.users.resolveTier(em, parseInput(tierNameSchema, tierName));
        const variantId = variant.toLowerCase() === 'none' ? null : parseInput(z.object({ variantId: lemonSqueezyIdSchema }), { variantId: variant }).variantId;
        const updated = await s.billing.setVariant(em, tier.id, variantId, cliActor());
        console.log(updated.lemonsqueezyVariantId ? `${updated.name} is sold as Lemon Squeezy variant ${updated.lemonsqueezyVariantId}.` : `${updated.name} is not sold through Lemon Squeezy.`);
      }),
    );

  const billing = program.command('billing').description('Billing through Lemon Squeezy');
  billing
    .command('sync')
    .description("Reconcile now: list the store's subscriptions and correct every tier they disagree with (the hourly job does the same)")
    .action(() =>
      withServices(async (s) => {
        // Corrections schedule their next re-check as jobs, so the queue must be open; the server's instances run them.
        await s.jobs.start({ workers: false });
        const result = await s.billing.reconcile();
        console.log(`Checked ${result.checked} subscriptions on ${result.pages} page${result.pages === 1 ? '' : 's'}: ${result.drifted} corrected, ${result.unmatched} without a user.`);
      }),
    );
}
