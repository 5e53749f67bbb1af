import { Option, type Command } from 'commander';
import { ADMIN_ROLES, createAdminSchema, passwordSchema, type AdminRole } from '../../shared/admin.ts';
import { parseInput } from '../validation.ts';
import { cliActor } from './actor.ts';
import { withServices } from './lazy.ts';

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
        const { account, generatedPassword } = await s.adminAuth.createAccount(s.orm.em.fork(), input, cliActor());
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
        const { password, generated } = await s.adminAuth.resetPassword(s.orm.em.fork(), email, given, cliActor());
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
        for (const a of await s.adminAuth.listAccounts(s.orm.em.fork())) {
          console.log([a.email, a.role.padEnd(6), `last sign-in ${a.lastSignInAt ?? 'never'}`].join('  '));
        }
      }),
    );
}
