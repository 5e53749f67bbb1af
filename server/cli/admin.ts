import { Option, type Command } from 'commander';
import { ADMIN_ROLES, createAdminSchema, passwordSchema, type AdminRole } from '../../shared/admin.ts';
import { idSchema } from '../../shared/admin.ts';
import { createManagementKeySchema, MANAGEMENT_SCOPES } from '../../shared/management.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './lazy.ts';
import { CliError } from './options.ts';

/** Reads a password from stdin (so it never appears in the process list or shell history). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('Admin accounts of the web app');

  admin
    .command('create')
    .description('Create an admin account; without --password-stdin a strong password is generated and printed once')
    .requiredOption('--email <email>', 'email address, used to sign in')
    .addOption(new Option('--role <role>', 'what the account may do').choices(ADMIN_ROLES).default('admin'))
    .option('--name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input')
    .action((opts: { email: string; role: AdminRole; name?: string; passwordStdin?: boolean }) =>
      withServices(async (s) => {
        const password = opts.passwordStdin ? await readStdin() : undefined;
        const input = parseInput(createAdminSchema, { email: opts.email, role: opts.role, name: opts.name, password });
        const { account, generatedPassword } = await s.adminAccounts.createAccount(s.orm.em.fork(), input, cliActor());
        console.error(`Created ${account.role} ${account.email}.`);
        if (generatedPassword) {
          console.error('Password (shown once):');
          console.log(generatedPassword);
        }
      }),
    );

  admin
    .command('reset-password')
    .description("Set a new password (generated unless --password-stdin) and end the account's sessions")
    .argument('<email>', 'the admin account')
    .option('--password-stdin', 'read the new password from standard input')
    .action((email: string, opts: { passwordStdin?: boolean }) =>
      withServices(async (s) => {
        const given = opts.passwordStdin ? parseInput(passwordSchema, await readStdin()) : undefined;
        const { password, generated } = await s.adminAccounts.resetPassword(s.orm.em.fork(), email, given, cliActor());
        console.error(`New password set for ${email.toLowerCase()}; its sessions were signed out.`);
        if (generated) {
          console.error('Password (shown once):');
          console.log(password);
        }
      }),
    );

  admin
    .command('list')
    .description('List admin accounts')
    .action(() =>
      withServices(async (s) => {
        for (const a of await s.adminAccounts.listAccounts(s.orm.em.fork())) {
          console.log([a.email, a.role.padEnd(6), `last sign-in ${a.lastSignInAt ?? 'never'}`].join('  '));
        }
      }),
    );

  const keys = admin.command('keys').description("Management keys (hmm_…) for operators' scripts over HTTP");

  keys
    .command('create')
    .description('Create a management key; it is printed once and cannot be shown again')
    .requiredOption('--name <name>', 'what the key is for, e.g. "billing sync"')
    .requiredOption('--scopes <scopes>', `comma-separated, from: ${MANAGEMENT_SCOPES.join(', ')}`)
    .action((opts: { name: string; scopes: string }) =>
      withServices(async (s) => {
        const scopes = opts.scopes.split(',').map((x) => x.trim()).filter(Boolean);
        const input = parseInput(createManagementKeySchema, { name: opts.name, scopes });
        const created = await s.managementKeys.create(s.orm.em.fork(), { ...input, actor: cliActor() });
        console.error(`Created management key ${created.masked} (${created.id}) with ${created.scopes.join(', ')}. Store it now: it will not be shown again.`);
        console.log(created.key);
      }),
    );

  keys
    .command('list')
    .description('List management keys (masked)')
    .action(() =>
      withServices(async (s) => {
        const list = await s.managementKeys.list(s.orm.em.fork());
        if (!list.length) console.log('No management keys.');
        for (const k of list) {
          console.log([k.id, k.masked, k.status.padEnd(7), k.name, k.scopes.join(','), `by ${k.createdBy}`, `last ${k.lastUsedAt ?? 'never'}`].join('  '));
        }
      }),
    );

  keys
    .command('revoke')
    .description('Revoke a management key at once, on every server (exits 1 if it was already revoked)')
    .argument('<key-id>', 'the key id (from `admin keys list`)')
    .action((id: string) =>
      withServices(async (s) => {
        const { id: keyId } = parseInput(idSchema, { id });
        const { key, changed } = await s.managementKeys.revoke(s.orm.em.fork(), { id: keyId, actor: cliActor() });
        if (!changed) throw new CliError(`Management key ${key.masked} (${key.id}) was already revoked at ${key.revokedAt}; nothing done.`);
        console.log(`Revoked ${key.masked} (${key.id}).`);
      }),
    );
}
