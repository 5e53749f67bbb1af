#!/usr/bin/env node
/**
 * The operator CLI: `npx harmonic <command>`. It runs the same services as the
 * server, against DATABASE_URL or the embedded database (sharing it with a
 * running server when there is one).
 */
import { Command, CommanderError, Help, type Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigError } from '../config.ts';
import { AppError } from '../errors.ts';
import { registerAdminCommands } from './admin.ts';
import { registerBillingCommands } from './billing.ts';
import { registerDbCommands } from './db.ts';
import { registerKeyCommands } from './keys.ts';
import { CliError } from './options.ts';
import { registerUserCommands } from './users.ts';

const EXIT_USAGE = 2;

// Settings made here, before the commands exist, are inherited by every subcommand.
const program = new Command('harmonic')
  .description('Operate a Harmonic installation from the command line.')
  .version(packageJson.version, '-V, --version', 'print the version')
  .addHelpText(
    'after',
    '\nIt uses DATABASE_URL, or the embedded database in HARMONIC_DATA_DIR (default ./data) that `npm start` created.\n' +
      'Exit codes: 0 done; 1 nothing done (no database found, key already revoked, a failure); 2 bad input.',
  )
  // Commander does not mark mandatory options in help; an operator should not learn it from an error.
  .configureHelp({
    optionDescription(this: Help, option: Option) {
      const description = Help.prototype.optionDescription.call(this, option);
      return option.mandatory ? `${description} (required)` : description;
    },
  })
  // One message per mistake, in the same `harmonic: …` form as every other error, then a pointer to the help.
  .configureOutput({ outputError: (message, write) => write(`harmonic: ${message.replace(/^error: /, '')}`) })
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerAdminCommands(program);
registerUserCommands(program);
registerKeyCommands(program);
registerDbCommands(program);
registerBillingCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Help and --version "fail" with exit code 0; every other commander error is a usage mistake.
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  if (err instanceof CliError) {
    process.stderr.write(`harmonic: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  if (err instanceof ConfigError || err instanceof AppError) {
    process.stderr.write(`harmonic: ${err.message}\n`);
    process.exit(err instanceof AppError && err.status < 500 ? EXIT_USAGE : 1);
  }
  process.stderr.write(`harmonic: ${(err as Error).message}\n`);
  process.exit(1);
}
