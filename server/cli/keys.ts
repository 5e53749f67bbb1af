import type { Command } from 'commander';
import { createKeySchema, keyIdSchema } from '../../shared/keys.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './lazy.ts';
import { CliError, EXPIRES_HELP, parseExpiry } from './options.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('API keys');

  keys
    .command('create')
    .description('Create an API key for a user; the key is printed once and cannot be shown again')
    .argument('<user>', 'email or id of the owner')
    .requiredOption('--name <name>', 'what the key is for, e.g. "production"')
    .option('--expires <date>', EXPIRES_HELP, (value: string) => parseExpiry(value))
    .action((ref: string, opts: { name: string; expires?: Date }) =>
      withServices(async (s) => {
        const input = parseInput(createKeySchema, { name: opts.name, ...(opts.expires ? { expiresAt: opts.expires.toISOString() } : {}) });
        const em = s.orm.em.fork();
        const user = await s.users.findByEmailOrId(em, ref);
        const created = await s.keys.create(em, {
          userId: user.id,
          name: input.name,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
          actor: cliActor(),
        });
        const until = created.expiresAt ? `, expiring at ${created.expiresAt}` : '';
        console.error(`Created key ${created.masked} (${created.id}) for ${user.email}${until}. Store it now: it will not be shown again.`);
        console.log(created.key);
      }),
    );

  keys
    .command('list')
    .description("List a user's keys (masked)")
    .argument('<user>', 'email or id')
    .action((ref: string) =>
      withServices(async (s) => {
        const em = s.orm.em.fork();
        const user = await s.users.findByEmailOrId(em, ref);
        const list = await s.keys.list(em, user.id);
        if (!list.length) console.log(`${user.email} has no keys.`);
        for (const k of list) {
          console.log(
            [k.id, k.masked, k.status.padEnd(7), k.name, `used ${k.usageCount}`, `last ${k.lastUsedAt ?? 'never'}`, `expires ${k.expiresAt ?? 'never'}`].join('  '),
          );
        }
      }),
    );

  keys
    .command('revoke')
    .description('Revoke a key at once, on every server (exits 1 if it was already revoked)')
    .argument('<key-id>', 'the key id (from `keys list`)')
    .action((id: string) =>
      withServices(async (s) => {
        const { id: keyId } = parseInput(keyIdSchema, { id });
        // Revoking is idempotent in the service; at a terminal, "nothing done" is worth saying and a script may test for it.
        const [{ ApiKey }, { maskKey }] = await Promise.all([import('../keys/entity.ts'), import('../keys/format.ts')]);
        const existing = await s.orm.em.fork().findOne(ApiKey, { id: keyId });
        if (existing?.revokedAt) {
          throw new CliError(`Key ${maskKey(existing.lookupId)} (${keyId}) was already revoked at ${existing.revokedAt.toISOString()}; nothing done.`);
        }
        const revoked = await s.keys.revoke(s.orm.em.fork(), { keyId, actor: cliActor() });
        console.log(`Revoked ${revoked.masked} (${revoked.id}).`);
      }),
    );
}
