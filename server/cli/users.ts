import { Option, type Command } from 'commander';
import { restCreateUserSchema } from '../../shared/management.ts';
import { tierNameSchema } from '../../shared/users.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './lazy.ts';
import { formatTable, positiveInt } from './options.ts';

const MAX_LIST = 10_000;

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('Users (the customers who own API keys)');

  users
    .command('create')
    .description('Create a user on a tier (default: the default tier, Free)')
    .requiredOption('--email <email>', 'email address')
    .requiredOption('--name <name>', 'display name')
    .option('--tier <tier>', 'tier name, e.g. Free, Pro, Enterprise')
    .option('--external-id <id>', "your own id for the user (e.g. user123); management keys' userId accepts it")
    .action((opts: { email: string; name: string; tier?: string; externalId?: string }) =>
      withServices(async (s) => {
        // The same body as POST /api/v1/users.
        const input = parseInput(restCreateUserSchema, opts);
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
        // A tier change queues its webhook event and an alerts resolution run, so the queue must be open; the servers work them.
        await s.jobs.start({ workers: false });
        const em = s.orm.em.fork();
        const user = await s.users.findByEmailOrId(em, ref);
        const updated = await s.users.setTier(em, user.id, parseInput(tierNameSchema, tier), cliActor());
        console.log(`${updated.email} is now on ${updated.tier}.`);
      }),
    );

  users
    .command('list')
    .description('List users, newest first: email, name, tier, status and when they were created (UTC)')
    .option('--tier <tier>', 'only users on this tier')
    .addOption(new Option('--status <status>', 'only active or only suspended users').choices(['active', 'suspended'] as const))
    .option('--search <text>', 'only users whose email or name contains this')
    .option('--limit <n>', `show at most this many (1-${MAX_LIST})`, positiveInt(MAX_LIST), 100)
    .action((opts: { tier?: string; status?: 'active' | 'suspended'; search?: string; limit: number }) =>
      withServices(async (s) => {
        const em = s.orm.em.fork();
        const tier = opts.tier === undefined ? undefined : await s.users.resolveTier(em, parseInput(tierNameSchema, opts.tier));
        const { items, total } = await s.users.list(em, {
          search: opts.search,
          status: opts.status,
          tierId: tier?.id,
          sort: 'createdAt',
          order: 'desc',
          page: 1,
          pageSize: opts.limit,
        });
        if (!items.length) {
          const filtered = opts.tier !== undefined || opts.status !== undefined || opts.search !== undefined;
          console.log(filtered ? 'No users match.' : 'No users yet.');
          return;
        }
        const rows = items.map((u) => [u.email, u.name, u.tier, u.status, u.createdAt.replace(/\.\d{3}Z$/, 'Z')]);
        console.log(formatTable(['EMAIL', 'NAME', 'TIER', 'STATUS', 'CREATED'], rows));
        if (total > items.length) console.error(`Showing ${items.length} of ${total} users; use --limit or a filter to see others.`);
      }),
    );
}
