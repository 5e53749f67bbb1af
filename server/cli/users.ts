import type { Command } from 'commander';
import { createUserSchema, tierNameSchema } from '../../shared/users.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './context.ts';

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('Users (the customers who own API keys)');

  users
    .command('create')
    .description('Create a user on a tier (default: the default tier, Free)')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'display name')
    .option('--tier <tier>', 'tier name, e.g. Free, Pro, Enterprise')
    .action((opts: { email: string; name: string; tier?: string }) =>
      withServices(async (s) => {
        const input = parseInput(createUserSchema, opts);
        const user = await s.users.create(s.orm.em.fork(), input, cliActor());
        console.log(`Created user ${user.email} (${user.id}) on ${user.tier}.`);
      }),
    );

  users
    .command('set-tier')
    .description("Move a user to another tier; the new quota applies to their next request")
    .argument('<user>', 'email or id')
    .argument('<tier>', 'tier name')
    .action((ref: string, tier: string) =>
      withServices(async (s) => {
        const em = s.orm.em.fork();
        const user = await s.users.findByEmailOrId(em, ref);
        const updated = await s.users.setTier(em, user.id, parseInput(tierNameSchema, tier), cliActor());
        console.log(`${updated.email} is now on ${updated.tier}.`);
      }),
    );
}
